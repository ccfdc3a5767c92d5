package dev.tdlab.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.MarkovGenerator;
import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.deep.DeepConfig;
import dev.tdlab.core.optim.OptimizerConfig;
import dev.tdlab.core.theory.MarkovChain;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The deep family through the Trainer: its metrics (rank collapse, per-layer Q/K/V gradient norms), resume. */
class DeepTrainingTest {

    static final MarkovChain CHAIN = MarkovChain.binary(0.2, 0.3);
    static final int T = 16;
    static final TokenDataset TRAIN = MarkovGenerator.generate(CHAIN, 256, T, 1);
    static final TokenDataset EVAL = MarkovGenerator.generate(CHAIN, 32, T, 2);
    /** V=2, T=16, d=8, 2 heads, L=3, r=1/sqrt(3), pre-LN, MLP, tied, softmax, standard, gpt2 0.1. */
    static final DeepConfig MODEL = new DeepConfig(2, T, 8, 2, 3, "inv-sqrt-depth", 1.0, true, true, 2, true,
            "softmax", "standard", "gpt2", 0.1, Map.of());

    /** Records steps, evaluations and metrics as lines (bit-exact), metrics maps and checkpoints. */
    static final class Log implements TrainListener {
        final List<String> lines = new java.util.ArrayList<>();
        final List<Map<String, Double>> metrics = new java.util.ArrayList<>();
        final List<byte[]> checkpoints = new java.util.ArrayList<>();

        @Override public void onStep(int step, double trainLoss, double gradNorm) {
            lines.add("step " + step + " " + Double.doubleToRawLongBits(trainLoss) + " "
                    + Double.doubleToRawLongBits(gradNorm));
        }

        @Override public void onEval(int step, double evalLoss, double se) {
            lines.add("eval " + step + " " + Double.doubleToRawLongBits(evalLoss));
        }

        @Override public void onMetrics(int step, Map<String, Double> m) {
            metrics.add(m);
            lines.add("metrics " + step + " " + new java.util.TreeMap<>(m));
        }

        @Override public void onCheckpoint(Checkpoint c) {
            checkpoints.add(c.toBytes());
        }
    }

    @Test
    void reportsRankCollapseAndPerLayerGradientNorms() {
        Log log = new Log();
        TrainConfig cfg = new TrainConfig(8, 30, 15, 0L).withMetricsEvery(10);
        TrainResult r = Trainer.train(MODEL, OptimizerConfig.of("adam", 1e-2), cfg, TRAIN, EVAL, log, null);
        assertEquals(30, r.stepsDone());
        assertTrue(Double.isFinite(r.finalEvalLoss()));
        assertEquals(30, log.metrics.size());
        for (int i = 0; i < 30; i++) {
            Map<String, Double> m = log.metrics.get(i);
            boolean full = i == 0 || (i + 1) % 10 == 0; // step 1: the state at init, then every metricsEvery
            assertEquals(full, m.containsKey("rank_collapse/layer2"), "step " + (i + 1));
            assertEquals(full, m.containsKey("grad_norm/layer1/q"), "step " + (i + 1));
            assertTrue(m.containsKey("grad_norm/q") && m.containsKey("param_norm/mlp"), "existing names kept");
            if (!full) continue;
            for (String k : List.of("rank_collapse/emb", "rank_collapse/layer0", "rank_collapse/layer1",
                    "rank_collapse/layer2")) {
                assertTrue(m.get(k) > 0 && m.get(k) <= 1, k + " = " + m.get(k));
            }
            for (int l = 0; l < 3; l++) {
                assertTrue(m.get("attn_entropy/layer" + l) > 0 && m.get("attn_entropy/layer" + l) <= Math.log(T));
            }
            // the per-layer norms add up (in squares) to the group norms
            for (String g : List.of("q", "k", "v")) {
                double s = 0;
                for (int l = 0; l < 3; l++) s += Math.pow(m.get("grad_norm/layer" + l + "/" + g), 2);
                assertEquals(m.get("grad_norm/" + g), Math.sqrt(s), 1e-9 * m.get("grad_norm/" + g), g);
            }
        }
    }

    @Test
    void frozenGroupsGetNoPerLayerNormAndResumeIsExact() {
        Log log = new Log();
        TrainConfig cfg = new TrainConfig(8, 20, 10, 3L).withMetricsEvery(5).withTrainable(List.of("v", "head"))
                .withCheckpointEvery(10);
        Trainer.train(MODEL, OptimizerConfig.of("sgd", 0.1), cfg, TRAIN, EVAL, log, null);
        Map<String, Double> m = log.metrics.get(4);
        assertTrue(m.containsKey("grad_norm/layer2/v"));
        assertFalse(m.containsKey("grad_norm/layer2/q"));
        assertTrue(m.containsKey("rank_collapse/layer2"));

        Log resumed = new Log();
        Checkpoint at10 = Checkpoint.fromBytes(log.checkpoints.get(0));
        Trainer.train(MODEL, OptimizerConfig.of("sgd", 0.1), cfg, TRAIN, EVAL, resumed, at10);
        int from = log.lines.indexOf(log.lines.stream().filter(s -> s.startsWith("step 11 ")).findFirst().orElseThrow());
        assertEquals(log.lines.subList(from, log.lines.size()), resumed.lines);
    }
}
