import dev.tdlab.core.data.MarkovGenerator;
import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.SingleLayerConfig;
import dev.tdlab.core.optim.OptimizerConfig;
import dev.tdlab.core.theory.MarkovChain;
import dev.tdlab.core.train.TrainConfig;
import dev.tdlab.core.train.TrainListener;
import dev.tdlab.core.train.Trainer;

import java.util.Locale;

/**
 * ms per training step of dynamics-core's single-layer transformer (Makkuva's model: learned positions,
 * one softmax head, causal, residual, ReLU MLP 4d, tied head, cross-entropy; Adam 1e-3, float32) on a
 * binary Markov chain (p = 0.2, q = 0.3). Args: d T B steps warmup. Prints one line:
 * {@code tdlab d T B ms_per_step tokens_per_s final_train_loss}. OMP_NUM_THREADS=1 is set by run.sh.
 */
public class EngineBench {
    public static void main(String[] a) {
        int d = Integer.parseInt(a[0]), t = Integer.parseInt(a[1]), b = Integer.parseInt(a[2]);
        int steps = Integer.parseInt(a[3]), warm = Integer.parseInt(a[4]);
        MarkovChain chain = MarkovChain.binary(0.2, 0.3);
        TokenDataset train = MarkovGenerator.generate(chain, 512, t, 1);
        TokenDataset eval = MarkovGenerator.generate(chain, 4, t, 2);
        long[] at = new long[steps + 1];
        double[] last = new double[1];
        Trainer.train(new SingleLayerConfig(2, t, d, 1, true, 4, true, "gaussian", 0.02), OptimizerConfig.of("adam", 1e-3),
                new TrainConfig(b, steps, steps, 0), train, eval, new TrainListener() {
                    public void onStep(int step, double loss, double g) {
                        at[step] = System.nanoTime();
                        last[0] = loss;
                    }

                    public void onEval(int step, double l, double s) {
                    }
                });
        double ms = (at[steps] - at[warm]) / 1e6 / (steps - warm);
        System.out.printf(Locale.ROOT, "tdlab %d %d %d %.2f %.0f %.4f%n", d, t, b, ms, b * t / (ms / 1000), last[0]);
    }
}
