package dev.tdlab.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.theory.MarkovChain;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MarkovGeneratorTest {

    static final MarkovChain BINARY = MarkovChain.binary(0.2, 0.3);
    static final MarkovChain THREE = MarkovChain.of(new double[][] {{0.7, 0.2, 0.1}, {0.1, 0.6, 0.3}, {0.25, 0.25, 0.5}});
    /** Tolerances are this many standard errors of the estimate (a false alarm has probability ~6e-7 per check). */
    static final double Z = 5.0;

    @Test
    void deterministicInSeed() {
        TokenDataset a = MarkovGenerator.generate(BINARY, 64, 32, 42);
        TokenDataset b = MarkovGenerator.generate(BINARY, 64, 32, 42);
        TokenDataset c = MarkovGenerator.generate(BINARY, 64, 32, 43);
        assertArrayEquals(a.tokens(), b.tokens());
        assertFalse(Arrays.equals(a.tokens(), c.tokens()));
        assertEquals(64 * 33, a.tokens().length);
        assertEquals(64, a.numSequences());
        assertEquals(32, a.seqLen());
        assertEquals(2, a.vocab());
        // a smaller dataset with the same seed is a prefix
        TokenDataset prefix = MarkovGenerator.generate(BINARY, 10, 32, 42);
        assertArrayEquals(prefix.tokens(), Arrays.copyOf(a.tokens(), 10 * 33));
        // token(seq, pos) reads row-major rows of seqLen+1 tokens
        assertEquals(a.tokens()[5 * 33 + 32], a.token(5, 32));
        assertThrows(IndexOutOfBoundsException.class, () -> a.token(0, 33));
    }

    @Test
    void binaryFrequenciesMatchTheory() {
        checkAgainstTheory(BINARY, 1 << 13, 127, 1); // 1,048,576 tokens
    }

    @Test
    void threeStateFrequenciesMatchTheory() {
        checkAgainstTheory(THREE, 1 << 13, 127, 2);
    }

    /**
     * Over N ~ 1e6 tokens: each empirical transition frequency P^_ij = n_ij / n_i against P_ij with standard error
     * sqrt(P_ij (1-P_ij) / n_i); the first-token frequencies against pi with sqrt(pi (1-pi) / numSequences); the
     * empirical conditional entropy -sum n_ij/N ln P^_ij against the entropy rate, with the standard error of the
     * plug-in estimate, sqrt(Var(-ln P(x_t+1 | x_t)) / N) (the chain mixes in a few steps, so the i.i.d. formula is a
     * fair scale; Z = 5 leaves room for the small correlation and the O(1/N) plug-in bias).
     */
    private static void checkAgainstTheory(MarkovChain chain, int n, int seqLen, long seed) {
        TokenDataset ds = MarkovGenerator.generate(chain, n, seqLen, seed);
        int v = chain.vocab();
        double[][] p = chain.transition();
        double[] pi = chain.stationary();
        long[][] counts = new long[v][v];
        long[] first = new long[v];
        long total = 0;
        for (int s = 0; s < n; s++) {
            first[ds.token(s, 0)]++;
            for (int t = 0; t < seqLen; t++) {
                counts[ds.token(s, t)][ds.token(s, t + 1)]++;
                total++;
            }
        }
        assertTrue(total >= 1_000_000);
        double entropy = 0, varTerm = 0;
        for (int i = 0; i < v; i++) {
            long ni = Arrays.stream(counts[i]).sum();
            assertTrue(ni > 0);
            double fi = (double) first[i] / n;
            assertEquals(pi[i], fi, Z * Math.sqrt(pi[i] * (1 - pi[i]) / n), "first-token frequency of " + i);
            for (int j = 0; j < v; j++) {
                double pHat = (double) counts[i][j] / ni;
                double se = Math.sqrt(p[i][j] * (1 - p[i][j]) / ni);
                assertEquals(p[i][j], pHat, Z * se, "P[" + i + "][" + j + "]");
                if (counts[i][j] > 0) entropy -= (double) counts[i][j] / total * Math.log(pHat);
                double lnp = Math.log(p[i][j]);
                varTerm += pi[i] * p[i][j] * lnp * lnp;
            }
        }
        double h = chain.entropyRate();
        double sd = Math.sqrt(varTerm - h * h);
        assertEquals(h, entropy, Z * sd / Math.sqrt(total), "empirical entropy rate");
    }

    @Test
    void badArgumentsRejected() {
        assertThrows(IllegalArgumentException.class, () -> MarkovGenerator.generate(null, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> MarkovGenerator.generate(BINARY, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> MarkovGenerator.generate(BINARY, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new TokenDataset(new byte[5], 2, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new TokenDataset(new byte[] {0, 2}, 1, 1, 2));
        TokenDataset ok = new TokenDataset(new byte[] {0, 1, 1, 0}, 2, 1, 2);
        assertEquals(1, ok.token(1, 0));
    }
}
