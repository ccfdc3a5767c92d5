package dev.tdlab.core.fast;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense products with the Java Vector API (jdk.incubator.vector; loaded only when that module is present), as
 * register tiles: each output row segment of 4 vectors stays in registers while the shared dimension is walked. Every
 * output entry is computed as the plain loops of {@link ClassifierKernels} compute it: s = 0, then s = s + a·b in the
 * shared index's order, each product and sum rounded on its own (mul then add, no fused multiply-add). The plain loops
 * skip zero entries of {@code a}; the tiles do not (a branch in the loop made C2 box the vector accumulators, 6x
 * slower): for finite {@code b} adding ±0 to a sum that starts at +0 changes no bit. So the results are bit-identical
 * to the plain loops at every JIT tier.
 */
final class ProductTiles {

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private ProductTiles() {
    }

    /** c[m,n] = a[m,k] b[k,n]. */
    static void matmul(double[] a, double[] b, double[] c, int m, int k, int n) {
        for (int i = 0; i < m; i++) row(a, i * k, 1, b, n, k, c, i * n);
    }

    /** c[k,n] = a[m,k]ᵀ b[m,n] (c overwritten). */
    static void matmulAt(double[] a, double[] b, double[] c, int m, int k, int n) {
        for (int p = 0; p < k; p++) row(a, p, k, b, n, m, c, p * n);
    }

    /**
     * One output row c[co..co+n) = Σ_p a[ao + p·as] · b[p·n .. p·n+n) over p = 0..len-1, in p order. Small methods, so
     * that C2 inlines and intrinsifies every vector operation (one large method ran past its inlining budget and left
     * some of them as boxed calls).
     */
    private static void row(double[] a, int ao, int as, double[] b, int n, int len, double[] c, int co) {
        int j = 0;
        for (; j + 4 * L <= n; j += 4 * L) tile4(a, ao, as, b, j, n, len, c, co + j);
        for (; j + L <= n; j += L) tile1(a, ao, as, b, j, n, len, c, co + j);
        for (; j < n; j++) {
            double s = 0;
            for (int p = 0; p < len; p++) {
                double av = a[ao + p * as];
                if (av == 0) continue;
                s += av * b[p * n + j];
            }
            c[co + j] = s;
        }
    }

    private static void tile4(double[] a, int ao, int as, double[] b, int bo, int bs, int len, double[] c, int co) {
        DoubleVector s0 = DoubleVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        for (int p = 0; p < len; p++) {
            DoubleVector x = DoubleVector.broadcast(S, a[ao + p * as]);
            int o = bo + p * bs;
            s0 = s0.add(x.mul(DoubleVector.fromArray(S, b, o)));
            s1 = s1.add(x.mul(DoubleVector.fromArray(S, b, o + L)));
            s2 = s2.add(x.mul(DoubleVector.fromArray(S, b, o + 2 * L)));
            s3 = s3.add(x.mul(DoubleVector.fromArray(S, b, o + 3 * L)));
        }
        s0.intoArray(c, co);
        s1.intoArray(c, co + L);
        s2.intoArray(c, co + 2 * L);
        s3.intoArray(c, co + 3 * L);
    }

    private static void tile1(double[] a, int ao, int as, double[] b, int bo, int bs, int len, double[] c, int co) {
        DoubleVector s0 = DoubleVector.zero(S);
        for (int p = 0; p < len; p++) {
            s0 = s0.add(DoubleVector.broadcast(S, a[ao + p * as]).mul(DoubleVector.fromArray(S, b, bo + p * bs)));
        }
        s0.intoArray(c, co);
    }
}
