package dev.tdlab.core.data;

import dev.tdlab.core.theory.MarkovChain;
import java.util.SplittableRandom;

/**
 * Samples sequences from a {@link MarkovChain}: the first token of each sequence from the stationary law, the rest
 * from the chain. Deterministic in (chain, numSequences, seqLen, seed): one {@link SplittableRandom}(seed) is consumed
 * in order (one {@code nextDouble()} per token, sequences one after another, inverse-CDF sampling), so a dataset of
 * {@code n} sequences is a prefix of the one of {@code n + m} sequences with the same seed and seqLen.
 */
public final class MarkovGenerator {

    private MarkovGenerator() {
    }

    /** {@code numSequences} sequences of {@code seqLen + 1} tokens each (context {@code seqLen}). */
    public static TokenDataset generate(MarkovChain chain, int numSequences, int seqLen, long seed) {
        if (chain == null) throw new IllegalArgumentException("chain is null");
        if (numSequences < 1) throw new IllegalArgumentException("numSequences must be >= 1, got " + numSequences);
        if (seqLen < 1) throw new IllegalArgumentException("seqLen must be >= 1, got " + seqLen);
        long total = (long) numSequences * (seqLen + 1);
        if (total > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("dataset too large: " + total + " tokens");
        int v = chain.vocab();
        double[] init = cdf(chain.stationary());
        double[][] p = chain.transition();
        double[][] rows = new double[v][];
        for (int i = 0; i < v; i++) rows[i] = cdf(p[i]);

        byte[] out = new byte[(int) total];
        SplittableRandom rnd = new SplittableRandom(seed);
        int k = 0;
        for (int s = 0; s < numSequences; s++) {
            int x = sample(init, rnd.nextDouble());
            out[k++] = (byte) x;
            for (int t = 1; t <= seqLen; t++) {
                x = sample(rows[x], rnd.nextDouble());
                out[k++] = (byte) x;
            }
        }
        return TokenDataset.wrap(out, numSequences, seqLen, v);
    }

    private static double[] cdf(double[] probs) {
        double[] c = new double[probs.length];
        double acc = 0;
        for (int i = 0; i < probs.length; i++) {
            acc += probs[i];
            c[i] = acc;
        }
        return c;
    }

    /** Smallest i with u < cdf[i] among states of positive probability; rounding at the top goes to the last one. */
    private static int sample(double[] cdf, double u) {
        int last = cdf.length - 1;
        for (int i = 0; i < last; i++) {
            if (u < cdf[i]) return i;
        }
        // cdf[last] may be 1 - 1e-16; never return a zero-probability last state
        while (last > 0 && cdf[last] == cdf[last - 1]) last--;
        return last;
    }
}
