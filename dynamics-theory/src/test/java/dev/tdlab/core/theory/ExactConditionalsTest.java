package dev.tdlab.core.theory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.MarkovSampler;
import dev.tdlab.core.data.TokenDataset;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The true next-token laws of {@link ExactConditionals}, against hand-computed and closed-form values. */
class ExactConditionalsTest {

    /**
     * A model that always predicts the stationary law π has expected excess Σ_x π_x KL(P(x,·) ‖ π) = U − H exactly:
     * Σ_x π_x Σ_y P_xy ln(P_xy/π_y) = −H + Σ_y π_y (−ln π_y)... = U − H, since Σ_x π_x P_xy = π_y.
     */
    @Test
    void theStationaryModelHasExcessUMinusH() {
        double[][] tables = {{0.8, 0.2, 0.3, 0.7}, {0.7, 0.2, 0.1, 0.1, 0.6, 0.3, 0.25, 0.25, 0.5}};
        double[] expectedGap = {0.673012 - 0.544587, 1.093375 - 0.904122}; // docs/markov-theory.md, 6 digits
        for (int c = 0; c < tables.length; c++) {
            int v = c == 0 ? 2 : 3;
            OrderKChain chain = OrderKChain.ofFlat(1, v, tables[c]);
            double[] pi = chain.stationary(), table = chain.table();
            double excess = 0, ce = 0;
            for (int x = 0; x < v; x++) {
                excess += pi[x] * ExactConditionals.kl(table, tile(pi, v), x * v, v);
                ce += pi[x] * ExactConditionals.crossEntropy(table, tile(pi, v), x * v, v);
            }
            assertEquals(chain.unigramEntropy() - chain.entropyRate(), excess, 1e-12);
            assertEquals(expectedGap[c], excess, 2e-6);
            assertEquals(chain.unigramEntropy(), ce, 1e-12);
        }
    }

    @Test
    void aFirstOrderChainsLawIsTheRowOfTheLastToken() {
        ExactConditionals.Law law = ExactConditionals.of(OrderKChain.binary(0.2, 0.3));
        int[] seq = {0, 0, 1, 1, 0};
        double[] out = new double[4 * 2];
        law.targets(seq, 4, out);
        assertArrayEquals(new double[] {0.8, 0.2, 0.8, 0.2, 0.3, 0.7, 0.3, 0.7}, out, 1e-15);
    }

    @Test
    void insideTheFirstKGramTheLawIsTheStationaryConditional() {
        // order 2, binary: rows for contexts 00, 01, 10, 11
        double[] t = {0.9, 0.1, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8};
        OrderKChain chain = OrderKChain.ofFlat(2, 2, t);
        double[] pi = chain.stationary(); // over 2-grams 00, 01, 10, 11
        ExactConditionals.Law law = ExactConditionals.of(chain);
        int[] seq = {1, 0, 1, 1};
        double[] out = new double[3 * 2];
        law.targets(seq, 3, out);
        double p1 = pi[2] + pi[3];
        assertEquals(pi[2] / p1, out[0], 1e-14); // x_1 = 0 given x_0 = 1
        assertEquals(pi[3] / p1, out[1], 1e-14);
        assertArrayEquals(new double[] {0.3, 0.7}, new double[] {out[2], out[3]}, 1e-15); // context 10
        assertArrayEquals(new double[] {0.4, 0.6}, new double[] {out[4], out[5]}, 1e-15); // context 01
    }

    @Test
    void inContextLawIsThePosteriorMeanOfTheRow() {
        ExactConditionals.Law law = ExactConditionals.inContext(1, 2, 1.0);
        int[] seq = {0, 0, 1, 0, 0};
        double[] out = new double[4 * 2];
        law.targets(seq, 4, out);
        // t=1: state 0, no transition seen yet: uniform. t=2: saw 0->0: (1+1)/(1+2). t=3: state 1, none seen.
        // t=4: state 0, saw 0->0 and 0->1: (1+1)/(2+2) each.
        assertArrayEquals(new double[] {0.5, 0.5, 2.0 / 3, 1.0 / 3, 0.5, 0.5, 0.5, 0.5}, out, 1e-15);
        // order 2: the first target (t = 1 < k) is uniform
        ExactConditionals.Law law2 = ExactConditionals.inContext(2, 3, 0.5);
        double[] o2 = new double[4 * 3];
        law2.targets(new int[] {2, 1, 0, 2, 1}, 4, o2);
        assertArrayEquals(new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3}, java.util.Arrays.copyOf(o2, 3), 1e-15);
    }

    @Test
    void noisyPatchPosteriorIsTheCleanLabelUpToTheLabelNoise() {
        assertEquals(0.9, ExactConditionals.noisyPatchPositive(2.0, 2.0, 0.1), 0);
        assertEquals(0.1, ExactConditionals.noisyPatchPositive(-2.0, 2.0, 0.1), 0);
        assertEquals(0.5, ExactConditionals.noisyPatchPositive(2.0, 0.0, 0.1), 0);
    }

    @Test
    void klIsNonNegativeAndIsCrossEntropyMinusEntropy() {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 1000; i++) {
            int v = 2 + r.nextInt(6);
            double[] p = simplex(r, v), q = simplex(r, v);
            double kl = ExactConditionals.kl(p, q, 0, v);
            assertTrue(kl >= -1e-15, "KL " + kl);
            assertEquals(ExactConditionals.crossEntropy(p, q, 0, v) - ExactConditionals.entropy(p, 0, v), kl, 1e-12);
            assertEquals(0, ExactConditionals.kl(p, p, 0, v), 1e-15);
        }
    }

    /** The sampled token's log-loss averages to the exact cross-entropy: E_y[−ln Q(y)] = CE(P, Q). */
    @Test
    void theSampledTokenLossMatchesTheExactOneInExpectation() {
        OrderKChain chain = OrderKChain.binary(0.5, 0.8);
        TokenDataset ds = MarkovSampler.sample(chain, 2000, 32, 11L, 1);
        ExactConditionals.Law law = ExactConditionals.of(chain);
        double[] q = {0.6, 0.4}; // any fixed model
        int t = ds.seqLen();
        int[] seq = new int[t + 1];
        double[] truth = new double[t * 2];
        double[] diff = new double[ds.numSequences()];
        double sumSampled = 0, sumExact = 0;
        for (int s = 0; s < ds.numSequences(); s++) {
            for (int p = 0; p <= t; p++) seq[p] = ds.token(s, p);
            law.targets(seq, t, truth);
            double a = 0, b = 0;
            for (int p = 0; p < t; p++) {
                a += -Math.log(q[seq[p + 1]]);
                b += ExactConditionals.crossEntropy(truth, tileAt(q, t), p * 2, 2);
            }
            diff[s] = (a - b) / t;
            sumSampled += a / t;
            sumExact += b / t;
        }
        double mean = 0;
        for (double d : diff) mean += d;
        mean /= diff.length;
        double ss = 0;
        for (double d : diff) ss += (d - mean) * (d - mean);
        double se = Math.sqrt(ss / (diff.length - 1) / diff.length);
        assertTrue(Math.abs(mean) < 4 * se, "sampled - exact = " + mean + " with se " + se);
        assertTrue(sumSampled > 0 && sumExact > 0);
    }

    private static double[] tile(double[] pi, int v) {
        double[] out = new double[v * v];
        for (int x = 0; x < v; x++) System.arraycopy(pi, 0, out, x * v, v);
        return out;
    }

    private static double[] tileAt(double[] q, int t) {
        double[] out = new double[t * q.length];
        for (int p = 0; p < t; p++) System.arraycopy(q, 0, out, p * q.length, q.length);
        return out;
    }

    private static double[] simplex(SplittableRandom r, int v) {
        double[] p = new double[v];
        double s = 0;
        for (int i = 0; i < v; i++) {
            p[i] = -Math.log(1 - r.nextDouble());
            s += p[i];
        }
        for (int i = 0; i < v; i++) p[i] /= s;
        return p;
    }
}
