package dev.tdlab.core.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.MarkovSampler;
import dev.tdlab.core.data.Streams;
import dev.tdlab.core.data.TokenCodec;
import org.junit.jupiter.api.Test;

/** Bayes error of "which source made this sequence": DP against enumeration and Monte Carlo, then against data. */
class SequenceClassificationTheoryTest {

    static final double Z = 5.0;
    static final OrderKChain A = OrderKChain.binary(0.2, 0.3), B = OrderKChain.binary(0.35, 0.25);

    @Test
    void exactProgramMatchesEnumeration() {
        int seqLen = 9;
        double err = 0, xent = 0;
        for (int bits = 0; bits < 1 << (seqLen + 1); bits++) {
            double pa = A.stationary()[bits & 1], pb = B.stationary()[bits & 1];
            for (int t = 1; t <= seqLen; t++) {
                int x = (bits >> (t - 1)) & 1, y = (bits >> t) & 1;
                pa *= A.probability(x, y);
                pb *= B.probability(x, y);
            }
            err += 0.5 * Math.min(pa, pb);
            xent += 0.5 * (pa * Math.log((pa + pb) / pa) + pb * Math.log((pa + pb) / pb));
        }
        SequenceClassificationTheory.Result r = SequenceClassificationTheory.compute(new OrderKChain[] {A, B}, seqLen, 0L);
        assertTrue(r.bayesError().isExact());
        assertEquals(err, r.bayesError().value(), 1e-14);
        assertEquals(xent, r.bayesLogLoss().value(), 1e-14);
    }

    @Test
    void monteCarloAgreesWithTheProgram() {
        int seqLen = 48;
        SequenceClassificationTheory.Result exact = SequenceClassificationTheory.exactBinary(A, B, seqLen);
        SequenceClassificationTheory.Result mc = SequenceClassificationTheory.monteCarlo(new OrderKChain[] {A, B}, seqLen, 3L, 40000);
        assertEquals(exact.bayesError().value(), mc.bayesError().value(), Z * mc.bayesError().stdErr());
        assertEquals(exact.bayesLogLoss().value(), mc.bayesLogLoss().value(), Z * mc.bayesLogLoss().stdErr());
        // longer sequences are easier
        assertTrue(SequenceClassificationTheory.exactBinary(A, B, 200).bayesError().value() < exact.bayesError().value());
    }

    @Test
    void identicalSourcesCannotBeTold() {
        SequenceClassificationTheory.Result r = SequenceClassificationTheory.compute(new OrderKChain[] {A, A}, 32, 0L);
        assertEquals(0.5, r.bayesError().value(), 1e-14);
        assertEquals(Math.log(2), r.bayesLogLoss().value(), 1e-14);
        assertThrows(IllegalArgumentException.class, () -> SequenceClassificationTheory.compute(new OrderKChain[] {A}, 8, 0));
    }

    @Test
    void bayesClassifierOnSampledDataMakesTheTheoreticalError() {
        int n = 16384, seqLen = 32;
        MarkovSampler.Labeled l = MarkovSampler.sampleLabeled(new OrderKChain[] {A, B}, n, seqLen, Streams.key(6, "eval"), 2);
        byte[] tok = TokenCodec.decode(l.tokens(), 2, n * (seqLen + 1));
        long wrong = 0;
        for (int s = 0; s < n; s++) {
            int x0 = tok[s * (seqLen + 1)];
            double la = Math.log(A.stationary()[x0]), lb = Math.log(B.stationary()[x0]);
            for (int t = 1; t <= seqLen; t++) {
                int x = tok[s * (seqLen + 1) + t - 1], y = tok[s * (seqLen + 1) + t];
                la += Math.log(A.probability(x, y));
                lb += Math.log(B.probability(x, y));
            }
            int guess = la >= lb ? 0 : 1;
            if (guess != l.labels()[s]) wrong++;
        }
        double th = SequenceClassificationTheory.compute(new OrderKChain[] {A, B}, seqLen, 0L).bayesError().value();
        assertEquals(th, (double) wrong / n, Z * Math.sqrt(th * (1 - th) / n));
    }

    @Test
    void higherOrderSourcesUseMonteCarlo() {
        OrderKChain a = OrderKChain.of(2, new double[][] {{0.9, 0.1}, {0.5, 0.5}, {0.5, 0.5}, {0.1, 0.9}});
        OrderKChain b = OrderKChain.of(2, new double[][] {{0.5, 0.5}, {0.9, 0.1}, {0.1, 0.9}, {0.5, 0.5}});
        SequenceClassificationTheory.Result r = SequenceClassificationTheory.compute(new OrderKChain[] {a, b}, 16, 1L);
        assertTrue(!r.bayesError().isExact() && r.bayesError().stdErr() < 0.005, r.toString());
        assertTrue(r.bayesError().value() > 0 && r.bayesError().value() < 0.5);
    }
}
