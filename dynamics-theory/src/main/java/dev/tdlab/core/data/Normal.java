package dev.tdlab.core.data;

/**
 * Standard normal variates by the ziggurat method (Marsaglia and Tsang 2000, 256 layers, the layout numpy uses): one
 * 64-bit draw gives the layer (8 bits), the sign (1 bit) and a 52-bit uniform; about 99 % of draws return at once,
 * the rest go through the exact wedge or tail test ({@link #afterReject}). The result is an exact N(0, 1) sample up to the 52-bit resolution.
 *
 * <p>Draws come from a counter (see {@link Streams}); {@link #next(long[])} advances {@code counter[0]}.
 */
final class Normal {

    /** Right edge of the base layer. */
    static final double R = 3.6541528853610087963519472518;
    /** Area of each layer. */
    static final double AREA = 0.0049286732339746519;
    private static final double M = 0x1.0p52;

    static final long[] KI = new long[256];
    static final double[] WI = new double[256];
    static final double[] FI = new double[256];

    static {
        double dn = R;
        double tn = dn;
        double q = AREA / Math.exp(-0.5 * dn * dn);
        KI[0] = (long) ((dn / q) * M);
        KI[1] = 0;
        WI[0] = q / M;
        WI[255] = dn / M;
        FI[0] = 1.0;
        FI[255] = Math.exp(-0.5 * dn * dn);
        for (int i = 254; i >= 1; i--) {
            dn = Math.sqrt(-2.0 * Math.log(AREA / dn + Math.exp(-0.5 * dn * dn)));
            KI[i + 1] = (long) ((dn / tn) * M);
            tn = dn;
            FI[i] = Math.exp(-0.5 * dn * dn);
            WI[i] = dn / M;
        }
    }

    private Normal() {
    }

    /** One N(0,1) variate; {@code counter[0]} is the stream counter, advanced by the draws used. */
    static double next(long[] counter) {
        long c = counter[0] + Streams.GAMMA;
        long r = Streams.mix64(c);
        counter[0] = c;
        long rabs = (r >>> 9) & 0x000fffffffffffffL;
        int idx = (int) (r & 0xff);
        if (rabs < KI[idx]) {
            double x = rabs * WI[idx];
            return (r & 0x100) != 0 ? -x : x;
        }
        return afterReject(r, counter);
    }

    /**
     * Finishes a sample whose first draw {@code r} (already consumed) missed the fast test: the tail beyond R for the
     * base layer (Marsaglia 1964), the exact wedge test otherwise, and a fresh sample when the wedge test fails.
     * Callers that inline the fast path of {@link #next} call this for the remaining ~1 %.
     */
    static double afterReject(long r, long[] counter) {
        for (;;) {
            int idx = (int) (r & 0xff);
            boolean negative = (r & 0x100) != 0;
            long rabs = (r >>> 9) & 0x000fffffffffffffL;
            double x = rabs * WI[idx];
            if (negative) {
                x = -x;
            }
            if (rabs < KI[idx]) {
                return x;
            }
            long c = counter[0];
            if (idx == 0) {
                for (;;) {
                    c += Streams.GAMMA;
                    double xx = -Math.log(Streams.unitDoubleOpen0(Streams.mix64(c))) / R;
                    c += Streams.GAMMA;
                    double yy = -Math.log(Streams.unitDoubleOpen0(Streams.mix64(c)));
                    if (yy + yy > xx * xx) {
                        counter[0] = c;
                        return negative ? -(R + xx) : R + xx;
                    }
                }
            }
            c += Streams.GAMMA;
            double u = Streams.unitDouble(Streams.mix64(c));
            if ((FI[idx - 1] - FI[idx]) * u + FI[idx] < Math.exp(-0.5 * x * x)) {
                counter[0] = c;
                return x;
            }
            c += Streams.GAMMA;
            r = Streams.mix64(c);
            counter[0] = c;
        }
    }
}
