package dev.tdlab.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.MarkovGenerator;
import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.singlelayer.SingleLayerConfig;
import dev.tdlab.core.optim.OptimizerConfig;
import dev.tdlab.core.theory.MarkovChain;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** End-to-end: the single-layer transformer learns a binary Markov chain down to its entropy rate. */
class SingleLayerTrainingTest {

    static final MarkovChain CHAIN = MarkovChain.binary(0.2, 0.3); // H = 0.544587, U = 0.673012
    static final int T = 32;
    static final TokenDataset TRAIN = MarkovGenerator.generate(CHAIN, 2048, T, 1);
    static final TokenDataset EVAL = MarkovGenerator.generate(CHAIN, 256, T, 2);
    static final SingleLayerConfig MODEL = new SingleLayerConfig(2, T, 4, 1, true, 4, true, "gaussian", 0.02);

    /** Records everything a listener sees. */
    static final class Recorder implements TrainListener {
        final List<double[]> steps = new ArrayList<>();
        final List<double[]> evals = new ArrayList<>();
        int cancelAfter = Integer.MAX_VALUE;

        @Override
        public void onStep(int step, double trainLoss, double gradNorm) {
            steps.add(new double[] {step, trainLoss, gradNorm});
        }

        @Override
        public void onEval(int step, double evalLoss, double evalLossStdErr) {
            evals.add(new double[] {step, evalLoss, evalLossStdErr});
        }

        @Override
        public boolean cancelled() {
            return steps.size() >= cancelAfter;
        }

        double[] flat() {
            return java.util.stream.Stream.concat(steps.stream(), evals.stream())
                    .flatMapToDouble(java.util.Arrays::stream).toArray();
        }
    }

    /**
     * Adam 3e-3, batch 16, 600 steps. The eval set's loss under the true chain (the oracle) fluctuates around H with
     * a standard deviation of about the reported stdErr, so "trained" means: eval loss &lt; H + 3 stdErr + 0.01
     * (3 stdErr: sampling noise of 256 eval sequences; 0.01 nats: optimization slack, a tenth of the H-U gap), and,
     * free of that sampling noise, within [-0.005, 0.01] of the oracle loss on the very same eval sequences.
     */
    @Test
    void learnsTheEntropyRate() {
        Recorder r = new Recorder();
        long t0 = System.nanoTime();
        TrainResult res = Trainer.train(MODEL, OptimizerConfig.of("adam", 3e-3), new TrainConfig(16, 600, 100, 0),
                TRAIN, EVAL, r);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double h = CHAIN.entropyRate(), u = CHAIN.unigramEntropy(), oracle = oracleLoss(CHAIN, EVAL);
        System.out.printf("SingleLayerTrainingTest: 600 steps in %.1f s (%.1f ms/step incl. 7 evals); final eval loss"
                        + " %.5f +- %.5f, oracle on the eval set %.5f, H %.6f, U %.6f%n", seconds, seconds * 1000 / 600,
                res.finalEvalLoss(), res.finalEvalStdErr(), oracle, h, u);

        assertEquals(600, res.stepsDone());
        assertFalse(res.cancelled());
        assertEquals(600, r.steps.size());
        // evaluations at 0, 100, ..., 600
        assertEquals(7, r.evals.size());
        assertEquals(0, r.evals.get(0)[0]);
        assertEquals(600, r.evals.get(6)[0]);
        assertEquals(res.finalEvalLoss(), r.evals.get(6)[1]);
        assertEquals(res.finalTrainLoss(), r.steps.get(599)[1]);
        // at init (std 0.02) the logits are nearly equal: loss ~ ln 2
        assertEquals(Math.log(2), r.evals.get(0)[1], 0.01);

        double loss = res.finalEvalLoss(), se = res.finalEvalStdErr();
        assertTrue(se > 0 && se < 0.02, "stdErr " + se);
        assertTrue(loss < h + 3 * se + 0.01, "eval loss " + loss + " vs entropy rate " + h + " + 3*" + se + " + 0.01");
        assertTrue(loss < u - 0.1, "eval loss " + loss + " not clearly below the unigram entropy " + u);
        assertTrue(loss - oracle < 0.01 && loss - oracle > -0.005, "eval loss " + loss + " vs oracle " + oracle);
    }

    @Test
    void deterministic() {
        Recorder a = new Recorder(), b = new Recorder();
        TrainConfig tc = new TrainConfig(16, 60, 20, 5);
        OptimizerConfig oc = OptimizerConfig.makkuva();
        Trainer.train(MODEL, oc, tc, TRAIN, EVAL, a);
        Trainer.train(MODEL, oc, tc, TRAIN, EVAL, b);
        assertEquals(60, a.steps.size());
        assertArrayEquals(a.flat(), b.flat(), 0.0); // bit-identical loss, grad-norm and eval curves

        Recorder c = new Recorder();
        Trainer.train(MODEL, oc, new TrainConfig(16, 60, 20, 6), TRAIN, EVAL, c);
        assertFalse(java.util.Arrays.equals(a.flat(), c.flat()), "another seed gives another run");
    }

    @Test
    void cancellationStopsEarly() {
        Recorder r = new Recorder();
        r.cancelAfter = 7;
        TrainResult res = Trainer.train(MODEL, OptimizerConfig.defaults(), new TrainConfig(16, 100, 5, 0), TRAIN,
                EVAL, r);
        assertTrue(res.cancelled());
        assertEquals(7, res.stepsDone());
        assertEquals(7, r.steps.size());
        assertEquals(r.evals.get(r.evals.size() - 1)[1], res.finalEvalLoss()); // the eval at step 5
        assertEquals(5, r.evals.get(r.evals.size() - 1)[0]);
    }

    @Test
    void everyOptimizerLowersTheLoss() {
        TokenDataset small = MarkovGenerator.generate(CHAIN, 64, T, 3);
        for (OptimizerConfig oc : List.of(OptimizerConfig.of("sgd", 0.5), OptimizerConfig.of("gd", 0.5),
                OptimizerConfig.of("signgd", 3e-3), OptimizerConfig.of("adamw", 3e-3).withSchedule("cosine", 0.1))) {
            Recorder r = new Recorder();
            TrainResult res = Trainer.train(MODEL, oc, new TrainConfig(16, 40, 40, 0), small, EVAL, r);
            double first = r.evals.get(0)[1];
            assertTrue(res.finalEvalLoss() < first - 0.005, oc.name() + ": " + first + " -> " + res.finalEvalLoss());
        }
    }

    @Test
    void mismatchedDataRejected() {
        TokenDataset other = MarkovGenerator.generate(CHAIN, 4, 16, 0);
        assertThrows(IllegalArgumentException.class, () -> Trainer.train(MODEL, OptimizerConfig.defaults(),
                new TrainConfig(4, 1, 1, 0), other, EVAL, null));
    }

    /** Mean of -ln P(x_{t+1} | x_t) over every target of the set: the Bayes-optimal loss on these very sequences. */
    static double oracleLoss(MarkovChain chain, TokenDataset ds) {
        double[][] p = chain.transition();
        double s = 0;
        for (int i = 0; i < ds.numSequences(); i++) {
            for (int t = 0; t < ds.seqLen(); t++) s -= Math.log(p[ds.token(i, t)][ds.token(i, t + 1)]);
        }
        return s / ((double) ds.numSequences() * ds.seqLen());
    }
}
