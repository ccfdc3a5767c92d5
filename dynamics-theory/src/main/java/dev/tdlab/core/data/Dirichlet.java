package dev.tdlab.core.data;

/**
 * Dirichlet(α, ..., α) rows from a counter stream (see {@link Streams}), through Gamma variates by Marsaglia and
 * Tsang's method (2000). For α < 1 the Gamma variate is G(α+1)·U^(1/α), computed in log space and normalized by the
 * row's largest log so that rows with tiny α (most mass on one entry) do not underflow to all zeros; entries that
 * are below e^-745 of the largest do become exactly 0.
 */
public final class Dirichlet {

    private Dirichlet() {
    }

    /**
     * Fills {@code out[from .. from+v)} with one Dirichlet(α·1_v) row; {@code counter[0]} is the stream counter,
     * advanced by the draws used.
     */
    public static void row(double alpha, int v, long[] counter, double[] out, int from) {
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("dirichlet alpha must be a positive finite number, got " + alpha);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) {
            double lg = logGamma(alpha, counter);
            out[from + j] = lg;
            max = Math.max(max, lg);
        }
        double sum = 0;
        for (int j = 0; j < v; j++) {
            double x = Math.exp(out[from + j] - max);
            out[from + j] = x;
            sum += x;
        }
        for (int j = 0; j < v; j++) {
            out[from + j] /= sum;
        }
    }

    /**
     * A random transition table of V^k rows, each Dirichlet(α·1_V), row-major: row {@code s} is drawn from item
     * {@code s} of the counter stream under {@code key}, so each row can be reproduced alone.
     */
    public static double[] table(int order, int vocab, double alpha, long key) {
        if (order < 1 || vocab < 2) throw new IllegalArgumentException("order must be >= 1 and vocab >= 2");
        long states = 1;
        for (int i = 0; i < order; i++) states *= vocab;
        if (states * vocab > (1 << 24)) throw new IllegalArgumentException("table too large: " + states * vocab + " entries");
        double[] t = new double[(int) (states * vocab)];
        long[] ctr = new long[1];
        for (int s = 0; s < states; s++) {
            ctr[0] = Streams.itemCounter(key, s);
            row(alpha, vocab, ctr, t, s * vocab);
        }
        return t;
    }

    /** ln of a Gamma(shape, 1) variate. */
    static double logGamma(double shape, long[] counter) {
        if (shape >= 1) {
            return Math.log(gammaAtLeastOne(shape, counter));
        }
        double g = gammaAtLeastOne(shape + 1, counter);
        long c = counter[0] + Streams.GAMMA;
        counter[0] = c;
        double u = Streams.unitDoubleOpen0(Streams.mix64(c));
        return Math.log(g) + Math.log(u) / shape;
    }

    /** Gamma(shape, 1) for shape >= 1: Marsaglia–Tsang squeeze and exact log test. */
    static double gammaAtLeastOne(double shape, long[] counter) {
        double d = shape - 1.0 / 3.0;
        double c = 1.0 / Math.sqrt(9.0 * d);
        for (;;) {
            double x = Normal.next(counter);
            double v = 1.0 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            long k = counter[0] + Streams.GAMMA;
            counter[0] = k;
            double u = Streams.unitDoubleOpen0(Streams.mix64(k));
            double x2 = x * x;
            if (u < 1.0 - 0.0331 * x2 * x2) {
                return d * v;
            }
            if (Math.log(u) < 0.5 * x2 + d * (1.0 - v + Math.log(v))) {
                return d * v;
            }
        }
    }
}
