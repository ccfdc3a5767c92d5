package dev.tdlab.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.NoisyPatchConfig;
import dev.tdlab.core.data.NoisyPatchGenerator;
import dev.tdlab.core.data.PatchDataset;
import dev.tdlab.core.data.Streams;
import dev.tdlab.core.metrics.ChangePoints;
import dev.tdlab.core.model.twolayerclassifier.ClassifierConfig;
import dev.tdlab.core.model.twolayerclassifier.PatchClassifier;
import dev.tdlab.core.optim.OptimizerConfig;
import dev.tdlab.core.theory.NoisyPatchTheory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Li et al. 2024 at small scale: SignGD (and Adam) on Li's two-layer transformer over noisy patches fit the training
 * set fast (training error 0) while the test error stays far above the Bayes error (0 here: no label noise), and far
 * above that of full-batch GD on the same data; the stages of the SignGD run are found by {@link ChangePoints}.
 * Fixed seeds; numbers printed with the prefix "LI".
 */
class LiReproductionTest {

    /** One run's record: per-step train loss and metrics, per-eval losses, final parameters, full train/test error. */
    static final class Run {
        final List<Double> loss = new ArrayList<>();
        final Map<Integer, Map<String, Double>> metrics = new LinkedHashMap<>();
        Map<String, double[]> params;
        TrainResult result;
        double trainError, testError, trainLoss, testLoss, seconds;
        int firstZeroBatchError = -1;
    }

    static Run run(ClassifierConfig m, OptimizerConfig o, int steps, PatchDataset train, PatchDataset test, long seed) {
        Run r = new Run();
        TrainConfig t = new TrainConfig(train.examples(), steps, Math.max(1, steps / 10), seed)
                .withMetricsEvery(Math.max(1, steps / 20)).withCheckpointEvery(steps);
        long t0 = System.nanoTime();
        r.result = Trainer.train(m, o, t, train, test, new TrainListener() {
            @Override public void onStep(int step, double loss, double g) {
                r.loss.add(loss);
            }

            @Override public void onEval(int step, double loss, double se) {
            }

            @Override public void onMetrics(int step, Map<String, Double> mm) {
                r.metrics.put(step, mm);
                if (r.firstZeroBatchError < 0 && mm.get("train_error") == 0.0) r.firstZeroBatchError = step;
            }

            @Override public void onCheckpoint(Checkpoint c) {
                r.params = c.params();
            }
        }, null);
        r.seconds = (System.nanoTime() - t0) / 1e9;
        double[] tr = evaluate(m, r.params, train), te = evaluate(m, r.params, test);
        r.trainLoss = tr[0];
        r.trainError = tr[1];
        r.testLoss = te[0];
        r.testError = te[1];
        return r;
    }

    /** {mean logistic loss, 0-1 error} of the parameters on every example of {@code ds}, in float64. */
    static double[] evaluate(ClassifierConfig m, Map<String, double[]> params, PatchDataset ds) {
        SameDiff sd = PatchClassifier.build(m, DataType.DOUBLE, params);
        int n = ds.examples();
        ClassBatch b = new ClassBatch(n, m.positions(), m.inputDim(), DataType.DOUBLE);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        b.fill(ds, idx, 0);
        Map<String, INDArray> out = sd.output(Map.of(PatchClassifier.INPUT, b.x(), PatchClassifier.TARGET, b.y()),
                PatchClassifier.LOSS, PatchClassifier.ERROR);
        return new double[] {out.get(PatchClassifier.LOSS).getDouble(0), out.get(PatchClassifier.ERROR).getDouble(0)};
    }

    static void print(String label, Run r) {
        System.out.printf("LI %s: train loss %.4f error %.3f (batch error 0 first at step %d) | test loss %.4f error %.3f"
                + " | %.1f s%n", label, r.trainLoss, r.trainError, r.firstZeroBatchError, r.testLoss, r.testError,
                r.seconds);
    }

    // D = 64, P = 2, ‖μ‖ = 1, σ_p = 1 dense: SNR = 1/√63 ≈ 0.13; n = 64 training examples; Bayes error 0
    static final NoisyPatchConfig DATA = NoisyPatchConfig.dense(64, 2, 1.0, 1.0);
    static final PatchDataset TRAIN = NoisyPatchGenerator.generate(DATA, 64, Streams.key(1, "train"), 1);
    static final PatchDataset TEST = NoisyPatchGenerator.generate(DATA, 1000, Streams.key(1, "eval"), 1);
    static final ClassifierConfig MODEL = ClassifierConfig.li(2, 64, 16, 16, 0.01);

    @Test
    void signGdAndAdamFitFastButGeneralizePoorly() {
        double bayes = NoisyPatchTheory.bayesError(DATA);
        assertEquals(0.0, bayes);
        Run sign = run(MODEL, OptimizerConfig.of("signgd", 3e-3), 100, TRAIN, TEST, 0);
        Run adam = run(MODEL, OptimizerConfig.of("adam", 3e-3), 100, TRAIN, TEST, 0);
        Run gd = run(MODEL, OptimizerConfig.of("gd", 0.1), 100, TRAIN, TEST, 0);
        print("signgd lr 3e-3, 100 steps", sign);
        print("adam   lr 3e-3, 100 steps", adam);
        print("gd     lr 0.1,  100 steps", gd);
        for (Run r : List.of(sign, adam)) {
            assertEquals(0.0, r.trainError, "fits every training example");
            assertTrue(r.trainLoss < 0.2, "training loss falls fast: " + r.trainLoss);
            assertTrue(r.testError > bayes + 0.2, "test error far above the Bayes error: " + r.testError);
            assertTrue(r.testLoss > 3 * r.trainLoss, "test loss stays high: " + r.testLoss);
        }
        // not the data noise alone: full-batch GD on the same data and model generalizes much better
        assertEquals(0.0, gd.trainError);
        assertTrue(gd.testError < Math.min(sign.testError, adam.testError) - 0.1, "gd test error " + gd.testError);
        // the stage markers move as Li et al. describe: the value path memorizes the training noise (value noise ≫
        // value signal) and the noise queries stop attending to the signal patch
        Map<String, Double> m0 = sign.metrics.get(5), end = sign.metrics.get(100);
        System.out.println("LI signgd markers step 5: " + m0);
        System.out.println("LI signgd markers step 100: " + end);
        assertTrue(end.get("probe/value_noise") > 2 * Math.abs(end.get("probe/value_signal")), end.toString());
        assertTrue(end.get("probe/attn_signal_from_noise") < m0.get("probe/attn_signal_from_noise"), end.toString());

        // stages of the SignGD loss curve: piecewise-linear fit of ln(loss), BIC-chosen number of segments
        double[] x = new double[sign.loss.size()], y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
            y[i] = sign.loss.get(i);
        }
        ChangePoints.Result stages = ChangePoints.fitLog(x, y, 6, 5);
        System.out.println("LI signgd loss stages: boundaries at steps " + Arrays.toString(stages.boundaryX(x))
                + ", slopes of ln(loss) per step " + stages.segments().stream().map(s -> String.format("%.4f", s.slope()))
                .toList());
        assertTrue(stages.segments().size() >= 2, "the loss curve is not one exponential: " + stages);
        double[] vx = new double[20], vy = new double[20];
        for (int i = 0; i < 20; i++) {
            vx[i] = 5 * (i + 1);
            vy[i] = sign.metrics.get(5 * (i + 1)).get("probe/attn_signal_from_noise");
        }
        ChangePoints.Result attn = ChangePoints.fit(vx, vy, 4, 3);
        System.out.println("LI signgd attn_signal_from_noise stages: boundaries at steps "
                + Arrays.toString(attn.boundaryX(vx)));
    }

    /** Paper-scale-ish: D = 256, sparse noise, n = 128, 400 steps, three seeds, SignGD vs Adam vs GD. */
    @Test
    @EnabledIfSystemProperty(named = "tdlab.reproduce", matches = "true")
    void longerRuns() {
        NoisyPatchConfig data = new NoisyPatchConfig(256, 2, 1.0, 1.0, 64, 0.0);
        ClassifierConfig m = ClassifierConfig.li(2, 256, 32, 32, 0.01);
        for (long seed = 0; seed < 3; seed++) {
            PatchDataset train = NoisyPatchGenerator.generate(data, 128, Streams.key(seed, "train"), 1);
            PatchDataset test = NoisyPatchGenerator.generate(data, 2000, Streams.key(seed, "eval"), 1);
            for (OptimizerConfig o : List.of(OptimizerConfig.of("signgd", 1e-3), OptimizerConfig.of("adam", 1e-3),
                    OptimizerConfig.of("gd", 0.1))) {
                Run r = run(m, o, 400, train, test, seed);
                print(o.name() + " seed " + seed, r);
                if (!o.name().equals("gd")) {
                    assertEquals(0.0, r.trainError);
                    assertTrue(r.testError > 0.2, "test error " + r.testError);
                }
            }
        }
    }
}
