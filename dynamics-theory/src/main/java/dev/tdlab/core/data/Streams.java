package dev.tdlab.core.data;

import java.nio.charset.StandardCharsets;

/**
 * The random streams of every generator: SplitMix64 (the generator behind {@link java.util.SplittableRandom}) used in
 * counter mode. Draw {@code t} (t = 1, 2, ...) of item {@code i} (a sequence or an example) under a key {@code K} is
 * {@code mix64(K + (i * 2^32 + t) * GAMMA)}. Because GAMMA is odd and {@code mix64} is a bijection, two different
 * (item, draw) pairs never share a counter, so items are independent streams that never overlap (up to 2^32 draws per
 * item), an item can be generated alone, and the output does not depend on the number of threads or on how the items
 * are grouped into shards. A dataset of {@code n} items is a prefix of the one of {@code n + m} items.
 *
 * <p>Keys are derived from the user's seed and a purpose name ({@code "train"}, {@code "eval"}, {@code "table"} ...),
 * so that the train and eval splits, and a random transition table, come from independent streams of one seed.
 */
public final class Streams {

    /** The SplitMix64 increment (odd; 2^64 / golden ratio). */
    public static final long GAMMA = 0x9e3779b97f4a7c15L;
    /** 2^62: the scale of the 62-bit uniforms and of the sampling thresholds. */
    public static final long ONE62 = 1L << 62;

    private Streams() {
    }

    /** Stafford's variant 13 finalizer, as in SplittableRandom: a bijection of 64-bit words with full avalanche. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The key of the substream {@code purpose} of {@code seed}. */
    public static long key(long seed, String purpose) {
        long h = 0xcbf29ce484222325L; // FNV-1a of the purpose name
        for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return mix64(mix64(seed + GAMMA) ^ h);
    }

    /** Counter of item {@code i} before its first draw: the draw is {@code mix64(counter += GAMMA)}. */
    public static long itemCounter(long key, long item) {
        return key + (item << 32) * GAMMA;
    }

    /** Uniform double in [0, 1) with 53 random bits, from one 64-bit draw. */
    static double unitDouble(long z) {
        return (z >>> 11) * 0x1.0p-53;
    }

    /** Uniform double in (0, 1] with 53 random bits (safe for ln). */
    static double unitDoubleOpen0(long z) {
        return ((z >>> 11) + 1) * 0x1.0p-53;
    }

    /**
     * Cumulative sampling thresholds of a probability vector, scaled to 2^62: {@code thr[j] = round(2^62 * sum_{i<=j}
     * prob_i / sum prob)} for {@code j < V - 1}. A 62-bit uniform {@code u} gives token {@code #{j : u >= thr[j]}}, so
     * token j has probability {@code (thr[j] - thr[j-1]) / 2^62}: prob_j up to the rounding of the
     * cumulative sums in double (~1e-16) and the 2^-62 grid; a zero probability gives two
     * equal thresholds (the running sum does not move) and is never drawn; the running sum over all V entries is the
     * normalizer itself, so trailing zeros give thresholds of exactly 2^62.
     */
    static void thresholds(double[] prob, int from, int v, long[] out, int outFrom) {
        double sum = 0;
        for (int j = 0; j < v; j++) {
            sum += prob[from + j];
        }
        double acc = 0;
        for (int j = 0; j < v - 1; j++) {
            acc += prob[from + j];
            double x = acc / sum;
            long t = x >= 1 ? ONE62 : Math.round(x * 0x1.0p62);
            out[outFrom + j] = Math.min(ONE62, Math.max(0, t));
        }
    }
}
