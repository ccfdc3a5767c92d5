package dev.tdlab.core.fast;

/**
 * The row operations and the small blocked matrix product the kernels spend their time in, on slices of double arrays:
 * with the Java Vector API ({@link VectorRows}) when the JVM runs with {@code --add-modules jdk.incubator.vector}
 * (unless {@code -Dtdlab.fast.vector=false}), else as plain loops. The choice is made once per JVM ({@link #VECTOR}, a
 * constant the JIT folds).
 *
 * <p>Both paths are bit-reproducible: the same inputs give the same bits in the interpreter, C1 and C2, so two
 * identical runs agree to the last bit and a resumed checkpoint continues bit-identically
 * ({@code TrainerFeaturesTest.resumeContinuesBitIdentically}). They use only operations that every tier rounds alike:
 * add, multiply, fused multiply-add ({@code Math.fma}, the vector {@code fma}), max, and integer bit operations. So the
 * exponential is {@link #exp}, written with those (no {@code Math.exp} intrinsic, no SVML), and a vector's lanes are
 * summed in lane order ({@link VectorRows}), never by {@code reduceLanes(ADD)} (its order is unspecified). Every entry of
 * {@link #gemm} is one fma chain in a fixed order, so its plain and vector paths give the same bits; the row sums of the
 * two paths differ in their order (each is fixed).
 */
final class Rows {

    /** Whether the Vector API is used. */
    static final boolean VECTOR = vectorAvailable();

    private Rows() {
    }

    private static boolean vectorAvailable() {
        if ("false".equals(System.getProperty("tdlab.fast.vector"))) return false;
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return false;
        try {
            return VectorRows.lanes() > 1;
        } catch (LinkageError e) {
            return false;
        }
    }

    private static final double LOG2E = 1.4426950408889634, LN2_HI = 0.6931471805599453, LN2_LO = 2.3190468138462996e-17;
    /** 1.5·2⁵²: adding it rounds to an integer held in the low mantissa bits. */
    static final double ROUND = 0x1.8p52;
    static final long ROUND_BITS = Double.doubleToRawLongBits(ROUND);
    /** Below this exp's result would be subnormal; arguments are clamped to it (exp(−708) ≈ 3e−308, i.e. 0 here). */
    static final double EXP_MIN = -708.0;
    /** 1/k!, k = 12 down to 2: exp(r) on |r| ≤ ln2/2 to ~1 ulp by Horner. */
    static final double[] EXP_POLY = {1.0 / 479001600, 1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880, 1.0 / 40320,
        1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5};

    /**
     * e^x for x ≤ 0 (the shifted scores of a softmax), to ~1 ulp, from fma, multiply and bit operations only, so that
     * every JIT tier and {@link VectorRows#exp} give the same bits: x = n·ln2 + r, e^x = 2ⁿ·e^r with e^r a degree-12
     * Taylor polynomial. Arguments below {@link #EXP_MIN} are clamped to it; NaN stays NaN.
     */
    static double exp(double x) {
        x = Math.max(x, EXP_MIN);
        double t = Math.fma(x, LOG2E, ROUND);
        double n = t - ROUND;
        double r = Math.fma(-n, LN2_HI, x);
        r = Math.fma(-n, LN2_LO, r);
        double p = EXP_POLY[0];
        for (int i = 1; i < EXP_POLY.length; i++) p = Math.fma(p, r, EXP_POLY[i]);
        p = Math.fma(p, r, 1.0);
        p = Math.fma(p, r, 1.0);
        long bits = (Double.doubleToRawLongBits(t) - ROUND_BITS + 1023) << 52;
        return p * Double.longBitsToDouble(bits);
    }

    /**
     * c[r·ldc + u] = (acc ? c[r·ldc + u] : 0) + Σ_{x∈[k0,k1)} a[ao + r·ars + x·acs] · b[bo + x·ldb + u] for r &lt; m,
     * u &lt; n (offset co): a small matrix product; a is read through strides (a row-major operand: ars = its row length,
     * acs = 1; a transposed one: ars = 1, acs = its row length). Each entry is one fma chain over x in increasing
     * order, in both paths alike. The vector path computes four rows of c per pass over b, in register tiles.
     */
    static void gemm(double[] a, int ao, int ars, int acs, double[] b, int bo, int ldb, double[] c, int co, int ldc,
                     int m, int n, int k0, int k1, boolean acc) {
        if (VECTOR) VectorRows.gemm(a, ao, ars, acs, b, bo, ldb, c, co, ldc, m, n, k0, k1, acc);
        else gemmPlain(a, ao, ars, acs, b, bo, ldb, c, co, ldc, m, n, k0, k1, acc);
    }

    /**
     * {@link #gemm} with the products in float32 when {@code f32} (the runs whose dtype is float32) and the product is
     * wide enough to gain from the float lanes (n ≥ {@link #floatMinWidth}, on the Vector API), else the float64
     * {@link #gemm}. The float32 path rounds the operands' slices to float once per call (O(mk + kn) against the O(mkn)
     * product), computes each entry as one float fma chain over x in increasing order from 0
     * ({@link VectorRows#gemmFloat}), and writes the result back as double (c = product, or c + product when acc).
     */
    static void gemm(double[] a, int ao, int ars, int acs, double[] b, int bo, int ldb, double[] c, int co, int ldc,
                     int m, int n, int k0, int k1, boolean acc, boolean f32) {
        if (!f32 || n < floatMinWidth()) {
            gemm(a, ao, ars, acs, b, bo, ldb, c, co, ldc, m, n, k0, k1, acc);
            return;
        }
        int k = k1 - k0;
        FloatScratch s = FLOAT_SCRATCH.get();
        float[] fa = s.a(m * k), fb = s.b(k * n), fc = s.c(m * n);
        // a's slice keeps its orientation (rows of a, or rows of aᵀ when a is read transposed), so that every
        // conversion is a unit-stride vector loop (scalar conversions cost about as much as the float product)
        int far, fac;
        if (acs == 1) {
            far = k;
            fac = 1;
            for (int r = 0; r < m; r++) VectorRows.toFloat(a, ao + r * ars + k0, fa, r * k, k);
        } else if (ars == 1) {
            far = 1;
            fac = m;
            for (int x = 0; x < k; x++) VectorRows.toFloat(a, ao + (k0 + x) * acs, fa, x * m, m);
        } else {
            far = k;
            fac = 1;
            for (int r = 0; r < m; r++) {
                for (int x = 0; x < k; x++) fa[r * k + x] = (float) a[ao + r * ars + (k0 + x) * acs];
            }
        }
        for (int x = 0; x < k; x++) VectorRows.toFloat(b, bo + (k0 + x) * ldb, fb, x * n, n);
        VectorRows.gemmFloat(fa, far, fac, fb, fc, m, n, k);
        for (int r = 0; r < m; r++) VectorRows.fromFloat(fc, r * n, c, co + r * ldc, n, acc);
    }

    /**
     * Narrowest product the float32 path of {@link #gemm} takes: two float vectors (32 columns with AVX-512). Narrower
     * products gain nothing from the float lanes (one float vector of accumulators per row keeps half as many fma
     * chains in flight as the float64 tile of the same width; fewer columns than a vector are scalar chains), and
     * without the Vector API neither do the scalar loops; those stay float64.
     */
    static int floatMinWidth() {
        return VECTOR ? 2 * VectorRows.floatLanes() : Integer.MAX_VALUE;
    }

    /** Per-thread float buffers of {@link #gemm}'s float32 path, grown on demand. */
    private static final ThreadLocal<FloatScratch> FLOAT_SCRATCH = ThreadLocal.withInitial(FloatScratch::new);

    private static final class FloatScratch {
        private float[] a = new float[0], b = new float[0], c = new float[0];

        float[] a(int n) {
            if (a.length < n) a = new float[n];
            return a;
        }

        float[] b(int n) {
            if (b.length < n) b = new float[n];
            return b;
        }

        float[] c(int n) {
            if (c.length < n) c = new float[n];
            return c;
        }
    }

    /** {@link #gemm} as plain loops. */
    static void gemmPlain(double[] a, int ao, int ars, int acs, double[] b, int bo, int ldb, double[] c, int co, int ldc,
                          int m, int n, int k0, int k1, boolean acc) {
        for (int r = 0; r < m; r++) {
            int cr = co + r * ldc, ar = ao + r * ars;
            if (!acc) for (int u = 0; u < n; u++) c[cr + u] = 0.0;
            for (int x = k0; x < k1; x++) {
                double w = a[ar + x * acs];
                int bx = bo + x * ldb;
                for (int u = 0; u < n; u++) c[cr + u] = Math.fma(w, b[bx + u], c[cr + u]);
            }
        }
    }

    /** g[go+u] = p[po+u] (g[go+u] − c) in place (the softmax backward of a row). */
    static void softmaxBackInPlace(double[] p, int po, double[] g, int go, int n, double c) {
        if (VECTOR && n >= 8) {
            VectorRows.softmaxBackInPlace(p, po, g, go, n, c);
            return;
        }
        for (int i = 0; i < n; i++) g[go + i] = p[po + i] * (g[go + i] - c);
    }

    /** y = a x. */
    static void mulSet(double a, double[] x, int xo, double[] y, int yo, int n) {
        if (VECTOR && n >= 8) {
            VectorRows.mulSet(a, x, xo, y, yo, n);
            return;
        }
        for (int i = 0; i < n; i++) y[yo + i] = a * x[xo + i];
    }

    /** y += a x. */
    static void axpy(double a, double[] x, int xo, double[] y, int yo, int n) {
        if (VECTOR && n >= 8) {
            VectorRows.axpy(a, x, xo, y, yo, n);
            return;
        }
        for (int i = 0; i < n; i++) y[yo + i] += a * x[xo + i];
    }

    /** Σ x y. */
    static double dot(double[] x, int xo, double[] y, int yo, int n) {
        if (VECTOR && n >= 16) return VectorRows.dot(x, xo, y, yo, n);
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += x[xo + i] * y[yo + i];
            s1 += x[xo + i + 1] * y[yo + i + 1];
            s2 += x[xo + i + 2] * y[yo + i + 2];
            s3 += x[xo + i + 3] * y[yo + i + 3];
        }
        for (; i < n; i++) s0 += x[xo + i] * y[yo + i];
        return (s0 + s1) + (s2 + s3);
    }

    /** max x (−∞ for n = 0). */
    static double max(double[] x, int xo, int n) {
        if (VECTOR && n >= 16) return VectorRows.max(x, xo, n);
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) m = Math.max(m, x[xo + i]);
        return m;
    }

    /** x = exp(x − shift) in place; returns Σ x. */
    static double expShiftSum(double[] x, int xo, int n, double shift) {
        if (VECTOR && n >= 8) return VectorRows.expShiftSum(x, xo, n, shift);
        double s = 0;
        for (int i = 0; i < n; i++) {
            double e = exp(x[xo + i] - shift);
            x[xo + i] = e;
            s += e;
        }
        return s;
    }

    /** x *= a in place. */
    static void scale(double[] x, int xo, int n, double a) {
        if (VECTOR && n >= 8) {
            VectorRows.scale(x, xo, n, a);
            return;
        }
        for (int i = 0; i < n; i++) x[xo + i] *= a;
    }

    /** ds = p (dp − c). */
    static void softmaxBack(double[] p, int po, double[] dp, double[] ds, int n, double c) {
        if (VECTOR && n >= 8) {
            VectorRows.softmaxBack(p, po, dp, ds, n, c);
            return;
        }
        for (int i = 0; i < n; i++) ds[i] = p[po + i] * (dp[i] - c);
    }

    /**
     * y[u] = (acc ? y[u] : 0) + Σ_{x<k} c[co+x] b[bo + x·ld + u] for u &lt; n: a row of coefficients times a k×n block
     * of rows (leading dimension ld), accumulated in registers (matmul rows, attention score rows).
     */
    static void combine(double[] c, int co, int k, double[] b, int bo, int ld, double[] y, int yo, int n, boolean acc) {
        if (VECTOR && n >= 8) {
            VectorRows.combine(c, co, k, b, bo, ld, y, yo, n, acc);
            return;
        }
        if (!acc) for (int u = 0; u < n; u++) y[yo + u] = 0.0;
        for (int x = 0; x < k; x++) {
            double a = c[co + x];
            int r = bo + x * ld;
            for (int u = 0; u < n; u++) y[yo + u] += a * b[r + u];
        }
    }

    // ---- fused passes over one attention row for head width 4 (the reference model): v, k rows at base + j·ld

    /** p *= inv in place; out[j] = Σ_u p[u] v[vb + j·ld + u], j &lt; 4. */
    static void normalizeContext4(double[] p, int po, int n, double inv, double[] v, int vb, int ld, double[] out) {
        if (VECTOR && n >= 8) {
            VectorRows.normalizeContext4(p, po, n, inv, v, vb, ld, out);
            return;
        }
        double c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        for (int u = 0; u < n; u++) {
            double a = p[po + u] * inv;
            p[po + u] = a;
            c0 += a * v[vb + u];
            c1 += a * v[vb + ld + u];
            c2 += a * v[vb + 2 * ld + u];
            c3 += a * v[vb + 3 * ld + u];
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /**
     * Backward pass 1 of a row: dp[u] = Σ_j g[go+j] v[vb + j·ld + u]; dv[vb + j·ld + u] += g[go+j] p[u]; returns
     * Σ_u p[u] dp[u].
     */
    static double backValues4(double[] p, int po, int n, double[] g, int go, double[] v, double[] dv, int vb, int ld,
                              double[] dp) {
        if (VECTOR && n >= 8) return VectorRows.backValues4(p, po, n, g, go, v, dv, vb, ld, dp);
        double g0 = g[go], g1 = g[go + 1], g2 = g[go + 2], g3 = g[go + 3], r = 0;
        for (int u = 0; u < n; u++) {
            double a = p[po + u];
            double x = g0 * v[vb + u] + g1 * v[vb + ld + u] + g2 * v[vb + 2 * ld + u] + g3 * v[vb + 3 * ld + u];
            dp[u] = x;
            r += a * x;
            dv[vb + u] += g0 * a;
            dv[vb + ld + u] += g1 * a;
            dv[vb + 2 * ld + u] += g2 * a;
            dv[vb + 3 * ld + u] += g3 * a;
        }
        return r;
    }

    /**
     * Backward pass 2 of a row: ds[u] = p[u] (dp[u] − c); out[j] = Σ_u ds[u] k[kb + j·ld + u];
     * dk[kb + j·ld + u] += q[qo+j] ds[u].
     */
    static void backKeys4(double[] p, int po, int n, double[] dp, double c, double[] q, int qo, double[] k, double[] dk,
                          int kb, int ld, double[] out) {
        if (VECTOR && n >= 8) {
            VectorRows.backKeys4(p, po, n, dp, c, q, qo, k, dk, kb, ld, out);
            return;
        }
        double q0 = q[qo], q1 = q[qo + 1], q2 = q[qo + 2], q3 = q[qo + 3];
        double c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        for (int u = 0; u < n; u++) {
            double s = p[po + u] * (dp[u] - c);
            c0 += s * k[kb + u];
            c1 += s * k[kb + ld + u];
            c2 += s * k[kb + 2 * ld + u];
            c3 += s * k[kb + 3 * ld + u];
            dk[kb + u] += q0 * s;
            dk[kb + ld + u] += q1 * s;
            dk[kb + 2 * ld + u] += q2 * s;
            dk[kb + 3 * ld + u] += q3 * s;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }
}
