package dev.tdlab.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.MarkovGenerator;
import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.makkuvaminimal.MinimalConfig;
import dev.tdlab.core.model.ModelConfig;
import dev.tdlab.core.model.Models;
import dev.tdlab.core.model.deep.DeepConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerTransformer;
import dev.tdlab.core.optim.OptimizerConfig;
import dev.tdlab.core.theory.MarkovChain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Frozen subsets, checkpoint/resume, per-step metrics, divergence. */
class TrainerFeaturesTest {

    static final MarkovChain CHAIN = MarkovChain.binary(0.2, 0.3);
    static final int T = 32;
    static final TokenDataset TRAIN = MarkovGenerator.generate(CHAIN, 512, T, 1);
    static final TokenDataset EVAL = MarkovGenerator.generate(CHAIN, 64, T, 2);
    static final SingleLayerConfig MODEL = new SingleLayerConfig(2, T, 4, 1, true, 4, true, "gaussian", 0.02);
    /** Head width 16: the fast engine's blocked attention. */
    static final SingleLayerConfig MODEL_D16 = new SingleLayerConfig(2, T, 16, 1, true, 4, true, "gaussian", 0.02);
    /** d = 32, 2 heads: every dense product of the kernels in float32 in a float32 run. */
    static final SingleLayerConfig MODEL_D32 = new SingleLayerConfig(2, T, 32, 2, true, 4, true, "gaussian", 0.02);
    /** A deep pre-LN model the deep kernels compute (auto), L = 2, d = 16, 2 heads. */
    static final DeepConfig DEEP = new DeepConfig(2, T, 16, 2, 2, "inv-sqrt-depth", 1.0, true, true, 4, true, "softmax",
            "standard", "gpt2", 0.02, Map.of());

    /** Records every callback, checkpoints as bytes. */
    static final class Log implements TrainListener {
        final List<String> lines = new ArrayList<>();
        final List<Map<String, Double>> metrics = new ArrayList<>();
        final List<byte[]> checkpoints = new ArrayList<>();
        Checkpoint last;
        int cancelAfterStep = Integer.MAX_VALUE;
        int steps;

        @Override public void onStep(int step, double trainLoss, double gradNorm) {
            steps = step;
            lines.add("step " + step + " " + Double.doubleToRawLongBits(trainLoss) + " " + Double.doubleToRawLongBits(gradNorm));
        }

        @Override public void onEval(int step, double evalLoss, double se) {
            lines.add("eval " + step + " " + Double.doubleToRawLongBits(evalLoss) + " " + Double.doubleToRawLongBits(se));
        }

        @Override public void onMetrics(int step, Map<String, Double> m) {
            metrics.add(m);
            lines.add("metrics " + step + " " + new TreeMap<>(m));
        }

        @Override public void onCheckpoint(Checkpoint c) {
            last = c;
            checkpoints.add(c.toBytes());
        }

        @Override public boolean cancelled() {
            return steps >= cancelAfterStep;
        }
    }

    static Map<String, double[]> finalParams(ModelConfig m, OptimizerConfig o, TrainConfig t) {
        Log log = new Log();
        Trainer.train(m, o, t.withCheckpointEvery(t.steps()), TRAIN, EVAL, log, null);
        assertNotNull(log.last);
        assertEquals(t.steps(), log.last.step());
        return log.last.params();
    }

    @ParameterizedTest(name = "{0} trainable={1}")
    @CsvSource({"softmax,v", "softmax,q", "gaussian,q", "linear,qk", "softmax,emb mlp", "gaussian,qkv", "softmax,head"})
    void frozenParametersStayBitIdentical(String kernel, String groups) {
        SingleLayerConfig m = MODEL.withAttention(kernel);
        List<String> trainable = List.of(groups.split(" "));
        TrainConfig t = new TrainConfig(16, 15, 15, 3).withTrainable(trainable);
        // AdamW with weight decay: decay must not touch frozen parameters either
        Map<String, double[]> after = finalParams(m, OptimizerConfig.makkuva(), t);
        Map<String, double[]> init = SingleLayerTransformer.initialParameters(m, 3);
        Set<String> learn = Set.copyOf(Models.of(m).trainable(trainable));
        assertFalse(learn.isEmpty());
        for (String name : init.keySet()) {
            boolean same = Arrays.equals(init.get(name), after.get(name));
            if (learn.contains(name)) {
                assertFalse(same, name + " is trainable and should have moved");
            } else {
                assertTrue(same, name + " is frozen and changed");
            }
        }
    }

    @Test
    void trainableSubsetsRejectWhatNamesNothing() {
        SingleLayerConfig noMlp = new SingleLayerConfig(2, T, 4, 1, false, 4, true, "gaussian", 0.02);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.train(noMlp,
                OptimizerConfig.defaults(), new TrainConfig(4, 1, 1, 0).withTrainable(List.of("mlp")), TRAIN, EVAL,
                null, null));
        assertTrue(e.getMessage().contains("'mlp'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Models.of(MODEL).trainable(List.of("wq")));
        assertTrue(e.getMessage().contains("'wq'"), e.getMessage());
        assertEquals(List.of(SingleLayerTransformer.WQ), Models.of(MODEL).trainable(List.of("layer0/attn/wq")));
        assertEquals(List.of(SingleLayerTransformer.WQ, SingleLayerTransformer.WK, SingleLayerTransformer.WV),
                Models.of(MODEL).trainable(List.of("qkv")));
    }

    /**
     * 200 steps straight vs 100, checkpoint (through bytes), resume for 100: bit-identical everything. In float32 (the
     * trainer's default): d=32 runs every dense product of the kernels in float32, d=16 and the deep model the MLP's.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"adamw-cosine", "sgd-momentum", "minimal-signgd", "adamw-cosine-d16", "adamw-cosine-deep",
        "adamw-cosine-d32"})
    void resumeContinuesBitIdentically(String which) {
        ModelConfig m = which.startsWith("minimal") ? new MinimalConfig(T, 4, 1, true, true, "base", 0.02, 0, "gaussian",
                Map.of()) : which.endsWith("d16") ? MODEL_D16 : which.endsWith("d32") ? MODEL_D32
                : which.endsWith("deep") ? DEEP : MODEL;
        OptimizerConfig o = switch (which) {
            case "adamw-cosine", "adamw-cosine-d16", "adamw-cosine-deep", "adamw-cosine-d32" ->
                    OptimizerConfig.makkuva();
            case "sgd-momentum" -> new OptimizerConfig("sgd", 0.3, 0.9, 0, 0, 1e-3, "cosine", 0.05);
            default -> new OptimizerConfig("signgd", 3e-3, 0.9, 0, 0, 1e-3, "constant", 0.1);
        };
        TrainConfig t = new TrainConfig(16, 200, 40, 9).withTrainable(List.of("all")).withCheckpointEvery(100)
                .withMetricsEvery(20);

        Log straight = new Log();
        TrainResult a = Trainer.train(m, o, t, TRAIN, EVAL, straight, null);
        assertEquals(200, a.stepsDone());
        assertEquals(2, straight.checkpoints.size());

        Log first = new Log();
        first.cancelAfterStep = 100;
        TrainResult half = Trainer.train(m, o, t, TRAIN, EVAL, first, null);
        assertTrue(half.cancelled());
        assertEquals(100, half.stepsDone());
        assertEquals(1, first.checkpoints.size());
        assertArrayEquals(straight.checkpoints.get(0), first.checkpoints.get(0), "same state at step 100");

        Checkpoint cp = Checkpoint.fromBytes(first.checkpoints.get(0));
        Log second = new Log();
        TrainResult b = Trainer.train(m, o, t, TRAIN, EVAL, second, cp);
        assertEquals(200, b.stepsDone());

        List<String> joined = new ArrayList<>(first.lines);
        joined.addAll(second.lines);
        assertEquals(straight.lines, joined, "loss, grad-norm, eval and metric curves");
        assertArrayEquals(straight.checkpoints.get(1), second.checkpoints.get(0), "parameters and optimizer state at 200");
        assertEquals(a, b);
    }

    @Test
    void checkpointOfAnotherRunRefused() {
        Log log = new Log();
        Trainer.train(MODEL, OptimizerConfig.defaults(), new TrainConfig(16, 4, 4, 0).withCheckpointEvery(2), TRAIN,
                EVAL, log, null);
        Checkpoint cp = log.last;
        assertThrows(IllegalArgumentException.class, () -> Trainer.train(MODEL, OptimizerConfig.defaults(),
                new TrainConfig(16, 4, 4, 1), TRAIN, EVAL, null, cp), "another seed");
        assertThrows(IllegalArgumentException.class, () -> Trainer.train(MODEL, OptimizerConfig.of("sgd", 0.1),
                new TrainConfig(16, 4, 4, 0), TRAIN, EVAL, null, cp), "another optimizer");
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.fromBytes(new byte[] {1, 2, 3}));
        byte[] bytes = cp.toBytes();
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.fromBytes(Arrays.copyOf(bytes, bytes.length - 3)));
    }

    /**
     * At init (std 0.02) the scores are ~0, so each query t attends uniformly over its t+1 causal keys: the mean row
     * entropy is (1/T) Σ_t ln(t+1). Parameter norms at step 1 are those of the initial parameters.
     */
    @Test
    void metricsEveryStep() {
        Log log = new Log();
        Trainer.train(MODEL, OptimizerConfig.defaults(), new TrainConfig(16, 6, 6, 4).withMetricsEvery(3), TRAIN, EVAL,
                log, null);
        assertEquals(6, log.metrics.size());
        Map<String, double[]> init = SingleLayerTransformer.initialParameters(MODEL, 4);
        Map<String, Double> m1 = log.metrics.get(0);
        assertEquals(norm(init.get(SingleLayerTransformer.WQ)), m1.get("param_norm/q"), 1e-12);
        assertEquals(Math.hypot(norm(init.get(SingleLayerTransformer.WTE)), norm(init.get(SingleLayerTransformer.WPE))),
                m1.get("param_norm/emb"), 1e-12);
        for (String g : List.of("emb", "q", "k", "v", "o", "mlp", "head")) {
            assertTrue(m1.containsKey("param_norm/" + g) && m1.get("grad_norm/" + g) > 0, g);
        }
        assertTrue(m1.containsKey("attn_entropy/layer0"), "step 1 carries the attention metrics: the state at init");
        assertFalse(log.metrics.get(1).containsKey("attn_entropy/layer0"), "step 2: not a metricsEvery step");
        double uniform = 0;
        for (int t = 0; t < T; t++) uniform += Math.log(t + 1) / T;
        double h3 = log.metrics.get(2).get("attn_entropy/layer0");
        assertEquals(uniform, h3, 1e-3, "near-uniform causal attention at init");
        assertTrue(h3 <= uniform + 1e-4, "entropy at most the uniform one (float32 rounding)");

        Log lin = new Log();
        Trainer.train(MODEL.withAttention("linear"), OptimizerConfig.defaults(), new TrainConfig(16, 3, 3, 4)
                .withMetricsEvery(1), TRAIN, EVAL, lin, null);
        assertFalse(lin.metrics.get(0).containsKey("attn_entropy/layer0"), "no entropy for the linear kernel");
    }

    @Test
    void divergenceStopsWithItsStep() {
        Log log = new Log();
        TrainResult r = Trainer.train(MODEL, OptimizerConfig.of("sgd", 1e9), new TrainConfig(16, 50, 10, 0), TRAIN,
                EVAL, log, null);
        assertTrue(r.diverged(), "diverged");
        assertTrue(r.divergedAtStep() >= 1 && r.divergedAtStep() < 50, "at " + r.divergedAtStep());
        assertEquals(r.divergedAtStep() - 1, r.stepsDone());
        assertTrue(Double.isNaN(r.finalEvalLoss()));
        assertFalse(r.cancelled());
        String lastLine = log.lines.get(log.lines.size() - 1);
        assertTrue(lastLine.startsWith("step " + r.divergedAtStep() + " "), lastLine);

        TrainResult ok = Trainer.train(MODEL, OptimizerConfig.defaults(), new TrainConfig(16, 3, 3, 0), TRAIN, EVAL,
                null);
        assertFalse(ok.diverged());
        assertEquals(-1, ok.divergedAtStep());
    }

    static double norm(double[] a) {
        double s = 0;
        for (double x : a) s += x * x;
        return Math.sqrt(s);
    }
}
