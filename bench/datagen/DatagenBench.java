import dev.tdlab.core.data.Dirichlet;
import dev.tdlab.core.data.InContextMarkovSampler;
import dev.tdlab.core.data.MarkovSampler;
import dev.tdlab.core.data.NoisyPatchConfig;
import dev.tdlab.core.data.NoisyPatchGenerator;
import dev.tdlab.core.data.PatchImageConfig;
import dev.tdlab.core.data.PatchImageGenerator;
import dev.tdlab.core.data.Streams;
import dev.tdlab.core.theory.OrderKChain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Java side of the data-generation benchmark (see README.md next to it). Same cases, sizes and output formats as
 * datagen_numpy.py: each case generates the data in its storage encoding (bit-packed tokens for V = 2, one byte per
 * token otherwise, float32 records for the patch families). Run from the repository root after building dynamics-theory:
 *
 *   java -cp dynamics-theory/target/classes bench/datagen/DatagenBench.java [reps] [threads,...]
 *
 * Prints one line per case and thread count:  case<TAB>threads<TAB>units<TAB>best seconds<TAB>median seconds<TAB>units/s
 */
public class DatagenBench {

    static final int N = 65536, T = 256;                     // sequences x (seqLen + 1 = 257 tokens)
    static final int NP_N = 4096, NP_P = 8, NP_D = 256;      // noisy-patch examples x patches x dim
    static final int PI_N = 16384, S = 16, PS = 4, L = 4;    // patch-image examples, image side, patch side, bar

    record Case(String name, String unit, long count, IntConsumer run) {
    }

    static volatile Object sink;

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int[] threads = args.length > 1 ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 2};
        long key = Streams.key(12345L, "train");
        OrderKChain binary = OrderKChain.binary(0.2, 0.3);
        OrderKChain v8k3 = OrderKChain.ofFlat(3, 8, Dirichlet.table(3, 8, 1.0, Streams.key(1L, "table")));
        OrderKChain[] sources = {OrderKChain.binary(0.2, 0.3), OrderKChain.binary(0.3, 0.2)};
        NoisyPatchConfig np = new NoisyPatchConfig(NP_D, NP_P, 1.0, 1.0, NP_D - 1, 0.1);
        PatchImageConfig pi = new PatchImageConfig(S, PS, L, 1.0, 1.0);
        long tokens = (long) N * (T + 1);
        List<Case> cases = List.of(
                new Case("markov-binary-k1", "tokens", tokens, th -> sink = MarkovSampler.sampleEncoded(binary, N, T, key, th)),
                new Case("markov-v8-k3", "tokens", tokens, th -> sink = MarkovSampler.sampleEncoded(v8k3, N, T, key, th)),
                new Case("markov-incontext-binary-k1", "tokens", tokens,
                        th -> sink = InContextMarkovSampler.sampleEncoded(1, 2, 1.0, N, T, key, th)),
                new Case("sequence-classification-binary-k1", "tokens", tokens,
                        th -> sink = MarkovSampler.sampleLabeled(sources, N, T, key, th)),
                new Case("noisy-patch-P8-d256", "values", (long) NP_N * NP_P * NP_D,
                        th -> sink = NoisyPatchGenerator.generate(np, NP_N, key, th)),
                new Case("patch-image-16x16-p4", "values", (long) PI_N * S * S,
                        th -> sink = PatchImageGenerator.generate(pi, PI_N, key, th)));
        System.out.println("# java " + System.getProperty("java.version") + " " + System.getProperty("java.vm.name")
                + ", " + Runtime.getRuntime().availableProcessors() + " processors");
        for (Case c : cases) {
            for (int th : threads) {
                for (int w = 0; w < 3; w++) c.run().accept(th); // warm-up: JIT
                List<Double> secs = new ArrayList<>();
                for (int r = 0; r < reps; r++) {
                    long t0 = System.nanoTime();
                    c.run().accept(th);
                    secs.add((System.nanoTime() - t0) / 1e9);
                }
                secs.sort(null);
                double best = secs.get(0), median = secs.get(secs.size() / 2);
                System.out.printf("%s\t%d\t%s\t%.6f\t%.6f\t%.1f%n", c.name(), th, c.unit(), best, median, c.count() / best);
            }
        }
    }
}
