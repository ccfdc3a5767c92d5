import dev.tdlab.core.data.MarkovGenerator;
import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.deep.DeepConfig;
import dev.tdlab.core.model.ModelConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerConfig;
import dev.tdlab.core.optim.OptimizerConfig;
import dev.tdlab.core.theory.MarkovChain;
import dev.tdlab.core.train.TrainConfig;
import dev.tdlab.core.train.TrainListener;
import dev.tdlab.core.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The device half of scripts/gpu-check.sh: starts ND4J's backend (whatever the class path holds: nd4j-native or
 * nd4j-cuda-11.6), proves it can run a kernel, then trains one model through the Trainer on the SameDiff engine (the
 * engine of record; the hand-written fast engine is CPU Java) and writes one loss per step.
 *
 * <p>Args: {@code probe} | {@code ref|deep steps B out.tsv}. Prints {@code backend NAME}, then per run
 * {@code run MODEL steps ms_per_step flop_per_step}. Exit 2 with {@code GPU CHECK FAILED: ...} and the exception chain
 * when the backend cannot start or run a kernel.
 */
public class GpuCheck {
    public static void main(String[] a) throws Exception {
        String backend;
        try {
            backend = Nd4j.getBackend().getClass().getName();
            INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 256, 256);
            double s = x.mmul(x).sumNumber().doubleValue();   // a cuBLAS call and a reduction kernel on CUDA
            if (!Double.isFinite(s)) throw new IllegalStateException("matmul gave " + s);
            Nd4j.getExecutioner().commit();
        } catch (Throwable e) {
            System.out.println("GPU CHECK FAILED: the ND4J backend could not start or run a kernel:");
            for (Throwable c = e; c != null; c = c.getCause()) System.out.println("  " + c);
            e.printStackTrace(System.out);
            System.exit(2);
            return;
        }
        System.out.println("backend " + backend);
        System.out.println("environment " + Nd4j.getExecutioner().getEnvironmentInformation());
        if (a[0].equals("probe")) return;
        int steps = Integer.parseInt(a[1]), b = Integer.parseInt(a[2]);
        ModelConfig m = a[0].equals("ref")
                ? new SingleLayerConfig(2, 256, 4, 1, true, 4, true, "gaussian", 0.02)
                : new DeepConfig(2, 1024, 256, 4, 4, "inv-sqrt-depth", 1.0, true, true, 4, true, "softmax",
                        "standard", "gpt2", 0.02, Map.of());
        int t = m.seqLen();
        MarkovChain chain = MarkovChain.binary(0.2, 0.3);
        TokenDataset train = MarkovGenerator.generate(chain, 512, t, 1);
        TokenDataset eval = MarkovGenerator.generate(chain, 4, t, 2);
        long[] at = new long[steps + 1];
        double[] loss = new double[steps + 1];
        TrainConfig cfg = new TrainConfig(b, steps, steps, 0L).withEngine("samediff");
        Trainer.train(m, OptimizerConfig.of("adam", 1e-3), cfg, train, eval, new TrainListener() {
            public void onStep(int step, double l, double g) {
                at[step] = System.nanoTime();
                loss[step] = l;
            }

            public void onEval(int step, double l, double s) {
            }
        }, null);
        int warm = Math.min(10, steps / 4);
        double ms = (at[steps] - at[warm]) / 1e6 / (steps - warm);
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(a[3])))) {
            for (int i = 1; i <= steps; i++) w.printf(Locale.ROOT, "%d\t%.9g%n", i, loss[i]);
        }
        System.out.printf(Locale.ROOT, "run %s %d %.3f %.6g%n", a[0], steps, ms, flopPerStep(m, b));
    }

    /**
     * Training FLOPs per step, 3x the forward matmul FLOPs (forward + backward), of the graph as SameDiff runs it: per
     * token and layer 12 d² multiply-adds (q, k, v, o, MLP 4d) and 2·T·d for the full (masked, not skipped) scores and
     * weighted values; embeddings and head (V·d) are negligible and left out.
     */
    static double flopPerStep(ModelConfig m, int b) {
        int d = m instanceof SingleLayerConfig s ? s.dModel() : ((DeepConfig) m).dModel();
        int layers = m instanceof DeepConfig c ? c.depth() : 1;
        double t = m.seqLen();
        return 3 * 2 * b * t * layers * (12.0 * d * d + 2 * t * d);
    }
}
