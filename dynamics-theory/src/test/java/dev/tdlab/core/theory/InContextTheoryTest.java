package dev.tdlab.core.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.InContextMarkovSampler;
import dev.tdlab.core.data.Streams;
import dev.tdlab.core.data.TokenDataset;
import org.junit.jupiter.api.Test;

/**
 * The Bayes-optimal (add-α) loss of the in-context family: the exact DP against brute-force enumeration, the Monte
 * Carlo against the exact DP, and both against the add-α loss measured on data from the sampler. Statistical checks:
 * Z = 5 combined standard errors (independent sequences).
 */
class InContextTheoryTest {

    static final double Z = 5.0;

    /** Enumerates all 2^(T+1) binary sequences with their mixture probability (Beta-Binomial closed form). */
    @Test
    void exactDynamicProgramMatchesEnumeration() {
        for (double alpha : new double[] {0.3, 1.0, 2.5}) {
            int seqLen = 7;
            double[] brute = new double[seqLen];
            for (int bits = 0; bits < 1 << (seqLen + 1); bits++) {
                int[] x = new int[seqLen + 1];
                for (int t = 0; t <= seqLen; t++) x[t] = (bits >> t) & 1;
                int[][] n = new int[2][2];
                double prob = 0.5;
                double[] loss = new double[seqLen];
                for (int t = 1; t <= seqLen; t++) {
                    int c = x[t - 1];
                    double pred = (n[c][x[t]] + alpha) / (n[c][0] + n[c][1] + 2 * alpha);
                    prob *= pred; // the predictive is the mixture's conditional law: the product is P(x)
                    loss[t - 1] = -Math.log(pred);
                    n[c][x[t]]++;
                }
                for (int t = 0; t < seqLen; t++) brute[t] += prob * loss[t];
            }
            InContextTheory.Result r = InContextTheory.exactBinary(alpha, seqLen);
            for (int t = 0; t < seqLen; t++) assertEquals(brute[t], r.positionLoss()[t], 1e-13, "alpha " + alpha + " t " + (t + 1));
            assertEquals(Math.log(2), r.positionLoss()[0], 1e-15);
        }
    }

    /** The mixture probabilities used above sum to 1 (the chain rule of the predictive): a check of the check. */
    @Test
    void predictiveChainRuleIsANormalizedLaw() {
        double alpha = 0.7, total = 0;
        for (int bits = 0; bits < 1 << 6; bits++) {
            int[][] n = new int[2][2];
            double prob = 0.5;
            for (int t = 1; t < 6; t++) {
                int c = (bits >> (t - 1)) & 1, y = (bits >> t) & 1;
                prob *= (n[c][y] + alpha) / (n[c][0] + n[c][1] + 2 * alpha);
                n[c][y]++;
            }
            total += prob;
        }
        assertEquals(1.0, total, 1e-14);
    }

    @Test
    void monteCarloAgreesWithTheExactProgram() {
        int seqLen = 64;
        InContextTheory.Result exact = InContextTheory.exactBinary(1.0, seqLen);
        InContextTheory.Result mc = InContextTheory.monteCarlo(1, 2, 1.0, seqLen, 5L, 20000);
        Estimate e = mc.optimalLoss();
        assertTrue(e.stdErr() > 0 && e.stdErr() < 2e-3, "stdErr " + e.stdErr());
        assertEquals(exact.optimalLoss().value(), e.value(), Z * e.stdErr());
        for (int t : new int[] {0, 1, 10, 63}) {
            assertEquals(exact.positionLoss()[t], mc.positionLoss()[t], Z * mc.positionStdErr()[t] + 1e-12, "t " + (t + 1));
        }
        // learning in context: the loss falls with the position, from ln 2 towards the entropy rate
        assertTrue(exact.positionLoss()[63] < exact.positionLoss()[10] && exact.positionLoss()[10] < exact.positionLoss()[0]);
    }

    @Test
    void samplerDataHasTheTheoreticalAddAlphaLoss() {
        check(1, 2, 1.0, 64);   // against the exact program
        check(1, 3, 0.5, 48);   // against the Monte Carlo
        check(2, 2, 2.0, 48);   // order 2
    }

    private static void check(int order, int vocab, double alpha, int seqLen) {
        int n = 8192;
        TokenDataset ds = InContextMarkovSampler.sample(order, vocab, alpha, n, seqLen, Streams.key(9, "train"), 2);
        int states = (int) Math.pow(vocab, order);
        double[] perSeq = new double[n];
        for (int s = 0; s < n; s++) {
            int[][] counts = new int[states][vocab];
            double sum = 0;
            for (int t = 1; t <= seqLen; t++) {
                if (t < order) {
                    sum += Math.log(vocab);
                    continue;
                }
                int ctx = 0;
                for (int j = t - order; j < t; j++) ctx = ctx * vocab + ds.token(s, j);
                int tot = 0;
                for (int c : counts[ctx]) tot += c;
                int y = ds.token(s, t);
                sum -= Math.log((counts[ctx][y] + alpha) / (tot + vocab * alpha));
                counts[ctx][y]++;
            }
            perSeq[s] = sum / seqLen;
        }
        double[] ms = Entropies.meanAndStdErr(perSeq);
        InContextTheory.Result th = InContextTheory.compute(order, vocab, alpha, seqLen, 77L);
        double se = Math.hypot(ms[1], th.optimalLoss().stdErr());
        assertEquals(th.optimalLoss().value(), ms[0], Z * se, "order " + order + " vocab " + vocab + " alpha " + alpha);
        assertEquals(Math.log(vocab), th.unigramEntropy(), 0.0);
        assertTrue(th.optimalLoss().value() < Math.log(vocab));
        // a single shared chain would be learned faster: the mixture's loss is well above its entropy rate at this T
        assertNotNull(th.entropyRate());
        assertTrue(th.entropyRate().value() < th.optimalLoss().value());
    }

    /** E_P[H(P)] for Beta(1,1) rows: a 2-D integral of (q h(p) + p h(q)) / (p + q) over the unit square. */
    @Test
    void mixtureEntropyRateMatchesNumericalIntegration() {
        int grid = 2000;
        double sum = 0;
        for (int i = 0; i < grid; i++) {
            for (int j = 0; j < grid; j++) {
                double p = (i + 0.5) / grid, q = (j + 0.5) / grid;
                sum += (q * Entropies.h(p) + p * Entropies.h(q)) / (p + q);
            }
        }
        double integral = sum / ((double) grid * grid);
        Estimate e = InContextTheory.entropyRate(1, 2, 1.0, 3L);
        assertNotNull(e);
        // midpoint rule error ~1e-6 here, far below the Monte Carlo error
        assertEquals(integral, e.value(), Z * e.stdErr() + 1e-5);
        assertNull(InContextTheory.entropyRate(3, 8, 1.0, 3L), "V^k > 256 is not computed");
    }
}
