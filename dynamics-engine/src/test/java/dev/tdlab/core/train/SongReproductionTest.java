package dev.tdlab.core.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.NoisyPatchConfig;
import dev.tdlab.core.data.NoisyPatchGenerator;
import dev.tdlab.core.data.PatchDataset;
import dev.tdlab.core.data.PatchImageConfig;
import dev.tdlab.core.data.PatchImageGenerator;
import dev.tdlab.core.data.Streams;
import dev.tdlab.core.model.twolayerclassifier.ClassifierConfig;
import dev.tdlab.core.optim.OptimizerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Song et al. 2024 at small scale: full-batch GD on one attention layer with a linear readout, softmax vs Gaussian
 * kernel, training all of q, k, v, head; only v; only q. Convergence = the training loss reaching {@link #THRESHOLD}.
 * Measured (printed with the prefix "SONG"): all and v-only converge with both kernels; q-only converges with
 * neither here (with v and the readout frozen the logit is bounded by the value path, whatever the kernel), so the
 * q-only claim is reported, not asserted: the test asserts what the machinery guarantees (q-only lowers the loss).
 */
class SongReproductionTest {

    static final double THRESHOLD = 0.1;

    record Outcome(double initial, double last, int convergedAt, double testError) {
    }

    static Outcome run(ClassifierConfig m, String group, OptimizerConfig o, int steps, PatchDataset train,
                       PatchDataset test) {
        List<Double> loss = new ArrayList<>();
        double[] err = {Double.NaN};
        TrainConfig t = new TrainConfig(train.examples(), steps, steps, 0).withTrainable(List.of(group))
                .withMetricsEvery(steps);
        Trainer.train(m, o, t, train, test, new TrainListener() {
            @Override public void onStep(int step, double l, double g) {
                loss.add(l);
            }

            @Override public void onEval(int step, double l, double se) {
            }

            @Override public void onMetrics(int step, Map<String, Double> mm) {
                if (mm.containsKey("eval_error")) err[0] = mm.get("eval_error");
            }
        }, null);
        int at = -1;
        for (int i = 0; i < loss.size() && at < 0; i++) if (loss.get(i) <= THRESHOLD) at = i + 1;
        return new Outcome(loss.get(0), loss.get(loss.size() - 1), at, err[0]);
    }

    @Test
    void allAndValueConvergeWithBothKernels() {
        // noisy patches: D = 16, P = 4, ‖μ‖ = σ_p = 1; 32 training examples; full-batch GD, lr 2, 80 steps
        NoisyPatchConfig data = NoisyPatchConfig.dense(16, 4, 1.0, 1.0);
        PatchDataset train = NoisyPatchGenerator.generate(data, 32, Streams.key(1, "train"), 1);
        PatchDataset test = NoisyPatchGenerator.generate(data, 256, Streams.key(1, "eval"), 1);
        for (String kernel : List.of("softmax", "gaussian")) {
            ClassifierConfig m = ClassifierConfig.song(4, 16, 16, 1, kernel, 1.0);
            for (String group : List.of("all", "v", "q")) {
                Outcome r = run(m, group, OptimizerConfig.of("gd", 2.0), 80, train, test);
                System.out.printf("SONG %s %s: train loss %.4f -> %.4f, below %.2f at step %d, test error %.3f%n",
                        kernel, group, r.initial(), r.last(), THRESHOLD, r.convergedAt(), r.testError());
                if (group.equals("q")) {
                    assertTrue(r.last() < r.initial(), "q-only GD lowers the loss");
                } else {
                    assertTrue(r.convergedAt() > 0, kernel + " " + group + " converges: " + r);
                }
            }
        }
    }

    /** The bar-orientation images of the experiment template, 400 steps, every kernel and subset. */
    @Test
    @EnabledIfSystemProperty(named = "tdlab.reproduce", matches = "true")
    void patchImages() {
        PatchImageConfig data = new PatchImageConfig(8, 2, 4, 2.0, 0.5);
        PatchDataset train = PatchImageGenerator.generate(data, 256, Streams.key(1, "train"), 1);
        PatchDataset test = PatchImageGenerator.generate(data, 512, Streams.key(1, "eval"), 1);
        for (String kernel : List.of("softmax", "gaussian", "gaussian-unnormalized")) {
            ClassifierConfig m = ClassifierConfig.song(data.patches(), data.patchDim(), 8, 1, kernel, 1.0);
            for (String group : List.of("all", "v", "q")) {
                Outcome r = run(m, group, OptimizerConfig.of("gd", 2.0), 400, train, test);
                System.out.printf("SONG image %s %s: train loss %.4f -> %.4f, below %.2f at step %d, test error %.3f%n",
                        kernel, group, r.initial(), r.last(), THRESHOLD, r.convergedAt(), r.testError());
            }
        }
    }
}
