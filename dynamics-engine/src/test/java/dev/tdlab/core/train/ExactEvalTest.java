package dev.tdlab.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.MarkovSampler;
import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.makkuvaminimal.MinimalConfig;
import dev.tdlab.core.model.ModelDefinition;
import dev.tdlab.core.model.Models;
import dev.tdlab.core.model.singlelayer.SingleLayerConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerTransformer;
import dev.tdlab.core.optim.OptimizerConfig;
import dev.tdlab.core.theory.ExactConditionals;
import dev.tdlab.core.theory.OrderKChain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The trainer's exact-conditional evaluation ({@link ExactEval}) on real graphs. */
class ExactEvalTest {

    static final OrderKChain CHAIN = OrderKChain.binary(0.2, 0.3);
    static final int T = 32;

    private static TrainingRun run(MinimalConfig cfg, long seed) {
        ModelDefinition def = Models.of(cfg);
        return new TrainingRun(def, OptimizerConfig.of("adamw", 1e-3), DataType.FLOAT, List.of("all"),
                def.initialParameters(seed));
    }

    /**
     * All weights 0 and the output bias ln(π1/π0): the model predicts the stationary law π at every position. Its
     * excess on a sampled eval set is Σ_x freq(x)·KL(P(x,·) ‖ π) over the contexts x of the targets, computed here by
     * hand from the counts; its expectation is U − H exactly.
     */
    @Test
    void theStationaryModelsExcessIsKlToPiPerContextAndUMinusHInExpectation() {
        double[] pi = CHAIN.stationary();
        double b = Math.log(pi[1] / pi[0]);
        MinimalConfig cfg = new MinimalConfig(T, 4, 1, true, true, "gaussian", 0.0, 0.0, "softmax",
                Map.of(SingleLayerTransformer.HEAD_BIAS, new double[] {b}));
        TrainingRun r = run(cfg, 0);
        TokenDataset eval = MarkovSampler.sample(CHAIN, 512, T, 5L, 1);
        ExactEval.Result res = ExactEval.evaluate(r, eval, ExactConditionals.of(CHAIN), 16);
        double[] table = CHAIN.table();
        double[] kl = new double[2];
        for (int x = 0; x < 2; x++) {
            for (int y = 0; y < 2; y++) kl[x] += table[x * 2 + y] * Math.log(table[x * 2 + y] / pi[y]);
        }
        long[] contexts = new long[2];
        for (int s = 0; s < eval.numSequences(); s++) for (int p = 0; p < T; p++) contexts[eval.token(s, p)]++;
        double byHand = (contexts[0] * kl[0] + contexts[1] * kl[1]) / (contexts[0] + contexts[1]);
        assertEquals(byHand, res.excess(), 1e-6); // the bias is float32: Q = π to ~1e-8
        double u = CHAIN.unigramEntropy(), h = CHAIN.entropyRate();
        assertEquals(u - h, kl[0] * pi[0] + kl[1] * pi[1], 1e-12);
        assertTrue(Math.abs(res.excess() - (u - h)) < 4 * res.excessStdErr() + 1e-6,
                "excess " + res.excess() + " vs U - H " + (u - h) + ", se " + res.excessStdErr());
        assertEquals(res.loss() - res.optimum(), res.excess(), 1e-9);
        // the optimum of a first-order chain is H at every target: its only spread is which context comes up
        assertTrue(Math.abs(res.optimum() - h) < 4 * res.optimumStdErr() + 1e-12);
    }

    /** Any model: excess ≥ 0, loss = optimum + excess, and the sampled-token loss estimates the same expectation. */
    @Test
    void excessIsNonNegativeAndTheSampledLossAgreesInExpectation() {
        TokenDataset eval = MarkovSampler.sample(OrderKChain.binary(0.5, 0.8), 1024, T, 9L, 1);
        ExactConditionals.Law law = ExactConditionals.of(OrderKChain.binary(0.5, 0.8));
        for (long seed = 0; seed < 3; seed++) {
            TrainingRun r = run(new MinimalConfig(T, 8, 1, true, true, "lowrank", 0.02, 0.0, "softmax", Map.of()), seed);
            ExactEval.Result res = ExactEval.evaluate(r, eval, law, 16);
            double[] sampled = r.evaluate(eval, 16);
            assertTrue(res.excess() >= 0, "excess " + res.excess());
            assertEquals(res.loss() - res.optimum(), res.excess(), 1e-9);
            assertTrue(Math.abs(sampled[0] - res.loss()) < 4 * sampled[1],
                    "sampled " + sampled[0] + " ± " + sampled[1] + " vs exact " + res.loss());
            assertTrue(res.lossStdErr() < sampled[1], "the exact loss is the less noisy: " + res.lossStdErr()
                    + " vs " + sampled[1]);
        }
    }

    /** A one-hot V = 3 model: softmax of the logits. */
    @Test
    void oneHotModelsToo() {
        OrderKChain chain = OrderKChain.of(1, new double[][] {{0.7, 0.2, 0.1}, {0.1, 0.6, 0.3}, {0.25, 0.25, 0.5}});
        TokenDataset eval = MarkovSampler.sample(chain, 128, 16, 3L, 1);
        SingleLayerConfig cfg = SingleLayerConfig.of(3, 16, 4);
        ModelDefinition def = Models.of(cfg);
        TrainingRun r = new TrainingRun(def, OptimizerConfig.of("adam", 1e-3), DataType.FLOAT, List.of("all"),
                def.initialParameters(1));
        ExactEval.Result res = ExactEval.evaluate(r, eval, ExactConditionals.of(chain), 16);
        double[] sampled = r.evaluate(eval, 16);
        assertTrue(res.excess() >= 0);
        assertTrue(Math.abs(sampled[0] - res.loss()) < 4 * sampled[1]);
    }

    /** Fresh sampling: each training sequence once, in order; the trainer reports the exact metrics at every eval. */
    @Test
    void theTrainerReportsExactMetricsAndFreshSamplingUsesEachSequenceOnce() {
        int steps = 6, batch = 4;
        TokenDataset train = MarkovSampler.sample(CHAIN, steps * batch, T, 1L, 1);
        TokenDataset eval = MarkovSampler.sample(CHAIN, 64, T, 2L, 1);
        MinimalConfig cfg = MinimalConfig.of(T, 4, "base");
        List<Map<String, Double>> evals = new ArrayList<>();
        TrainListener l = new TrainListener() {
            @Override
            public void onStep(int step, double trainLoss, double gradNorm) {
            }

            @Override
            public void onEval(int step, double evalLoss, double evalLossStdErr) {
            }

            @Override
            public void onMetrics(int step, Map<String, Double> metrics) {
                if (metrics.containsKey(ExactEval.LOSS)) evals.add(new HashMap<>(metrics));
            }
        };
        TrainConfig fresh = new TrainConfig(batch, steps, 3, 0L).withFresh(true);
        Trainer.train(cfg, OptimizerConfig.of("adamw", 2e-3), fresh, train, eval, l, null,
                ExactConditionals.of(CHAIN));
        assertEquals(3, evals.size()); // steps 0 (the init), 3 and 6
        for (Map<String, Double> m : evals) {
            assertTrue(m.get(ExactEval.EXCESS) >= 0);
            assertEquals(CHAIN.entropyRate(), m.get(ExactEval.OPTIMUM), 4 * m.get(ExactEval.OPTIMUM_SE) + 1e-12);
        }
        TrainResult a = Trainer.train(cfg, OptimizerConfig.of("adamw", 2e-3), fresh, train, eval, null, null, (ExactConditionals.Law) null);
        TrainResult b = Trainer.train(cfg, OptimizerConfig.of("adamw", 2e-3), fresh, train, eval, null, null, (ExactConditionals.Law) null);
        assertEquals(a.finalEvalLoss(), b.finalEvalLoss(), 0); // deterministic
    }

    /**
     * Under the fast engine (no SameDiff graph for training) the exact-conditional eval still reads the model's logits
     * (from a graph given the current parameters), and agrees with the SameDiff engine run for run.
     */
    @Test
    void exactMetricsUnderTheFastEngineAgreeWithSameDiff() {
        SingleLayerConfig cfg = SingleLayerConfig.of(2, T, 4);
        TokenDataset train = MarkovSampler.sample(CHAIN, 256, T, 1L, 1);
        TokenDataset eval = MarkovSampler.sample(CHAIN, 64, T, 2L, 1);
        ExactConditionals.Law law = ExactConditionals.of(CHAIN);
        List<Map<String, Double>> seen = new ArrayList<>();
        for (String engine : List.of("fast", "samediff")) {
            Map<String, Double> last = new HashMap<>();
            TrainConfig t = new TrainConfig(8, 20, 10, 0L).withEngine(engine);
            Trainer.train(cfg, OptimizerConfig.of("adam", 1e-2), t, train, eval, new TrainListener() {
                public void onStep(int step, double loss, double gradNorm) { }
                public void onEval(int step, double loss, double se) { }
                @Override
                public void onMetrics(int step, Map<String, Double> metrics) {
                    if (metrics.containsKey(ExactEval.EXCESS)) {
                        last.clear();
                        last.putAll(metrics);
                    }
                }
            }, null, law);
            assertTrue(last.containsKey(ExactEval.LOSS), engine + ": no exact metrics");
            assertTrue(last.get(ExactEval.EXCESS) >= -1e-6, engine + ": excess " + last.get(ExactEval.EXCESS));
            seen.add(last);
        }
        assertEquals(seen.get(1).get(ExactEval.LOSS), seen.get(0).get(ExactEval.LOSS), 1e-4, "eval_exact_loss fast vs samediff");
        assertEquals(seen.get(1).get(ExactEval.EXCESS), seen.get(0).get(ExactEval.EXCESS), 1e-4, "eval_excess fast vs samediff");
    }
}
