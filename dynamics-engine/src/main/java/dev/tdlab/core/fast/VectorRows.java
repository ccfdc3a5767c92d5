package dev.tdlab.core.fast;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Rows} with the Java Vector API (jdk.incubator.vector, Java 17); loaded only when that module is present. Only
 * lanewise add, multiply, fma, max and integer bit operations, which round alike in the API's Java fallback and in C2's
 * vector code, so the results are the same bits at every JIT tier: the exponential is {@link #exp} (the lanes of
 * {@link Rows#exp}), and lanes are summed in lane order ({@link #sum}).
 */
final class VectorRows {

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorRows() {
    }

    static int lanes() {
        return L;
    }

    /** The lanes of v summed in lane order (reduceLanes(ADD) leaves its order unspecified: not reproducible). */
    static double sum(DoubleVector v) {
        double[] a = v.toArray();
        double r = a[0];
        for (int i = 1; i < a.length; i++) r += a[i];
        return r;
    }

    /** {@link Rows#exp} on every lane, with the same operations in the same order (the same bits). */
    static DoubleVector exp(DoubleVector x) {
        x = x.max(Rows.EXP_MIN);
        DoubleVector t = x.fma(LOG2E_V, ROUND_V);
        DoubleVector n = t.sub(Rows.ROUND);
        DoubleVector nn = n.neg();
        DoubleVector r = nn.fma(LN2_HI_V, x);
        r = nn.fma(LN2_LO_V, r);
        double[] c = Rows.EXP_POLY;
        DoubleVector p = r.fma(c[0], c[1]);
        p = p.fma(r, DoubleVector.broadcast(S, c[2]));
        p = p.fma(r, DoubleVector.broadcast(S, c[3]));
        p = p.fma(r, DoubleVector.broadcast(S, c[4]));
        p = p.fma(r, DoubleVector.broadcast(S, c[5]));
        p = p.fma(r, DoubleVector.broadcast(S, c[6]));
        p = p.fma(r, DoubleVector.broadcast(S, c[7]));
        p = p.fma(r, DoubleVector.broadcast(S, c[8]));
        p = p.fma(r, DoubleVector.broadcast(S, c[9]));
        p = p.fma(r, DoubleVector.broadcast(S, c[10]));
        p = p.fma(r, ONE_V);
        p = p.fma(r, ONE_V);
        LongVector bits = t.reinterpretAsLongs().sub(Rows.ROUND_BITS - 1023).lanewise(VectorOperators.LSHL, 52);
        return p.mul(bits.reinterpretAsDoubles());
    }

    private static final DoubleVector LOG2E_V = DoubleVector.broadcast(S, 1.4426950408889634);
    private static final DoubleVector ROUND_V = DoubleVector.broadcast(S, Rows.ROUND);
    private static final DoubleVector LN2_HI_V = DoubleVector.broadcast(S, 0.6931471805599453);
    private static final DoubleVector LN2_LO_V = DoubleVector.broadcast(S, 2.3190468138462996e-17);
    private static final DoubleVector ONE_V = DoubleVector.broadcast(S, 1.0);

    static void softmaxBackInPlace(double[] p, int po, double[] g, int go, int n, double c) {
        int i = 0;
        for (int e = S.loopBound(n); i < e; i += L) {
            DoubleVector.fromArray(S, p, po + i).mul(DoubleVector.fromArray(S, g, go + i).sub(c)).intoArray(g, go + i);
        }
        for (; i < n; i++) g[go + i] = p[po + i] * (g[go + i] - c);
    }

    /** {@link Rows#gemm}: four rows of c per pass over b, 2L, L or 4 columns in registers. */
    static void gemm(double[] a, int ao, int ars, int acs, double[] b, int bo, int ldb, double[] c, int co, int ldc,
                     int m, int n, int k0, int k1, boolean acc) {
        if (!acc) {
            for (int r = 0; r < m; r++) java.util.Arrays.fill(c, co + r * ldc, co + r * ldc + n, 0.0);
        }
        int r = 0;
        for (; r + 4 <= m; r += 4) gemm4(a, ao + r * ars, ars, acs, b, bo, ldb, c, co + r * ldc, ldc, n, k0, k1);
        for (; r < m; r++) gemm1(a, ao + r * ars, acs, b, bo, ldb, c, co + r * ldc, n, k0, k1);
    }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int FL = F.length();

    static int floatLanes() {
        return FL;
    }

    /**
     * fc[m,n] = fa[m,k] fb[k,n] in float32 (fa's entry (r, x) at r·ar + x·ac) with float register tiles (the float32
     * path of {@link Rows#gemm}): four rows of fc per pass over fb, 2FL or FL columns in registers, the rest one row
     * at a time; every entry is one float fma chain over x in increasing order from 0, in the vector lanes and the
     * scalar remainder alike, so the same bits at every JIT tier. The float twin of {@link #gemm4}'s tiles (the only
     * twin).
     */
    static void gemmFloat(float[] fa, int ar, int ac, float[] fb, float[] fc, int m, int n, int k) {
        int r = 0;
        for (; r + 4 <= m; r += 4) {
            int u = 0;
            for (; u + 2 * FL <= n; u += 2 * FL) floatTile4x2(fa, r * ar, ar, ac, fb, fc, r * n + u, u, n, k);
            for (; u + FL <= n; u += FL) floatTile4x1(fa, r * ar, ar, ac, fb, fc, r * n + u, u, n, k);
            for (int q = r; q < r + 4; q++) floatScalar(fa, q * ar, ac, fb, fc, q * n, u, n, k);
        }
        for (; r < m; r++) floatScalar(fa, r * ar, ac, fb, fc, r * n, 0, n, k);
    }

    /** dst[o..o+n) = src[so..so+n) rounded to float, two double vectors into one float vector. */
    static void toFloat(double[] src, int so, float[] dst, int o, int n) {
        int i = 0;
        for (; i + FL <= n; i += FL) {
            FloatVector lo = (FloatVector) DoubleVector.fromArray(S, src, so + i)
                    .convertShape(VectorOperators.D2F, F, 0);
            FloatVector hi = (FloatVector) DoubleVector.fromArray(S, src, so + i + L)
                    .convertShape(VectorOperators.D2F, F, -1);
            lo.blend(hi, UPPER_HALF).intoArray(dst, o + i);
        }
        for (; i < n; i++) dst[o + i] = (float) src[so + i];
    }

    /** c[co..co+n) = (acc ? c : 0) + fc[fo..fo+n) (exact: float to double). */
    static void fromFloat(float[] fc, int fo, double[] c, int co, int n, boolean acc) {
        int i = 0;
        for (; i + FL <= n; i += FL) {
            FloatVector f = FloatVector.fromArray(F, fc, fo + i);
            DoubleVector lo = (DoubleVector) f.convertShape(VectorOperators.F2D, S, 0);
            DoubleVector hi = (DoubleVector) f.convertShape(VectorOperators.F2D, S, 1);
            if (acc) {
                lo = lo.add(DoubleVector.fromArray(S, c, co + i));
                hi = hi.add(DoubleVector.fromArray(S, c, co + i + L));
            }
            lo.intoArray(c, co + i);
            hi.intoArray(c, co + i + L);
        }
        for (; i < n; i++) c[co + i] = acc ? c[co + i] + fc[fo + i] : fc[fo + i];
    }

    private static final jdk.incubator.vector.VectorMask<Float> UPPER_HALF =
            jdk.incubator.vector.VectorMask.fromLong(F, -1L << (F.length() / 2));

    private static void floatTile4x2(float[] fa, int a0, int ar, int ac, float[] fb, float[] fc, int c0, int u, int n,
                                     int k) {
        int a1 = a0 + ar, a2 = a1 + ar, a3 = a2 + ar;
        FloatVector s00 = FloatVector.zero(F), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00,
                s31 = s00;
        for (int x = 0; x < k; x++) {
            int bx = x * n + u;
            FloatVector b0 = FloatVector.fromArray(F, fb, bx), b1 = FloatVector.fromArray(F, fb, bx + FL);
            FloatVector w = FloatVector.broadcast(F, fa[a0 + x * ac]);
            s00 = w.fma(b0, s00);
            s01 = w.fma(b1, s01);
            w = FloatVector.broadcast(F, fa[a1 + x * ac]);
            s10 = w.fma(b0, s10);
            s11 = w.fma(b1, s11);
            w = FloatVector.broadcast(F, fa[a2 + x * ac]);
            s20 = w.fma(b0, s20);
            s21 = w.fma(b1, s21);
            w = FloatVector.broadcast(F, fa[a3 + x * ac]);
            s30 = w.fma(b0, s30);
            s31 = w.fma(b1, s31);
        }
        s00.intoArray(fc, c0);
        s01.intoArray(fc, c0 + FL);
        s10.intoArray(fc, c0 + n);
        s11.intoArray(fc, c0 + n + FL);
        s20.intoArray(fc, c0 + 2 * n);
        s21.intoArray(fc, c0 + 2 * n + FL);
        s30.intoArray(fc, c0 + 3 * n);
        s31.intoArray(fc, c0 + 3 * n + FL);
    }

    private static void floatTile4x1(float[] fa, int a0, int ar, int ac, float[] fb, float[] fc, int c0, int u, int n,
                                     int k) {
        int a1 = a0 + ar, a2 = a1 + ar, a3 = a2 + ar;
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        for (int x = 0; x < k; x++) {
            FloatVector b0 = FloatVector.fromArray(F, fb, x * n + u);
            s0 = FloatVector.broadcast(F, fa[a0 + x * ac]).fma(b0, s0);
            s1 = FloatVector.broadcast(F, fa[a1 + x * ac]).fma(b0, s1);
            s2 = FloatVector.broadcast(F, fa[a2 + x * ac]).fma(b0, s2);
            s3 = FloatVector.broadcast(F, fa[a3 + x * ac]).fma(b0, s3);
        }
        s0.intoArray(fc, c0);
        s1.intoArray(fc, c0 + n);
        s2.intoArray(fc, c0 + 2 * n);
        s3.intoArray(fc, c0 + 3 * n);
    }

    /** Columns [u0, n) of one row of fc, FL at a time in registers, then one scalar chain each. */
    private static void floatScalar(float[] fa, int a0, int ac, float[] fb, float[] fc, int c0, int u0, int n, int k) {
        int u = u0;
        for (; u + FL <= n; u += FL) {
            FloatVector s = FloatVector.zero(F);
            for (int x = 0; x < k; x++) {
                s = FloatVector.broadcast(F, fa[a0 + x * ac]).fma(FloatVector.fromArray(F, fb, x * n + u), s);
            }
            s.intoArray(fc, c0 + u);
        }
        for (; u < n; u++) {
            float s = 0f;
            for (int x = 0; x < k; x++) s = Math.fma(fa[a0 + x * ac], fb[x * n + u], s);
            fc[c0 + u] = s;
        }
    }

    private static void gemm4(double[] a, int a0, int ars, int acs, double[] b, int bo, int ldb, double[] c, int c0,
                              int ldc, int n, int k0, int k1) {
        int a1 = a0 + ars, a2 = a1 + ars, a3 = a2 + ars;
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        int u = 0;
        for (; u + 2 * L <= n; u += 2 * L) {
            DoubleVector s00 = DoubleVector.fromArray(S, c, c0 + u), s01 = DoubleVector.fromArray(S, c, c0 + u + L);
            DoubleVector s10 = DoubleVector.fromArray(S, c, c1 + u), s11 = DoubleVector.fromArray(S, c, c1 + u + L);
            DoubleVector s20 = DoubleVector.fromArray(S, c, c2 + u), s21 = DoubleVector.fromArray(S, c, c2 + u + L);
            DoubleVector s30 = DoubleVector.fromArray(S, c, c3 + u), s31 = DoubleVector.fromArray(S, c, c3 + u + L);
            for (int x = k0; x < k1; x++) {
                int bx = bo + x * ldb + u, ax = x * acs;
                DoubleVector b0 = DoubleVector.fromArray(S, b, bx), b1 = DoubleVector.fromArray(S, b, bx + L);
                DoubleVector w = DoubleVector.broadcast(S, a[a0 + ax]);
                s00 = w.fma(b0, s00);
                s01 = w.fma(b1, s01);
                w = DoubleVector.broadcast(S, a[a1 + ax]);
                s10 = w.fma(b0, s10);
                s11 = w.fma(b1, s11);
                w = DoubleVector.broadcast(S, a[a2 + ax]);
                s20 = w.fma(b0, s20);
                s21 = w.fma(b1, s21);
                w = DoubleVector.broadcast(S, a[a3 + ax]);
                s30 = w.fma(b0, s30);
                s31 = w.fma(b1, s31);
            }
            s00.intoArray(c, c0 + u);
            s01.intoArray(c, c0 + u + L);
            s10.intoArray(c, c1 + u);
            s11.intoArray(c, c1 + u + L);
            s20.intoArray(c, c2 + u);
            s21.intoArray(c, c2 + u + L);
            s30.intoArray(c, c3 + u);
            s31.intoArray(c, c3 + u + L);
        }
        for (; u + L <= n; u += L) {
            DoubleVector s0 = DoubleVector.fromArray(S, c, c0 + u), s1 = DoubleVector.fromArray(S, c, c1 + u);
            DoubleVector s2 = DoubleVector.fromArray(S, c, c2 + u), s3 = DoubleVector.fromArray(S, c, c3 + u);
            for (int x = k0; x < k1; x++) {
                int ax = x * acs;
                DoubleVector b0 = DoubleVector.fromArray(S, b, bo + x * ldb + u);
                s0 = DoubleVector.broadcast(S, a[a0 + ax]).fma(b0, s0);
                s1 = DoubleVector.broadcast(S, a[a1 + ax]).fma(b0, s1);
                s2 = DoubleVector.broadcast(S, a[a2 + ax]).fma(b0, s2);
                s3 = DoubleVector.broadcast(S, a[a3 + ax]).fma(b0, s3);
            }
            s0.intoArray(c, c0 + u);
            s1.intoArray(c, c1 + u);
            s2.intoArray(c, c2 + u);
            s3.intoArray(c, c3 + u);
        }
        for (; u + 4 <= n; u += 4) {
            gemm4x4(a, a0, a1, a2, a3, acs, b, bo + u, ldb, c, c0 + u, c1 + u, c2 + u, c3 + u, k0, k1);
        }
        for (; u < n; u++) {
            double s0 = c[c0 + u], s1 = c[c1 + u], s2 = c[c2 + u], s3 = c[c3 + u];
            for (int x = k0; x < k1; x++) {
                int ax = x * acs;
                double bv = b[bo + x * ldb + u];
                s0 = Math.fma(a[a0 + ax], bv, s0);
                s1 = Math.fma(a[a1 + ax], bv, s1);
                s2 = Math.fma(a[a2 + ax], bv, s2);
                s3 = Math.fma(a[a3 + ax], bv, s3);
            }
            c[c0 + u] = s0;
            c[c1 + u] = s1;
            c[c2 + u] = s2;
            c[c3 + u] = s3;
        }
    }

    /** A 4x4 tile of c as 16 scalar fma chains (independent, so not bound by the fma latency as one chain is). */
    private static void gemm4x4(double[] a, int a0, int a1, int a2, int a3, int acs, double[] b, int bo, int ldb,
                                double[] c, int c0, int c1, int c2, int c3, int k0, int k1) {
        double s00 = c[c0], s01 = c[c0 + 1], s02 = c[c0 + 2], s03 = c[c0 + 3];
        double s10 = c[c1], s11 = c[c1 + 1], s12 = c[c1 + 2], s13 = c[c1 + 3];
        double s20 = c[c2], s21 = c[c2 + 1], s22 = c[c2 + 2], s23 = c[c2 + 3];
        double s30 = c[c3], s31 = c[c3 + 1], s32 = c[c3 + 2], s33 = c[c3 + 3];
        for (int x = k0; x < k1; x++) {
            int bx = bo + x * ldb, ax = x * acs;
            double b0 = b[bx], b1 = b[bx + 1], b2 = b[bx + 2], b3 = b[bx + 3];
            double w = a[a0 + ax];
            s00 = Math.fma(w, b0, s00);
            s01 = Math.fma(w, b1, s01);
            s02 = Math.fma(w, b2, s02);
            s03 = Math.fma(w, b3, s03);
            w = a[a1 + ax];
            s10 = Math.fma(w, b0, s10);
            s11 = Math.fma(w, b1, s11);
            s12 = Math.fma(w, b2, s12);
            s13 = Math.fma(w, b3, s13);
            w = a[a2 + ax];
            s20 = Math.fma(w, b0, s20);
            s21 = Math.fma(w, b1, s21);
            s22 = Math.fma(w, b2, s22);
            s23 = Math.fma(w, b3, s23);
            w = a[a3 + ax];
            s30 = Math.fma(w, b0, s30);
            s31 = Math.fma(w, b1, s31);
            s32 = Math.fma(w, b2, s32);
            s33 = Math.fma(w, b3, s33);
        }
        c[c0] = s00;
        c[c0 + 1] = s01;
        c[c0 + 2] = s02;
        c[c0 + 3] = s03;
        c[c1] = s10;
        c[c1 + 1] = s11;
        c[c1 + 2] = s12;
        c[c1 + 3] = s13;
        c[c2] = s20;
        c[c2 + 1] = s21;
        c[c2 + 2] = s22;
        c[c2 + 3] = s23;
        c[c3] = s30;
        c[c3 + 1] = s31;
        c[c3 + 2] = s32;
        c[c3 + 3] = s33;
    }

    private static void gemm1(double[] a, int a0, int acs, double[] b, int bo, int ldb, double[] c, int c0, int n,
                              int k0, int k1) {
        int u = 0;
        for (; u + L <= n; u += L) {
            DoubleVector s0 = DoubleVector.fromArray(S, c, c0 + u);
            for (int x = k0; x < k1; x++) {
                s0 = DoubleVector.broadcast(S, a[a0 + x * acs]).fma(DoubleVector.fromArray(S, b, bo + x * ldb + u), s0);
            }
            s0.intoArray(c, c0 + u);
        }
        for (; u + 4 <= n; u += 4) {
            double s0 = c[c0 + u], s1 = c[c0 + u + 1], s2 = c[c0 + u + 2], s3 = c[c0 + u + 3];
            for (int x = k0; x < k1; x++) {
                double w = a[a0 + x * acs];
                int bx = bo + x * ldb + u;
                s0 = Math.fma(w, b[bx], s0);
                s1 = Math.fma(w, b[bx + 1], s1);
                s2 = Math.fma(w, b[bx + 2], s2);
                s3 = Math.fma(w, b[bx + 3], s3);
            }
            c[c0 + u] = s0;
            c[c0 + u + 1] = s1;
            c[c0 + u + 2] = s2;
            c[c0 + u + 3] = s3;
        }
        for (; u < n; u++) {
            double s0 = c[c0 + u];
            for (int x = k0; x < k1; x++) s0 = Math.fma(a[a0 + x * acs], b[bo + x * ldb + u], s0);
            c[c0 + u] = s0;
        }
    }

    static void mulSet(double a, double[] x, int xo, double[] y, int yo, int n) {
        int i = 0;
        for (int e = S.loopBound(n); i < e; i += L) {
            DoubleVector.fromArray(S, x, xo + i).mul(a).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = a * x[xo + i];
    }

    static void axpy(double a, double[] x, int xo, double[] y, int yo, int n) {
        int i = 0;
        DoubleVector av = DoubleVector.broadcast(S, a);
        for (int e = S.loopBound(n); i < e; i += L) {
            DoubleVector.fromArray(S, x, xo + i).fma(av, DoubleVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += a * x[xo + i];
    }

    static double dot(double[] x, int xo, double[] y, int yo, int n) {
        int i = 0;
        DoubleVector s0 = DoubleVector.zero(S), s1 = DoubleVector.zero(S);
        for (int e = n - 2 * L; i <= e; i += 2 * L) {
            s0 = DoubleVector.fromArray(S, x, xo + i).fma(DoubleVector.fromArray(S, y, yo + i), s0);
            s1 = DoubleVector.fromArray(S, x, xo + i + L).fma(DoubleVector.fromArray(S, y, yo + i + L), s1);
        }
        for (int e = S.loopBound(n); i < e; i += L) {
            s0 = DoubleVector.fromArray(S, x, xo + i).fma(DoubleVector.fromArray(S, y, yo + i), s0);
        }
        double s = sum(s0.add(s1));
        for (; i < n; i++) s += x[xo + i] * y[yo + i];
        return s;
    }

    static double max(double[] x, int xo, int n) {
        int i = 0;
        DoubleVector m = DoubleVector.broadcast(S, Double.NEGATIVE_INFINITY);
        for (int e = S.loopBound(n); i < e; i += L) m = m.max(DoubleVector.fromArray(S, x, xo + i));
        double r = m.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) r = Math.max(r, x[xo + i]);
        return r;
    }

    static double expShiftSum(double[] x, int xo, int n, double shift) {
        int i = 0;
        DoubleVector s = DoubleVector.zero(S);
        for (int e = S.loopBound(n); i < e; i += L) {
            DoubleVector v = exp(DoubleVector.fromArray(S, x, xo + i).sub(shift));
            v.intoArray(x, xo + i);
            s = s.add(v);
        }
        double r = sum(s);
        for (; i < n; i++) {
            double e = Rows.exp(x[xo + i] - shift);
            x[xo + i] = e;
            r += e;
        }
        return r;
    }

    static void scale(double[] x, int xo, int n, double a) {
        int i = 0;
        for (int e = S.loopBound(n); i < e; i += L) {
            DoubleVector.fromArray(S, x, xo + i).mul(a).intoArray(x, xo + i);
        }
        for (; i < n; i++) x[xo + i] *= a;
    }

    static void softmaxBack(double[] p, int po, double[] dp, double[] ds, int n, double c) {
        int i = 0;
        for (int e = S.loopBound(n); i < e; i += L) {
            DoubleVector.fromArray(S, p, po + i).mul(DoubleVector.fromArray(S, dp, i).sub(c)).intoArray(ds, i);
        }
        for (; i < n; i++) ds[i] = p[po + i] * (dp[i] - c);
    }

    static void combine(double[] c, int co, int k, double[] b, int bo, int ld, double[] y, int yo, int n, boolean acc) {
        int u = 0;
        for (; u + 2 * L <= n; u += 2 * L) {
            DoubleVector s0 = acc ? DoubleVector.fromArray(S, y, yo + u) : DoubleVector.zero(S);
            DoubleVector s1 = acc ? DoubleVector.fromArray(S, y, yo + u + L) : DoubleVector.zero(S);
            for (int x = 0; x < k; x++) {
                DoubleVector a = DoubleVector.broadcast(S, c[co + x]);
                int r = bo + x * ld + u;
                s0 = DoubleVector.fromArray(S, b, r).fma(a, s0);
                s1 = DoubleVector.fromArray(S, b, r + L).fma(a, s1);
            }
            s0.intoArray(y, yo + u);
            s1.intoArray(y, yo + u + L);
        }
        for (; u + L <= n; u += L) {
            DoubleVector s0 = acc ? DoubleVector.fromArray(S, y, yo + u) : DoubleVector.zero(S);
            for (int x = 0; x < k; x++) {
                s0 = DoubleVector.fromArray(S, b, bo + x * ld + u).fma(DoubleVector.broadcast(S, c[co + x]), s0);
            }
            s0.intoArray(y, yo + u);
        }
        for (; u < n; u++) {
            double s = acc ? y[yo + u] : 0.0;
            for (int x = 0; x < k; x++) s += c[co + x] * b[bo + x * ld + u];
            y[yo + u] = s;
        }
    }

    static void normalizeContext4(double[] p, int po, int n, double inv, double[] v, int vb, int ld, double[] out) {
        DoubleVector a0 = DoubleVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int u = 0;
        for (int e = S.loopBound(n); u < e; u += L) {
            DoubleVector a = DoubleVector.fromArray(S, p, po + u).mul(inv);
            a.intoArray(p, po + u);
            a0 = a.fma(DoubleVector.fromArray(S, v, vb + u), a0);
            a1 = a.fma(DoubleVector.fromArray(S, v, vb + ld + u), a1);
            a2 = a.fma(DoubleVector.fromArray(S, v, vb + 2 * ld + u), a2);
            a3 = a.fma(DoubleVector.fromArray(S, v, vb + 3 * ld + u), a3);
        }
        double c0 = sum(a0), c1 = sum(a1), c2 = sum(a2), c3 = sum(a3);
        for (; u < n; u++) {
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

    static double backValues4(double[] p, int po, int n, double[] g, int go, double[] v, double[] dv, int vb, int ld,
                              double[] dp) {
        double g0 = g[go], g1 = g[go + 1], g2 = g[go + 2], g3 = g[go + 3];
        DoubleVector r = DoubleVector.zero(S);
        int u = 0;
        for (int e = S.loopBound(n); u < e; u += L) {
            DoubleVector a = DoubleVector.fromArray(S, p, po + u);
            DoubleVector x = DoubleVector.fromArray(S, v, vb + u).mul(g0)
                    .add(DoubleVector.fromArray(S, v, vb + ld + u).mul(g1))
                    .add(DoubleVector.fromArray(S, v, vb + 2 * ld + u).mul(g2))
                    .add(DoubleVector.fromArray(S, v, vb + 3 * ld + u).mul(g3));
            x.intoArray(dp, u);
            r = a.fma(x, r);
            a.fma(DoubleVector.broadcast(S, g0), DoubleVector.fromArray(S, dv, vb + u)).intoArray(dv, vb + u);
            a.fma(DoubleVector.broadcast(S, g1), DoubleVector.fromArray(S, dv, vb + ld + u)).intoArray(dv, vb + ld + u);
            a.fma(DoubleVector.broadcast(S, g2), DoubleVector.fromArray(S, dv, vb + 2 * ld + u)).intoArray(dv, vb + 2 * ld + u);
            a.fma(DoubleVector.broadcast(S, g3), DoubleVector.fromArray(S, dv, vb + 3 * ld + u)).intoArray(dv, vb + 3 * ld + u);
        }
        double rs = sum(r);
        for (; u < n; u++) {
            double a = p[po + u];
            double x = g0 * v[vb + u] + g1 * v[vb + ld + u] + g2 * v[vb + 2 * ld + u] + g3 * v[vb + 3 * ld + u];
            dp[u] = x;
            rs += a * x;
            dv[vb + u] += g0 * a;
            dv[vb + ld + u] += g1 * a;
            dv[vb + 2 * ld + u] += g2 * a;
            dv[vb + 3 * ld + u] += g3 * a;
        }
        return rs;
    }

    static void backKeys4(double[] p, int po, int n, double[] dp, double c, double[] q, int qo, double[] k, double[] dk,
                          int kb, int ld, double[] out) {
        double q0 = q[qo], q1 = q[qo + 1], q2 = q[qo + 2], q3 = q[qo + 3];
        DoubleVector a0 = DoubleVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int u = 0;
        for (int e = S.loopBound(n); u < e; u += L) {
            DoubleVector s = DoubleVector.fromArray(S, p, po + u).mul(DoubleVector.fromArray(S, dp, u).sub(c));
            a0 = s.fma(DoubleVector.fromArray(S, k, kb + u), a0);
            a1 = s.fma(DoubleVector.fromArray(S, k, kb + ld + u), a1);
            a2 = s.fma(DoubleVector.fromArray(S, k, kb + 2 * ld + u), a2);
            a3 = s.fma(DoubleVector.fromArray(S, k, kb + 3 * ld + u), a3);
            s.fma(DoubleVector.broadcast(S, q0), DoubleVector.fromArray(S, dk, kb + u)).intoArray(dk, kb + u);
            s.fma(DoubleVector.broadcast(S, q1), DoubleVector.fromArray(S, dk, kb + ld + u)).intoArray(dk, kb + ld + u);
            s.fma(DoubleVector.broadcast(S, q2), DoubleVector.fromArray(S, dk, kb + 2 * ld + u)).intoArray(dk, kb + 2 * ld + u);
            s.fma(DoubleVector.broadcast(S, q3), DoubleVector.fromArray(S, dk, kb + 3 * ld + u)).intoArray(dk, kb + 3 * ld + u);
        }
        double c0 = sum(a0), c1 = sum(a1), c2 = sum(a2), c3 = sum(a3);
        for (; u < n; u++) {
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
