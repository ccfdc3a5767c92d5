package dev.tdlab.core.fast;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense products with the Java Vector API (jdk.incubator.vector; loaded only when that module is present), as
 * register tiles: each output row segment of 4 vectors stays in registers while the shared dimension is walked. Every
 * output entry is computed as the plain loops of {@link ClassifierKernels} compute it: s = 0, then s = s + a·b in the
 * shared index's order, each product and sum rounded on its own (mul then add, no fused multiply-add), zero entries of
 * {@code a} skipped. So the results are bit-identical to the plain loops at every JIT tier.
 */
final class ProductTiles {

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private ProductTiles() {
    }

    /** c[m,n] = a[m,k] b[k,n]. */
    static void matmul(double[] a, double[] b, double[] c, int m, int k, int n) {
        for (int i = 0; i < m; i++) {
            int ao = i * k, co = i * n, j = 0;
            for (; j + 4 * L <= n; j += 4 * L) {
                DoubleVector s0 = DoubleVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
                for (int p = 0; p < k; p++) {
                    double av = a[ao + p];
                    if (av == 0) continue;
                    DoubleVector x = DoubleVector.broadcast(S, av);
                    int bo = p * n + j;
                    s0 = s0.add(x.mul(DoubleVector.fromArray(S, b, bo)));
                    s1 = s1.add(x.mul(DoubleVector.fromArray(S, b, bo + L)));
                    s2 = s2.add(x.mul(DoubleVector.fromArray(S, b, bo + 2 * L)));
                    s3 = s3.add(x.mul(DoubleVector.fromArray(S, b, bo + 3 * L)));
                }
                s0.intoArray(c, co + j);
                s1.intoArray(c, co + j + L);
                s2.intoArray(c, co + j + 2 * L);
                s3.intoArray(c, co + j + 3 * L);
            }
            for (; j + L <= n; j += L) {
                DoubleVector s0 = DoubleVector.zero(S);
                for (int p = 0; p < k; p++) {
                    double av = a[ao + p];
                    if (av == 0) continue;
                    s0 = s0.add(DoubleVector.broadcast(S, av).mul(DoubleVector.fromArray(S, b, p * n + j)));
                }
                s0.intoArray(c, co + j);
            }
            for (; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = a[ao + p];
                    if (av == 0) continue;
                    s += av * b[p * n + j];
                }
                c[co + j] = s;
            }
        }
    }

    /** c[k,n] = a[m,k]ᵀ b[m,n] (c overwritten). */
    static void matmulAt(double[] a, double[] b, double[] c, int m, int k, int n) {
        for (int p = 0; p < k; p++) {
            int co = p * n, j = 0;
            for (; j + 4 * L <= n; j += 4 * L) {
                DoubleVector s0 = DoubleVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
                for (int i = 0; i < m; i++) {
                    double av = a[i * k + p];
                    if (av == 0) continue;
                    DoubleVector x = DoubleVector.broadcast(S, av);
                    int bo = i * n + j;
                    s0 = s0.add(x.mul(DoubleVector.fromArray(S, b, bo)));
                    s1 = s1.add(x.mul(DoubleVector.fromArray(S, b, bo + L)));
                    s2 = s2.add(x.mul(DoubleVector.fromArray(S, b, bo + 2 * L)));
                    s3 = s3.add(x.mul(DoubleVector.fromArray(S, b, bo + 3 * L)));
                }
                s0.intoArray(c, co + j);
                s1.intoArray(c, co + j + L);
                s2.intoArray(c, co + j + 2 * L);
                s3.intoArray(c, co + j + 3 * L);
            }
            for (; j + L <= n; j += L) {
                DoubleVector s0 = DoubleVector.zero(S);
                for (int i = 0; i < m; i++) {
                    double av = a[i * k + p];
                    if (av == 0) continue;
                    s0 = s0.add(DoubleVector.broadcast(S, av).mul(DoubleVector.fromArray(S, b, i * n + j)));
                }
                s0.intoArray(c, co + j);
            }
            for (; j < n; j++) {
                double s = 0;
                for (int i = 0; i < m; i++) {
                    double av = a[i * k + p];
                    if (av == 0) continue;
                    s += av * b[i * n + j];
                }
                c[co + j] = s;
            }
        }
    }
}
