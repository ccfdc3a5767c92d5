package dev.tdlab.core.fast;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link Rows} with the Java Vector API (jdk.incubator.vector, Java 17); loaded only when that module is present. */
final class VectorRows {

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorRows() {
    }

    static int lanes() {
        return L;
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
        double s = s0.add(s1).reduceLanes(VectorOperators.ADD);
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
            DoubleVector v = DoubleVector.fromArray(S, x, xo + i).sub(shift).lanewise(VectorOperators.EXP);
            v.intoArray(x, xo + i);
            s = s.add(v);
        }
        double r = s.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            double e = Math.exp(x[xo + i] - shift);
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
        double c0 = a0.reduceLanes(VectorOperators.ADD), c1 = a1.reduceLanes(VectorOperators.ADD);
        double c2 = a2.reduceLanes(VectorOperators.ADD), c3 = a3.reduceLanes(VectorOperators.ADD);
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
        double rs = r.reduceLanes(VectorOperators.ADD);
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
        double c0 = a0.reduceLanes(VectorOperators.ADD), c1 = a1.reduceLanes(VectorOperators.ADD);
        double c2 = a2.reduceLanes(VectorOperators.ADD), c3 = a3.reduceLanes(VectorOperators.ADD);
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
