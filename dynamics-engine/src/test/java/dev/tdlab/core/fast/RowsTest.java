package dev.tdlab.core.fast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jdk.incubator.vector.DoubleVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The reproducible building blocks of the kernels: {@link Rows#exp} against {@code Math.exp} and its vector lanes
 * against itself bit for bit; {@link VectorRows#gemm} against the plain loops bit for bit and against a plain sum, on
 * shapes with every kind of remainder (rows not a multiple of 4, columns not a multiple of the lanes); the float32
 * product of {@link Rows#gemm} against the float64 sum within float rounding (narrow products: float64), its vector
 * tiles ({@link VectorRows#gemmFloat}) against scalar float fma chains bit for bit. The suite's JVM
 * has the Vector API module (surefire argLine).
 */
class RowsTest {

    @Test
    void expIsWithinTwoUlpsOfMathExpAndItsVectorLanesGiveTheSameBits() {
        SplittableRandom r = new SplittableRandom(1);
        int lanes = DoubleVector.SPECIES_PREFERRED.length();
        double[] xs = new double[4096 * lanes];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = switch (i % 4) {
                case 0 -> -r.nextDouble() * 1.0;
                case 1 -> -r.nextDouble() * 40.0;
                case 2 -> -r.nextDouble() * 700.0;
                default -> -Math.ulp(1.0) * r.nextInt(1000);
            };
        }
        xs[0] = 0.0;
        xs[1] = -0.0;
        xs[2] = -708.0;
        double worst = 0;
        for (double x : xs) {
            double e = Rows.exp(x), m = Math.exp(x);
            double ulps = Math.abs(e - m) / Math.ulp(m);
            worst = Math.max(worst, ulps);
            assertTrue(ulps <= 2, "exp(" + x + ") = " + e + " vs Math.exp " + m);
        }
        assertEquals(1.0, Rows.exp(0.0));
        assertEquals(0.0, Rows.exp(-1e4), 1e-300, "clamped far below: ~0");
        assertTrue(Double.isNaN(Rows.exp(Double.NaN)), "NaN stays NaN");
        for (int i = 0; i < xs.length; i += lanes) {
            double[] v = VectorRows.exp(DoubleVector.fromArray(DoubleVector.SPECIES_PREFERRED, xs, i)).toArray();
            for (int j = 0; j < lanes; j++) {
                assertEquals(Double.doubleToRawLongBits(Rows.exp(xs[i + j])), Double.doubleToRawLongBits(v[j]),
                        "lane " + j + " of exp(" + xs[i + j] + ")");
            }
        }
        System.out.printf("Rows.exp vs Math.exp: max %.2f ulp%n", worst);
    }

    @ParameterizedTest(name = "m={0} n={1} k={2}..{3} acc={4} transposed a={5}")
    @CsvSource({"1,1,0,1,false,false", "4,8,0,16,false,false", "7,21,0,13,true,false", "5,64,3,37,false,true",
        "9,4,0,64,true,true", "3,19,2,2,false,false", "13,33,0,5,true,false", "16,256,0,64,false,false"})
    void gemmVectorAndPlainGiveTheSameBits(int m, int n, int k0, int k1, boolean acc, boolean transposedA) {
        SplittableRandom r = new SplittableRandom(m * 1000L + n);
        int k = Math.max(k1, 1), lda = transposedA ? m + 3 : k + 2, ldb = n + 5, ldc = n + 1;
        double[] a = random(r, transposedA ? k * lda + 7 : m * lda + 7);
        double[] b = random(r, k * ldb + 5);
        double[] c0 = random(r, m * ldc + 3);
        int ars = transposedA ? 1 : lda, acs = transposedA ? lda : 1;
        double[] plain = c0.clone(), vector = c0.clone();
        Rows.gemmPlain(a, 2, ars, acs, b, 3, ldb, plain, 1, ldc, m, n, k0, k1, acc);
        VectorRows.gemm(a, 2, ars, acs, b, 3, ldb, vector, 1, ldc, m, n, k0, k1, acc);
        assertArrayEquals(plain, vector, "bit for bit (assertArrayEquals on doubles compares bits)");
        for (int i = 0; i < m; i++) {
            for (int u = 0; u < n; u++) {
                double s = acc ? c0[1 + i * ldc + u] : 0.0;
                for (int x = k0; x < k1; x++) s += a[2 + i * ars + x * acs] * b[3 + x * ldb + u];
                assertEquals(s, vector[1 + i * ldc + u], 1e-12 * (1 + Math.abs(s)), "c[" + i + "," + u + "]");
            }
        }
        assertEquals(c0[0], vector[0], "untouched before the block");
        assertEquals(c0[c0.length - 1], vector[c0.length - 1], "untouched after the block");
    }

    @ParameterizedTest(name = "float32 m={0} n={1} k={2}..{3} acc={4} transposed a={5}")
    @CsvSource({"1,1,0,1,false,false", "4,32,0,16,false,false", "7,21,0,13,true,false", "5,64,3,37,false,true",
        "9,4,0,64,true,true", "3,19,2,2,false,false", "13,49,0,5,true,false", "16,256,0,64,false,false",
        "64,64,0,256,true,true", "6,40,1,33,true,false", "8,33,0,20,false,true"})
    void floatGemmIsWithinFloatRoundingOfTheSumAndVectorAndPlainGiveTheSameBits(int m, int n, int k0, int k1,
                                                                               boolean acc, boolean transposedA) {
        SplittableRandom r = new SplittableRandom(m * 1000L + n + 7);
        int k = Math.max(k1, 1), lda = transposedA ? m + 3 : k + 2, ldb = n + 5, ldc = n + 1;
        double[] a = random(r, transposedA ? k * lda + 7 : m * lda + 7);
        double[] b = random(r, k * ldb + 5);
        double[] c0 = random(r, m * ldc + 3);
        int ars = transposedA ? 1 : lda, acs = transposedA ? lda : 1;
        double[] got = c0.clone();
        Rows.gemm(a, 2, ars, acs, b, 3, ldb, got, 1, ldc, m, n, k0, k1, acc, true);
        double worst = 0;
        for (int i = 0; i < m; i++) {
            for (int u = 0; u < n; u++) {
                double s = acc ? c0[1 + i * ldc + u] : 0.0, mag = 0;
                for (int x = k0; x < k1; x++) {
                    double p = a[2 + i * ars + x * acs] * b[3 + x * ldb + u];
                    s += p;
                    mag += Math.abs(p);
                }
                // float32 rounding of the operands and of each of the k1-k0 fma steps: ≤ (k+3)·2⁻²⁴ of Σ|a·b|
                double bound = (k1 - k0 + 3) * 0x1p-24 * mag + 1e-12 * (1 + Math.abs(s));
                double err = Math.abs(s - got[1 + i * ldc + u]);
                worst = Math.max(worst, err / Math.max(mag, 1e-300));
                assertTrue(err <= bound, "c[" + i + "," + u + "] = " + got[1 + i * ldc + u] + " vs " + s);
            }
        }
        System.out.printf("float32 gemm m=%d n=%d k=%d (float from n=%d): max error %.2e of sum |a b|%n", m, n, k1 - k0,
                Rows.floatMinWidth(), worst);
        if (n < Rows.floatMinWidth()) assertTrue(worst < 1e-14, "narrow products stay float64: " + worst);
        else if (k1 - k0 >= 16) assertTrue(worst > 1e-12, "the products are float32, not float64: " + worst);
        assertTrue(worst < 1e-6, "relative to Σ|a·b|: " + worst);
        assertEquals(c0[0], got[0], "untouched before the block");
        assertEquals(c0[c0.length - 1], got[c0.length - 1], "untouched after the block");

        int kk = k1 - k0;
        float[] fa = new float[m * kk], fb = new float[kk * n], plain = new float[m * n], vector = new float[m * n];
        for (int i = 0; i < fa.length; i++) fa[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < fb.length; i++) fb[i] = (float) r.nextDouble(-1, 1);
        java.util.Arrays.fill(vector, Float.NaN);
        for (int i = 0; i < m; i++) {
            for (int u = 0; u < n; u++) {
                float s = 0f;
                for (int x = 0; x < kk; x++) s = Math.fma(fa[i * kk + x], fb[x * n + u], s);
                plain[i * n + u] = s;
            }
        }
        VectorRows.gemmFloat(fa, kk, 1, fb, vector, m, n, kk);
        assertArrayEquals(plain, vector, "bit for bit: one float fma chain per entry in x order");
    }

    private static double[] random(SplittableRandom r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = r.nextDouble(-1, 1);
        return a;
    }
}
