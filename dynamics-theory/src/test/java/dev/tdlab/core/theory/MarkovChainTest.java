package dev.tdlab.core.theory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Against every row of shared/reference/markov-theory.md (figures given to 6 decimals: tolerance 1e-6). */
class MarkovChainTest {

    static final double TOL = 1e-6;

    @ParameterizedTest(name = "p={0} q={1}")
    @CsvSource({
            "0.2, 0.3, 0.544587, 0.673012, 0.4000",
            "0.5, 0.8, 0.619015, 0.666278, 0.3846",
            "0.3, 0.4, 0.637499, 0.682908, 0.4286",
            "0.6, 0.6, 0.673012, 0.693147, 0.5000",
            "0.1, 0.1, 0.325083, 0.693147, 0.5000",
            "0.9, 0.9, 0.325083, 0.693147, 0.5000"})
    void binaryTable(double p, double q, double entropyRate, double unigram, double pi1) {
        MarkovChain c = MarkovChain.binary(p, q);
        assertEquals(2, c.vocab());
        assertEquals(entropyRate, c.entropyRate(), TOL);
        assertEquals(unigram, c.unigramEntropy(), TOL);
        double[] pi = c.stationary();
        assertEquals(pi1, pi[1], 5e-5); // the table gives pi_1 to 4 decimals
        // closed forms, to machine precision
        assertEquals(p / (p + q), pi[1], 1e-12);
        assertEquals(q / (p + q), pi[0], 1e-12);
        assertEquals(pi[0] * h(p) + pi[1] * h(q), c.entropyRate(), 1e-12);
        assertEquals(h(pi[1]), c.unigramEntropy(), 1e-12);
    }

    @Test
    void threeStateTable() {
        MarkovChain c = MarkovChain.of(new double[][] {{0.7, 0.2, 0.1}, {0.1, 0.6, 0.3}, {0.25, 0.25, 0.5}});
        assertEquals(3, c.vocab());
        assertArrayEquals(new double[] {0.357143, 0.357143, 0.285714}, c.stationary(), TOL);
        assertEquals(0.904122, c.entropyRate(), TOL);
        assertEquals(1.093375, c.unigramEntropy(), TOL);
        // pi P = pi to machine precision
        double[] pi = c.stationary();
        double[][] p = c.transition();
        for (int j = 0; j < 3; j++) {
            double s = 0;
            for (int i = 0; i < 3; i++) s += pi[i] * p[i][j];
            assertEquals(pi[j], s, 1e-14);
        }
    }

    @Test
    void reducibleChainRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MarkovChain.of(new double[][] {{1, 0}, {0, 1}}));
        assertTrue(e.getMessage().contains("reducible") && e.getMessage().contains("not unique"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MarkovChain.binary(0, 0));
        assertThrows(IllegalArgumentException.class, () -> MarkovChain.of(new double[][] {
                {0.5, 0.5, 0, 0}, {0.5, 0.5, 0, 0}, {0, 0, 0.5, 0.5}, {0, 0, 0.5, 0.5}}));
    }

    @Test
    void periodicChainRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MarkovChain.of(new double[][] {{0, 1}, {1, 0}}));
        assertTrue(e.getMessage().contains("periodic") && e.getMessage().contains("period 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MarkovChain.binary(1, 1));
        // a 3-cycle
        e = assertThrows(IllegalArgumentException.class,
                () -> MarkovChain.of(new double[][] {{0, 1, 0}, {0, 0, 1}, {1, 0, 0}}));
        assertTrue(e.getMessage().contains("period 3"), e.getMessage());
    }

    @Test
    void uniqueLawWithTransientStateAccepted() {
        // state 0 absorbing, state 1 transient: unique stationary law (1, 0), entropy rate 0
        MarkovChain c = MarkovChain.binary(0, 0.3);
        assertArrayEquals(new double[] {1, 0}, c.stationary(), 1e-15);
        assertEquals(0, c.entropyRate(), 1e-15);
        assertEquals(0, c.unigramEntropy(), 1e-15);
    }

    @Test
    void badMatricesRejected() {
        assertThrows(IllegalArgumentException.class, () -> MarkovChain.of(null));
        assertThrows(IllegalArgumentException.class, () -> MarkovChain.of(new double[][] {{1}}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MarkovChain.of(new double[][] {{0.5, 0.4}, {0.3, 0.7}}));
        assertTrue(e.getMessage().contains("row 0 must sum to 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MarkovChain.of(new double[][] {{1.2, -0.2}, {0.3, 0.7}}));
        assertTrue(e.getMessage().contains("P[0][0]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MarkovChain.of(new double[][] {{0.5, 0.5}, {0.5}}));
        assertThrows(IllegalArgumentException.class, () -> MarkovChain.of(new double[][] {{0.5, 0.5}, null}));
        assertThrows(IllegalArgumentException.class, () -> MarkovChain.of(new double[][] {{Double.NaN, 1}, {0.5, 0.5}}));
        assertThrows(IllegalArgumentException.class, () -> MarkovChain.binary(1.5, 0.2));
        assertThrows(IllegalArgumentException.class, () -> MarkovChain.binary(0.2, Double.NaN));
    }

    @Test
    void immutable() {
        double[][] p = {{0.7, 0.3}, {0.4, 0.6}};
        MarkovChain c = MarkovChain.of(p);
        p[0][0] = 0;
        c.transition()[0][0] = 0;
        c.stationary()[0] = 0;
        assertEquals(0.7, c.transition()[0][0]);
        assertEquals(4.0 / 7, c.stationary()[0], 1e-15);
    }

    private static double h(double x) {
        return -x * Math.log(x) - (1 - x) * Math.log(1 - x);
    }
}
