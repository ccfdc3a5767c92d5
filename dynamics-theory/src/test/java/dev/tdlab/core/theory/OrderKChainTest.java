package dev.tdlab.core.theory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Exact theory of order-k chains: against every row of shared/reference/markov-theory.md (given to 6 decimals:
 * tolerance 1e-6; 4 decimals for π₁), against closed forms to machine precision, and against constructions whose
 * answer is known (a lifted first-order chain, a noisy XOR chain).
 */
class OrderKChainTest {

    static final double TOL = 1e-6;

    @ParameterizedTest(name = "p={0} q={1}")
    @CsvSource({
            "0.2, 0.3, 0.544587, 0.673012, 0.4000",
            "0.5, 0.8, 0.619015, 0.666278, 0.3846",
            "0.3, 0.4, 0.637499, 0.682908, 0.4286",
            "0.6, 0.6, 0.673012, 0.693147, 0.5000",
            "0.1, 0.1, 0.325083, 0.693147, 0.5000",
            "0.9, 0.9, 0.325083, 0.693147, 0.5000"})
    void binaryReferenceTable(double p, double q, double entropyRate, double unigram, double pi1) {
        OrderKChain c = OrderKChain.binary(p, q);
        assertEquals(entropyRate, c.entropyRate(), TOL);
        assertEquals(unigram, c.unigramEntropy(), TOL);
        assertEquals(pi1, c.stationary()[1], 5e-5);
        double piOne = p / (p + q);
        assertEquals(piOne, c.stationary()[1], 1e-13);
        assertEquals((1 - piOne) * h(p) + piOne * h(q), c.entropyRate(), 1e-12);
        assertEquals(h(piOne), c.unigramEntropy(), 1e-12);
        assertArrayEquals(c.stationary(), c.marginal(), 1e-15);
        // first order: every target sees its predecessor, so the optimum is H exactly
        assertEquals(c.entropyRate(), c.optimalLoss(256), 1e-13); // a mean of 256 equal terms
    }

    @Test
    void threeStateReferenceTable() {
        OrderKChain c = OrderKChain.of(1, new double[][] {{0.7, 0.2, 0.1}, {0.1, 0.6, 0.3}, {0.25, 0.25, 0.5}});
        assertArrayEquals(new double[] {0.357143, 0.357143, 0.285714}, c.stationary(), TOL);
        assertEquals(0.904122, c.entropyRate(), TOL);
        assertEquals(1.093375, c.unigramEntropy(), TOL);
    }

    @Test
    void agreesWithTheFirstOrderSolver() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int v = 2; v <= 12; v++) {
            double[][] p = randomRows(rnd, v, v);
            MarkovChain a = MarkovChain.of(p);
            OrderKChain b = OrderKChain.of(1, p);
            assertArrayEquals(a.stationary(), b.stationary(), 1e-12);
            assertEquals(a.entropyRate(), b.entropyRate(), 1e-12);
            assertEquals(a.unigramEntropy(), b.unigramEntropy(), 1e-12);
        }
    }

    @Test
    void stationaryLawOfAnOrderThreeChainIsInvariant() {
        SplittableRandom rnd = new SplittableRandom(11);
        int v = 3, k = 3, n = 27;
        OrderKChain c = OrderKChain.of(k, randomRows(rnd, n, v));
        double[] pi = c.stationary();
        double[] next = new double[n];
        for (int s = 0; s < n; s++) {
            for (int y = 0; y < v; y++) next[(s % 9) * 3 + y] += pi[s] * c.probability(s, y);
        }
        assertArrayEquals(pi, next, 1e-14);
        assertEquals(1.0, java.util.Arrays.stream(pi).sum(), 1e-14);
        // the token marginal is the marginal of every position of the k-gram law
        double[] first = new double[v], last = new double[v];
        for (int s = 0; s < n; s++) {
            first[s / 9] += pi[s];
            last[s % 3] += pi[s];
        }
        assertArrayEquals(c.marginal(), first, 1e-14);
        assertArrayEquals(c.marginal(), last, 1e-14);
        // information never hurts: losses do not increase with the order seen
        double[] l = c.orderLosses();
        assertEquals(k + 1, l.length);
        for (int i = 1; i <= k; i++) assertTrue(l[i] <= l[i - 1] + 1e-15, java.util.Arrays.toString(l));
        assertEquals(l[k], c.orderLoss(k + 5));
    }

    @Test
    void aFirstOrderChainWrittenAsOrderTwoHasTheSameTheory() {
        double[][] p1 = {{0.7, 0.2, 0.1}, {0.1, 0.6, 0.3}, {0.25, 0.25, 0.5}};
        double[][] p2 = new double[9][];
        for (int s = 0; s < 9; s++) p2[s] = p1[s % 3].clone(); // the next token depends on the last token only
        OrderKChain one = OrderKChain.of(1, p1), two = OrderKChain.of(2, p2);
        assertEquals(one.entropyRate(), two.entropyRate(), 1e-13);
        assertEquals(one.entropyRate(), two.orderLoss(1), 1e-13);
        assertEquals(one.unigramEntropy(), two.unigramEntropy(), 1e-13);
        double[] pi2 = two.stationary();
        double[] pi1 = one.stationary();
        for (int s = 0; s < 9; s++) assertEquals(pi1[s / 3] * p1[s / 3][s % 3], pi2[s], 1e-14, "2-gram " + s);
    }

    /** x_t = x_{t-2} XOR x_{t-1} XOR Bernoulli(eps): H_2 = h(eps), and one token alone says nothing: H_1 = H_0 = ln 2. */
    @Test
    void noisyXorHasClosedForms() {
        double eps = 0.1;
        double[][] rows = new double[4][];
        for (int s = 0; s < 4; s++) {
            int x = (s >> 1) ^ (s & 1);
            rows[s] = x == 0 ? new double[] {1 - eps, eps} : new double[] {eps, 1 - eps};
        }
        OrderKChain c = OrderKChain.of(2, rows);
        assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25}, c.stationary(), 1e-15);
        assertEquals(h(eps), c.entropyRate(), 1e-14);
        assertEquals(Math.log(2), c.orderLoss(1), 1e-14);
        assertEquals(Math.log(2), c.unigramEntropy(), 1e-14);
        // target 1 sees one token (ln 2), targets 2..T see two (h(eps))
        int t = 64;
        assertEquals((Math.log(2) + (t - 1) * h(eps)) / t, c.optimalLoss(t), 1e-14);
        assertEquals(Math.log(2), c.optimalLoss(1), 1e-14);
        assertArrayEquals(new int[] {1, 0}, c.tokens(2));
    }

    @Test
    void reducibleChainsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OrderKChain.of(1, new double[][] {{1, 0}, {0, 1}}));
        assertTrue(e.getMessage().contains("reducible") && e.getMessage().contains("not unique"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OrderKChain.binary(0, 0));
        // order 2: "repeat the last token" has two absorbing 2-grams, 00 and 11
        e = assertThrows(IllegalArgumentException.class, () -> OrderKChain.of(2, new double[][] {
                {1, 0}, {0.5, 0.5}, {0.5, 0.5}, {0, 1}}));
        assertTrue(e.getMessage().contains("2 closed classes of 2-grams") && e.getMessage().contains("[0, 0]"),
                e.getMessage());
    }

    @Test
    void periodicChainsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OrderKChain.of(1, new double[][] {{0, 1}, {1, 0}}));
        assertTrue(e.getMessage().contains("periodic") && e.getMessage().contains("period 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> OrderKChain.of(1, new double[][] {{0, 1, 0}, {0, 0, 1}, {1, 0, 0}}));
        assertTrue(e.getMessage().contains("period 3"), e.getMessage());
        // order 2, deterministic 0,0,1,0,0,1,...: the 2-grams cycle 00 -> 01 -> 10 -> 00 (11 is transient)
        e = assertThrows(IllegalArgumentException.class, () -> OrderKChain.of(2, new double[][] {
                {0, 1}, {1, 0}, {1, 0}, {1, 0}}));
        assertTrue(e.getMessage().contains("period 3"), e.getMessage());
    }

    @Test
    void transientStatesAreAllowed() {
        OrderKChain c = OrderKChain.binary(0, 0.3);
        assertArrayEquals(new double[] {1, 0}, c.stationary(), 0.0);
        assertEquals(0, c.entropyRate(), 0.0);
        assertEquals(0, c.unigramEntropy(), 0.0);
    }

    @Test
    void badTablesNameTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OrderKChain.of(2, new double[][] {{0.5, 0.5}, {0.5, 0.5}}));
        assertTrue(e.getMessage().contains("2^2 = 4 rows, has 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> OrderKChain.of(2, new double[][] {{0.5, 0.5}, {0.5, 0.5}, {0.5, 0.4}, {0.5, 0.5}}));
        assertTrue(e.getMessage().contains("row 2 (context [1, 0]) must sum to 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> OrderKChain.of(1, new double[][] {{1.2, -0.2}, {0.5, 0.5}}));
        assertTrue(e.getMessage().contains("P[0][0]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OrderKChain.of(1, new double[][] {{Double.NaN, 1}, {0.5, 0.5}}));
        assertThrows(IllegalArgumentException.class, () -> OrderKChain.of(0, new double[][] {{1}}));
        assertThrows(IllegalArgumentException.class, () -> OrderKChain.of(1, new double[][] {{1}}));
        e = assertThrows(IllegalArgumentException.class, () -> OrderKChain.ofFlat(13, 2, new double[1 << 14]));
        assertTrue(e.getMessage().contains("exceeds 4096"), e.getMessage());
        // a row within 1e-9 of summing to 1 is accepted and normalized
        OrderKChain c = OrderKChain.of(1, new double[][] {{0.5, 0.5 + 5e-10}, {0.5, 0.5}});
        assertEquals(1.0, c.probability(0, 0) + c.probability(0, 1), 1e-16);
    }

    @Test
    void aThousandStateChainSolvesExactly() {
        SplittableRandom rnd = new SplittableRandom(3);
        int k = 10, n = 1 << k;
        OrderKChain c = OrderKChain.of(k, randomRows(rnd, n, 2));
        double[] pi = c.stationary();
        double[] next = new double[n];
        for (int s = 0; s < n; s++) {
            for (int y = 0; y < 2; y++) next[((s << 1) | y) & (n - 1)] += pi[s] * c.probability(s, y);
        }
        double worst = 0;
        for (int s = 0; s < n; s++) worst = Math.max(worst, Math.abs(next[s] - pi[s]));
        assertTrue(worst < 1e-15, "residual " + worst);
    }

    static double[][] randomRows(SplittableRandom rnd, int rows, int v) {
        double[][] p = new double[rows][v];
        for (double[] row : p) {
            double s = 0;
            for (int j = 0; j < v; j++) s += row[j] = rnd.nextDouble() + 0.05;
            for (int j = 0; j < v; j++) row[j] /= s;
        }
        return p;
    }

    static double h(double x) {
        return -x * Math.log(x) - (1 - x) * Math.log(1 - x);
    }
}
