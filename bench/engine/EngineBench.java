import dev.tdlab.core.data.Dataset;
import dev.tdlab.core.data.MarkovGenerator;
import dev.tdlab.core.data.NoisyPatchConfig;
import dev.tdlab.core.data.NoisyPatchGenerator;
import dev.tdlab.core.fast.EngineChoice;
import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.ModelConfig;
import dev.tdlab.core.model.deep.DeepConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerConfig;
import dev.tdlab.core.model.twolayerclassifier.ClassifierConfig;
import dev.tdlab.core.optim.OptimizerConfig;
import dev.tdlab.core.theory.MarkovChain;
import dev.tdlab.core.train.TrainConfig;
import dev.tdlab.core.train.TrainListener;
import dev.tdlab.core.train.TrainResult;
import dev.tdlab.core.train.Trainer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Training speed of dynamics-engine's single-layer transformer (Makkuva's model: learned positions, one softmax head,
 * causal, residual, ReLU MLP 4d, tied head, cross-entropy; Adam 1e-3, float32) on a binary Markov chain
 * (p = 0.2, q = 0.3), through the product's {@link Trainer} (per step: batch, gradients, norms, Adam). The engine is
 * the Trainer's automatic choice unless {@code -Dtdlab.engine=fast|samediff} pins it (run.sh measures both); the fast
 * engine needs {@code --add-modules jdk.incubator.vector} for its Vector API kernels. OMP_NUM_THREADS=1 is set by
 * run.sh.
 *
 * <ul>
 *   <li>{@code d T B steps warmup}: one run; prints {@code tdlab d T B ms_per_step tokens_per_s final_train_loss},
 *       the mean wall time per step after the first {@code warmup} steps.</li>
 *   <li>{@code sweep runs workers d T B steps}: {@code runs} independent runs (seeds 0..runs-1) on {@code workers}
 *       threads of this JVM, one model per thread (as trainer-service's workers); prints
 *       {@code tdlab-sweep runs workers d T B steps wall_s runs_per_hour tokens_per_s mean_final_train_loss}, timed
 *       from the first run's start to the last run's end (graph building, data and warm-up included).</li>
 *   <li>{@code deep L d T B steps warmup}: one run of the deep family ({@link DeepConfig}: L pre-LN blocks, 2 heads,
 *       residual branches scaled by 1/√L, ReLU MLP 4d, tied head, GPT-2 init std 0.02 with the output projections
 *       at 0.02/√(2L); Adam 1e-3, float32) on the same Markov chain; prints
 *       {@code tdlab-deep L d T B ms_per_step tokens_per_s final_train_loss engine auto_engine cpu_ms_per_step} (the
 *       last: the training thread's CPU time per step after the warm-up, which load from other processes inflates
 *       less than the wall time).</li>
 *   <li>{@code classifier P D mk mv n steps warmup}: one run of the two-layer classifier in Li et al.'s form
 *       ({@link ClassifierConfig#li}: P patches of dimension D, softmax without 1/√d, W_Q, W_K [D,mk], W_V [D,2mv],
 *       fixed ±1/mv readout, sum over queries, N(0, 0.01²) init, logistic loss; Adam 1e-3, float32) on n noisy-patch
 *       examples (signal 1, dense noise std 1), full batch (B = n) every step; prints
 *       {@code tdlab-cls P D mk mv n ms_per_step examples_per_s final_train_loss engine auto_engine cpu_ms_per_step}.</li>
 * </ul>
 */
public class EngineBench {
    public static void main(String[] a) throws Exception {
        if (a[0].equals("deep")) {
            deep(Integer.parseInt(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[3]), Integer.parseInt(a[4]),
                    Integer.parseInt(a[5]), Integer.parseInt(a[6]));
            return;
        }
        if (a[0].equals("classifier")) {
            classifier(Integer.parseInt(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[3]), Integer.parseInt(a[4]),
                    Integer.parseInt(a[5]), Integer.parseInt(a[6]), Integer.parseInt(a[7]));
            return;
        }
        if (a[0].equals("sweep")) {
            sweep(Integer.parseInt(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[3]), Integer.parseInt(a[4]),
                    Integer.parseInt(a[5]), Integer.parseInt(a[6]));
            return;
        }
        int d = Integer.parseInt(a[0]), t = Integer.parseInt(a[1]), b = Integer.parseInt(a[2]);
        int steps = Integer.parseInt(a[3]), warm = Integer.parseInt(a[4]);
        long[] at = new long[steps + 1];
        double[] last = new double[1];
        train(d, t, b, steps, 0, at, last);
        double ms = (at[steps] - at[warm]) / 1e6 / (steps - warm);
        System.out.printf(Locale.ROOT, "tdlab %d %d %d %.2f %.0f %.4f %s %s%n", d, t, b, ms, b * t / (ms / 1000), last[0],
                engine(d, t), autoEngine(d, t));
    }

    /** The engine this JVM trains (d, T) with: the system property tdlab.engine, else the automatic choice. */
    static String engine(int d, int t) {
        return engine(config(d, t));
    }

    /** The engine the Trainer picks when nothing pins it. */
    static String autoEngine(int d, int t) {
        return autoEngine(config(d, t));
    }

    /** The engine this JVM trains {@code c} with (a pinned fast engine that cannot compute it is an error). */
    static String engine(ModelConfig c) {
        return EngineChoice.useFast(c, "auto") ? "fast" : "samediff";
    }

    static String autoEngine(ModelConfig c) {
        String pinned = System.clearProperty(EngineChoice.PROPERTY);
        try {
            return engine(c);
        } finally {
            if (pinned != null) System.setProperty(EngineChoice.PROPERTY, pinned);
        }
    }

    /** The deep line's model: DeepConfig's defaults (pre-LN, 2 heads, 1/√L, MLP 4d, tied, gpt2 0.02) at L, d, T. */
    static DeepConfig deepConfig(int layers, int d, int t) {
        return new DeepConfig(2, t, d, 2, layers, "inv-sqrt-depth", 1.0, true, true, 4, true, "softmax", "standard",
                "gpt2", 0.02, Map.of());
    }

    static void deep(int layers, int d, int t, int b, int steps, int warm) {
        DeepConfig c = deepConfig(layers, d, t);
        MarkovChain chain = MarkovChain.binary(0.2, 0.3);
        TokenDataset train = MarkovGenerator.generate(chain, 512, t, 1);
        TokenDataset eval = MarkovGenerator.generate(chain, 4, t, 2);
        long[] at = new long[steps + 1], cpu = new long[steps + 1];
        double[] last = new double[1];
        timed(c, new TrainConfig(b, steps, steps, 0L), train, eval, at, cpu, last);
        double ms = (at[steps] - at[warm]) / 1e6 / (steps - warm);
        System.out.printf(Locale.ROOT, "tdlab-deep %d %d %d %d %.2f %.0f %.4f %s %s %.3f%n", layers, d, t, b, ms,
                b * t / (ms / 1000), last[0], engine(c), autoEngine(c), (cpu[steps] - cpu[warm]) / 1e6 / (steps - warm));
    }

    static void classifier(int patches, int dim, int mk, int mv, int n, int steps, int warm) {
        ClassifierConfig c = ClassifierConfig.li(patches, dim, mk, mv, 0.01);
        NoisyPatchConfig data = NoisyPatchConfig.dense(dim, patches, 1.0, 1.0);
        Dataset train = NoisyPatchGenerator.generate(data, n, 1L, 1);
        Dataset eval = NoisyPatchGenerator.generate(data, 64, 2L, 1);
        long[] at = new long[steps + 1], cpu = new long[steps + 1];
        double[] last = new double[1];
        // full batch: every step's gradient on all n examples (Li et al.'s protocol), one chunk of B = n
        TrainConfig tc = new TrainConfig(n, steps, steps, 0L, List.of("all"), 0, steps, false, true);
        timed(c, tc, train, eval, at, cpu, last);
        double ms = (at[steps] - at[warm]) / 1e6 / (steps - warm);
        System.out.printf(Locale.ROOT, "tdlab-cls %d %d %d %d %d %.2f %.0f %.4f %s %s %.3f%n", patches, dim, mk, mv, n, ms,
                n / (ms / 1000), last[0], engine(c), autoEngine(c), (cpu[steps] - cpu[warm]) / 1e6 / (steps - warm));
    }

    static void timed(ModelConfig c, TrainConfig tc, Dataset train, Dataset eval, long[] at, long[] cpu,
                      double[] last) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Trainer.train(c, OptimizerConfig.of("adam", 1e-3), tc, train, eval, new TrainListener() {
            public void onStep(int step, double loss, double g) {
                at[step] = System.nanoTime();
                cpu[step] = threads.getCurrentThreadCpuTime();
                last[0] = loss;
            }

            public void onEval(int step, double l, double s) {
            }
        }, null);
    }

    static SingleLayerConfig config(int d, int t) {
        return new SingleLayerConfig(2, t, d, 1, true, 4, true, "gaussian", 0.02);
    }

    static TrainResult train(int d, int t, int b, int steps, long seed, long[] at, double[] last) {
        MarkovChain chain = MarkovChain.binary(0.2, 0.3);
        TokenDataset train = MarkovGenerator.generate(chain, 512, t, 1 + 2 * seed);
        TokenDataset eval = MarkovGenerator.generate(chain, 4, t, 2 + 2 * seed);
        return Trainer.train(config(d, t),
                OptimizerConfig.of("adam", 1e-3), new TrainConfig(b, steps, steps, seed), train, eval,
                new TrainListener() {
                    public void onStep(int step, double loss, double g) {
                        if (at != null) at[step] = System.nanoTime();
                        last[0] = loss;
                    }

                    public void onEval(int step, double l, double s) {
                    }
                });
    }

    static void sweep(int runs, int workers, int d, int t, int b, int steps) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        long t0 = System.nanoTime();
        List<Future<Double>> done = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            long seed = r;
            done.add(pool.submit(() -> {
                double[] last = new double[1];
                train(d, t, b, steps, seed, null, last);
                return last[0];
            }));
        }
        double loss = 0;
        for (Future<Double> f : done) loss += f.get() / runs;
        double s = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        System.out.printf(Locale.ROOT, "tdlab-sweep %d %d %d %d %d %d %.2f %.1f %.0f %.4f %s%n", runs, workers, d, t, b,
                steps, s, runs * 3600 / s, (double) runs * steps * b * t / s, loss, engine(d, t));
    }
}
