package dev.tdlab.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.Dataset;
import dev.tdlab.core.data.LabeledSequences;
import dev.tdlab.core.data.MarkovSampler;
import dev.tdlab.core.data.NoisyPatchConfig;
import dev.tdlab.core.data.NoisyPatchGenerator;
import dev.tdlab.core.data.PatchDataset;
import dev.tdlab.core.data.PatchImageConfig;
import dev.tdlab.core.data.PatchImageGenerator;
import dev.tdlab.core.data.Streams;
import dev.tdlab.core.model.twolayerclassifier.ClassifierConfig;
import dev.tdlab.core.model.twolayerclassifier.PatchClassifier;
import dev.tdlab.core.optim.OptimizerConfig;
import dev.tdlab.core.theory.OrderKChain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The training path for classification sets: frozen subsets, checkpoint/resume, the error metrics (checked against
 * an evaluation of the same parameters), labeled token sequences, and rejected mismatches.
 */
class ClassifierTrainingTest {

    static final NoisyPatchConfig NOISY = NoisyPatchConfig.dense(16, 3, 1.0, 0.5);
    static final PatchDataset TRAIN = NoisyPatchGenerator.generate(NOISY, 48, Streams.key(3, "train"), 1);
    static final PatchDataset EVAL = NoisyPatchGenerator.generate(NOISY, 40, Streams.key(3, "eval"), 1);
    static final ClassifierConfig MODEL = new ClassifierConfig("patches", 3, 16, 0, 2, 8, 8, "softmax", true, "mean",
            "linear", "fan-in", 1.0, 1.0, Map.of());

    @Test
    void frozenParametersStayBitForBit() {
        for (String group : List.of("q", "v")) {
            TrainerFeaturesTest.Log log = new TrainerFeaturesTest.Log();
            TrainConfig t = new TrainConfig(8, 5, 5, 2).withTrainable(List.of(group)).withCheckpointEvery(5);
            Trainer.train(MODEL, OptimizerConfig.of("adam", 1e-2), t, TRAIN, EVAL, log, null);
            Map<String, double[]> init = PatchClassifier.initialParameters(MODEL, 2), end = log.last.params();
            String trained = group.equals("q") ? PatchClassifier.WQ : PatchClassifier.WV;
            for (String name : PatchClassifier.parameterNames(MODEL)) {
                boolean same = Arrays.equals(init.get(name), end.get(name));
                assertEquals(!name.equals(trained), same, group + ": " + name);
            }
            Map<String, Double> m = log.metrics.get(0);
            assertTrue(m.containsKey("grad_norm/" + group) && !m.containsKey("grad_norm/k"), m.keySet().toString());
        }
    }

    /** 8 steps straight vs 4, checkpoint through bytes, resume for 4: the same callbacks bit for bit. */
    @Test
    void resumeOnPatchesIsBitIdentical() {
        ClassifierConfig li = ClassifierConfig.li(3, 16, 8, 4, 0.05);
        OptimizerConfig o = new OptimizerConfig("adam", 1e-2, 0.9, 0.999, 1e-8, 0, "cosine", 0.25);
        TrainConfig t = new TrainConfig(8, 8, 3, 5).withCheckpointEvery(4).withMetricsEvery(2);
        TrainerFeaturesTest.Log straight = new TrainerFeaturesTest.Log();
        TrainResult a = Trainer.train(li, o, t, TRAIN, EVAL, straight, null);
        TrainerFeaturesTest.Log first = new TrainerFeaturesTest.Log();
        first.cancelAfterStep = 4;
        Trainer.train(li, o, t, TRAIN, EVAL, first, null);
        Checkpoint cp = Checkpoint.fromBytes(first.checkpoints.get(0));
        assertEquals(32, cp.samplerDraws(), "the data cursor");
        TrainerFeaturesTest.Log second = new TrainerFeaturesTest.Log();
        TrainResult b = Trainer.train(li, o, t, TRAIN, EVAL, second, cp);
        List<String> joined = new ArrayList<>(first.lines);
        joined.addAll(second.lines);
        assertEquals(straight.lines, joined, "losses, evals, errors and probe metrics");
        assertArrayEquals(straight.checkpoints.get(1), second.checkpoints.get(0));
        assertEquals(a, b);
        Map<String, Double> m = straight.metrics.get(1);
        for (String k : List.of("train_error", "probe/value_signal", "probe/value_noise", "probe/qk_noise_sign_agreement",
                "probe/qk_signal_sign_agreement", "probe/attn_signal_from_signal", "probe/attn_signal_from_noise")) {
            assertNotNull(m.get(k), k + " in " + m.keySet());
        }
        assertNotNull(straight.metrics.get(2).get("eval_error"), "eval_error at the eval step 3");
        // another set (same sizes) refuses the checkpoint
        PatchDataset other = NoisyPatchGenerator.generate(NOISY, 48, Streams.key(4, "train"), 1);
        assertThrows(IllegalArgumentException.class, () -> Trainer.train(li, o, t, other, EVAL, null, cp));
    }

    /**
     * Full-batch gd with the training set as eval set: the train loss and error of step k + 1 (taken before its
     * update) are the eval loss and error after step k, the same parameters on the same examples.
     */
    @Test
    void errorMetricsAgreeWithEvaluation() {
        List<double[]> evals = new ArrayList<>();
        List<Double> trainLoss = new ArrayList<>(), trainErr = new ArrayList<>();
        List<Double> evalErr = new ArrayList<>();
        TrainListener l = new TrainListener() {
            @Override public void onStep(int step, double loss, double g) {
                trainLoss.add(loss);
            }

            @Override public void onEval(int step, double loss, double se) {
                evals.add(new double[] {step, loss});
            }

            @Override public void onMetrics(int step, Map<String, Double> m) {
                trainErr.add(m.get("train_error"));
                evalErr.add(m.get("eval_error"));
                assertEquals(step == 1, m.containsKey("probe/value_signal"), "metricsEvery 100: a probe at step 1 (init) only");
            }
        };
        TrainConfig t = new TrainConfig(20, 6, 1, 0).withMetricsEvery(100);
        Trainer.train(MODEL, OptimizerConfig.of("gd", 0.5), t, TRAIN, TRAIN, l, null);
        assertEquals(7, evals.size());
        for (int k = 1; k < 6; k++) {
            assertEquals(evals.get(k)[1], trainLoss.get(k), 1e-6, "loss at step " + k);
            assertEquals(evalErr.get(k - 1), trainErr.get(k), 1e-6, "error at step " + k); // float32 batch means
        }
        assertTrue(trainLoss.get(5) < trainLoss.get(0), "gd lowers the loss: " + trainLoss);
    }

    /**
     * {@code fullBatch} makes signgd (and adam) use the whole training set every step: its train loss and error match an
     * evaluation of the same parameters on the training set, whatever the chunk size, and no batch is sampled.
     */
    @Test
    void fullBatchSignGdSeesTheWholeTrainingSet() {
        List<double[]> evals = new ArrayList<>();
        List<Double> trainLoss = new ArrayList<>(), trainErr = new ArrayList<>(), evalErr = new ArrayList<>();
        TrainListener l = new TrainListener() {
            @Override public void onStep(int step, double loss, double g) {
                trainLoss.add(loss);
            }

            @Override public void onEval(int step, double loss, double se) {
                evals.add(new double[] {step, loss});
            }

            @Override public void onMetrics(int step, Map<String, Double> m) {
                trainErr.add(m.get("train_error"));
                evalErr.add(m.get("eval_error"));
            }
        };
        OptimizerConfig sign = OptimizerConfig.of("signgd", 0.01);
        Trainer.train(MODEL, sign, new TrainConfig(20, 6, 1, 0).withFullBatch(true), TRAIN, TRAIN, l, null);
        for (int k = 1; k < 6; k++) {
            assertEquals(evals.get(k)[1], trainLoss.get(k), 1e-6, "loss at step " + k);
            assertEquals(evalErr.get(k - 1), trainErr.get(k), 1e-6, "error at step " + k);
        }
        List<Double> other = new ArrayList<>();
        Trainer.train(MODEL, sign, new TrainConfig(48, 6, 1, 0).withFullBatch(true), TRAIN, TRAIN,
                new TrainListener() {
                    @Override public void onStep(int step, double loss, double g) {
                        other.add(loss);
                    }

                    @Override public void onEval(int step, double loss, double se) {
                    }
                }, null);
        for (int k = 0; k < 6; k++) {
            assertEquals(trainLoss.get(k), other.get(k), 1e-5, "chunking does not change full-batch step " + k);
        }
        List<Double> sampled = new ArrayList<>();
        Trainer.train(MODEL, sign, new TrainConfig(48, 6, 1, 0), TRAIN, TRAIN, new TrainListener() {
            @Override public void onStep(int step, double loss, double g) {
                sampled.add(loss);
            }

            @Override public void onEval(int step, double loss, double se) {
            }
        }, null);
        assertTrue(Math.abs(sampled.get(5) - other.get(5)) > 1e-6, "sampled batches differ from the full batch");
    }

    /** The sequence-classification family: one-hot tokens, learned positions, the whole stored sequence. */
    @Test
    void labeledSequencesTrain() {
        OrderKChain a = OrderKChain.binary(0.1, 0.2);
        OrderKChain b = OrderKChain.binary(0.8, 0.9);
        OrderKChain[] src = {a, b};
        int seqLen = 15;
        LabeledSequences train = LabeledSequences.of(MarkovSampler.sampleLabeled(src, 256, seqLen, 1, 1), 256, seqLen, 2);
        LabeledSequences eval = LabeledSequences.of(MarkovSampler.sampleLabeled(src, 128, seqLen, 2, 1), 128, seqLen, 2);
        ClassifierConfig m = ClassifierConfig.tokens(2, seqLen, 8, 2, "softmax");
        List<Double> evalErr = new ArrayList<>();
        TrainResult r = Trainer.train(m, OptimizerConfig.of("adam", 1e-2), new TrainConfig(32, 60, 20, 0), train, eval,
                new TrainListener() {
                    @Override public void onStep(int step, double loss, double g) {
                    }

                    @Override public void onEval(int step, double loss, double se) {
                    }

                    @Override public void onMetrics(int step, Map<String, Double> mm) {
                        if (mm.containsKey("eval_error")) evalErr.add(mm.get("eval_error"));
                        assertFalse(mm.containsKey("probe/value_signal"), "no probe on tokens");
                    }
                }, null);
        assertEquals(3, evalErr.size());
        assertTrue(r.finalEvalLoss() < 0.5 && evalErr.get(2) < 0.2, "learns the source: " + r + " " + evalErr);
    }

    @Test
    void mismatchedDataRejected() {
        OptimizerConfig o = OptimizerConfig.defaults();
        TrainConfig t = new TrainConfig(4, 1, 1, 0);
        PatchDataset image = PatchImageGenerator.generate(new PatchImageConfig(4, 2, 2, 1, 1), 8, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> Trainer.train(MODEL, o, t, image, image, null, null),
                "patch dim 4 vs 16");
        assertThrows(IllegalArgumentException.class, () -> Trainer.train(MODEL, o, t, TRAIN, image, null, null),
                "eval set of another shape");
        assertThrows(IllegalArgumentException.class, () -> Trainer.train(MODEL, o, t,
                dev.tdlab.core.data.MarkovGenerator.generate(dev.tdlab.core.theory.MarkovChain.binary(0.2, 0.3), 4, 3, 0),
                EVAL, null, null), "token set for the classifier");
        assertThrows(IllegalArgumentException.class, () -> Trainer.train(TrainerFeaturesTest.MODEL, o, t, (Dataset) TRAIN,
                EVAL, null, null), "patches for a next-token model");
        ClassifierConfig tok = ClassifierConfig.tokens(2, 3, 4, 1, "softmax");
        assertThrows(IllegalArgumentException.class, () -> Trainer.train(tok, o, t, TRAIN, EVAL, null, null),
                "patches for a tokens classifier");
    }
}
