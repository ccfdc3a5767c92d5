package dev.tdlab.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.theory.OrderKChain;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fast sampler: token for token against a plain implementation of its documented algorithm, then against the
 * exact theory on about a million tokens. Statistical checks use Z = 5 standard errors (a false alarm has probability
 * ~6e-7 per check) with standard errors taken over independent sequences (the per-sequence means), so the
 * correlation between tokens of one sequence is accounted for.
 */
class MarkovSamplerTest {

    static final double Z = 5.0;

    /** The documented algorithm, one token at a time, without any of the fast paths. */
    static int[] reference(OrderKChain c, int n, int seqLen, long key) {
        int v = c.vocab(), k = c.order(), states = c.states(), t1 = seqLen + 1;
        long[] thr = new long[states * (v - 1)];
        for (int s = 0; s < states; s++) Streams.thresholds(c.table(), s * v, v, thr, s * (v - 1));
        long[] init = new long[states - 1];
        Streams.thresholds(c.stationary(), 0, states, init, 0);
        int[] out = new int[n * t1];
        for (int i = 0; i < n; i++) {
            long ctr = Streams.itemCounter(key, i);
            ctr += Streams.GAMMA;
            long u = Streams.mix64(ctr) >>> 2;
            int s = 0;
            while (s < init.length && init[s] <= u) s++;
            int[] head = c.tokens(s);
            for (int j = 0; j < Math.min(k, t1); j++) out[i * t1 + j] = head[j];
            for (int t = k; t < t1; t++) {
                ctr += Streams.GAMMA;
                u = Streams.mix64(ctr) >>> 2;
                int y = 0;
                while (y < v - 1 && thr[s * (v - 1) + y] <= u) y++;
                out[i * t1 + t] = y;
                s = (s % (states / v)) * v + y;
            }
        }
        return out;
    }

    static int[] unsigned(byte[] b) {
        int[] r = new int[b.length];
        for (int i = 0; i < b.length; i++) r[i] = b[i] & 0xff;
        return r;
    }

    @Test
    void everyFastPathMatchesTheReference() {
        SplittableRandom rnd = new SplittableRandom(5);
        OrderKChain[] chains = {
                OrderKChain.binary(0.2, 0.3),                                    // bits, k = 1
                OrderKChain.of(3, rows(rnd, 8, 2)),                              // bits, k = 3
                OrderKChain.of(2, rows(rnd, 16, 4)),                             // bytes, V a power of two
                OrderKChain.of(2, rows(rnd, 9, 3)),                              // bytes, general V
                OrderKChain.of(1, rows(rnd, 20, 20)),                            // bytes, binary search
                OrderKChain.of(1, new double[][] {{0.5, 0, 0.5}, {0.2, 0.8, 0}, {0, 0.5, 0.5}})}; // zero entries
        for (OrderKChain c : chains) {
            for (int seqLen : new int[] {1, 2, 13, 64}) {
                int n = 301; // not a multiple of the chunk: exercises the last partial chunk and byte
                TokenDataset ds = MarkovSampler.sample(c, n, seqLen, 99L, 3);
                assertArrayEquals(reference(c, n, seqLen, 99L), unsigned(ds.tokens()), c + " seqLen " + seqLen);
            }
        }
    }

    @Test
    void deterministicPrefixClosedAndIndependentOfThreads() {
        OrderKChain c = OrderKChain.binary(0.2, 0.3);
        byte[] a = MarkovSampler.sampleEncoded(c, 1000, 31, 1L, 1);
        byte[] b = MarkovSampler.sampleEncoded(c, 1000, 31, 1L, 4);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, MarkovSampler.sampleEncoded(c, 1000, 31, 2L, 1)));
        // 1000 sequences of 32 tokens = 4000 bytes; the first 600 sequences are its first 2400 bytes
        assertEquals(4000, a.length);
        assertArrayEquals(Arrays.copyOf(a, 2400), MarkovSampler.sampleEncoded(c, 600, 31, 1L, 2));
        assertThrows(IllegalArgumentException.class, () -> MarkovSampler.sampleEncoded(c, 0, 31, 1L, 1));
        assertThrows(IllegalArgumentException.class, () -> MarkovSampler.sampleEncoded(c, 10, 0, 1L, 1));
    }

    @Test
    void zeroProbabilityTransitionsNeverHappen() {
        // state 0 absorbing and stationary: every token is 0
        TokenDataset ds = MarkovSampler.sample(OrderKChain.binary(0, 0.3), 64, 63, 3L, 2);
        for (byte b : ds.tokens()) assertEquals(0, b);
        OrderKChain c = OrderKChain.of(1, new double[][] {{0.5, 0, 0.5}, {0.2, 0.8, 0}, {0, 0.5, 0.5}});
        ds = MarkovSampler.sample(c, 512, 63, 4L, 2);
        for (int s = 0; s < 512; s++) {
            for (int t = 0; t < 63; t++) {
                assertTrue(c.probability(ds.token(s, t), ds.token(s, t + 1)) > 0, "impossible transition");
            }
        }
    }

    @Test
    void binaryChainMatchesTheoryOnAMillionTokens() {
        checkAgainstTheory(OrderKChain.binary(0.2, 0.3), 8192, 127, 11L);
    }

    @Test
    void orderThreeChainMatchesTheoryOnAMillionTokens() {
        checkAgainstTheory(OrderKChain.of(3, rows(new SplittableRandom(8), 27, 3)), 8192, 127, 12L);
    }

    @Test
    void slowlyMixingBinaryOrderTwoMatchesTheory() {
        // a sticky chain: long runs, strong correlation inside a sequence (the per-sequence errors account for it)
        checkAgainstTheory(OrderKChain.of(2, new double[][] {{0.97, 0.03}, {0.5, 0.5}, {0.4, 0.6}, {0.02, 0.98}}),
                8192, 127, 13L);
    }

    /**
     * For every k' = 0..k: the empirical cross-entropy of the theory's best k'-order predictor (its conditional law
     * computed from the stationary (k+1)-gram law) over the stationary targets k..T, against orderLoss(k'); the
     * average Bayes-optimal loss over targets 1..T against optimalLoss(T); the first k-grams against π.
     */
    static void checkAgainstTheory(OrderKChain c, int n, int seqLen, long key) {
        TokenDataset ds = MarkovSampler.sample(c, n, seqLen, key, 2);
        int k = c.order(), v = c.vocab(), states = c.states();
        double[][] cond = new double[k + 1][];
        for (int kk = 0; kk <= k; kk++) cond[kk] = conditional(c, kk);
        double[][] perSeq = new double[k + 1][n];
        double[] optimal = new double[n];
        long[] firstCounts = new long[states];
        for (int s = 0; s < n; s++) {
            int gram = 0;
            for (int j = 0; j < k; j++) gram = gram * v + ds.token(s, j);
            firstCounts[gram]++;
            for (int t = 1; t <= seqLen; t++) {
                int y = ds.token(s, t);
                for (int kk = 0; kk <= k; kk++) {
                    if (kk > t) continue;
                    int ctx = 0;
                    for (int j = t - kk; j < t; j++) ctx = ctx * v + ds.token(s, j);
                    int pow = 1;
                    for (int j = 0; j < kk; j++) pow *= v;
                    double loss = -Math.log(cond[kk][ctx * v + y]);
                    if (t >= k) perSeq[kk][s] += loss / (seqLen - k + 1);
                    if (kk == Math.min(t, k)) optimal[s] += loss / seqLen;
                }
            }
        }
        for (int kk = 0; kk <= k; kk++) {
            double[] ms = meanSe(perSeq[kk]);
            assertEquals(c.orderLoss(kk), ms[0], Z * ms[1], "order-" + kk + " loss");
        }
        double[] ms = meanSe(optimal);
        assertEquals(c.optimalLoss(seqLen), ms[0], Z * ms[1], "optimal loss over targets 1..T");
        double[] pi = c.stationary();
        for (int g = 0; g < states; g++) {
            double f = (double) firstCounts[g] / n;
            assertEquals(pi[g], f, Z * Math.sqrt(pi[g] * (1 - pi[g]) / n) + 1e-12, "first k-gram " + g);
        }
    }

    /** P(y | last kk tokens) under the stationary law, indexed [ctx * V + y]. */
    static double[] conditional(OrderKChain c, int kk) {
        int v = c.vocab(), pow = 1;
        for (int j = 0; j < kk; j++) pow *= v;
        double[] joint = new double[pow * v];
        double[] pi = c.stationary();
        for (int s = 0; s < c.states(); s++) {
            for (int y = 0; y < v; y++) joint[(s % pow) * v + y] += pi[s] * c.probability(s, y);
        }
        for (int ctx = 0; ctx < pow; ctx++) {
            double sum = 0;
            for (int y = 0; y < v; y++) sum += joint[ctx * v + y];
            for (int y = 0; y < v; y++) joint[ctx * v + y] = sum > 0 ? joint[ctx * v + y] / sum : 1.0 / v;
        }
        return joint;
    }

    @Test
    void labeledSequencesFollowTheirSource() {
        OrderKChain a = OrderKChain.binary(0.2, 0.3), b = OrderKChain.binary(0.6, 0.1);
        int n = 4096, seqLen = 63;
        MarkovSampler.Labeled l = MarkovSampler.sampleLabeled(new OrderKChain[] {a, b}, n, seqLen, 21L, 2);
        byte[] tokens = TokenCodec.decode(l.tokens(), 2, n * (seqLen + 1));
        long ones = 0;
        long[][][] counts = new long[2][2][2];
        for (int s = 0; s < n; s++) {
            ones += l.labels()[s];
            for (int t = 0; t < seqLen; t++) counts[l.labels()[s]][tokens[s * 64 + t]][tokens[s * 64 + t + 1]]++;
        }
        assertEquals(0.5, (double) ones / n, Z * Math.sqrt(0.25 / n), "label balance");
        OrderKChain[] src = {a, b};
        for (int lab = 0; lab < 2; lab++) {
            for (int x = 0; x < 2; x++) {
                long nx = counts[lab][x][0] + counts[lab][x][1];
                double p = src[lab].probability(x, 1);
                // transitions of one sequence are not independent: a generous 2x on the binomial error
                assertEquals(p, (double) counts[lab][x][1] / nx, 2 * Z * Math.sqrt(p * (1 - p) / nx), "P(1|" + x + ") of source " + lab);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> MarkovSampler.sampleLabeled(new OrderKChain[] {a}, 4, 4, 0, 1));
    }

    static double[] meanSe(double[] xs) {
        double m = 0;
        for (double x : xs) m += x;
        m /= xs.length;
        double ss = 0;
        for (double x : xs) ss += (x - m) * (x - m);
        return new double[] {m, Math.sqrt(ss / (xs.length - 1) / xs.length)};
    }

    static double[][] rows(SplittableRandom rnd, int rows, int v) {
        double[][] p = new double[rows][v];
        for (double[] row : p) {
            double s = 0;
            for (int j = 0; j < v; j++) s += row[j] = rnd.nextDouble() + 0.05;
            for (int j = 0; j < v; j++) row[j] /= s;
        }
        return p;
    }
}
