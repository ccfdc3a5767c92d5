package dev.tdlab.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The ziggurat normals and the Dirichlet rows against their laws. Tolerances: Z = 5 standard errors of each estimate;
 * the Kolmogorov–Smirnov distance against 1.63/√N·1.6 (a tail probability below 1e-5).
 */
class RandomVariatesTest {

    static final double Z = 5.0;

    @Test
    void normalsHaveTheNormalLaw() {
        assertEquals(0.15729920705028513, erfc(1), 1e-13); // the reference CDF itself
        assertEquals(7.430983723414128e-07, erfc(3.5), 1e-17);
        int n = 2_000_000;
        double[] x = new double[n];
        long[] ctr = {Streams.itemCounter(Streams.key(1, "test"), 0)};
        for (int i = 0; i < n; i++) x[i] = Normal.next(ctr);
        double m1 = 0, m2 = 0, m4 = 0;
        long tail = 0;
        for (double v : x) {
            m1 += v;
            m2 += v * v;
            m4 += v * v * v * v;
            if (Math.abs(v) > Normal.R) tail++;
        }
        m1 /= n;
        m2 /= n;
        m4 /= n;
        assertEquals(0, m1, Z / Math.sqrt(n), "mean");
        assertEquals(1, m2, Z * Math.sqrt(2.0 / n), "variance");
        assertEquals(3, m4, Z * Math.sqrt(96.0 / n), "fourth moment"); // Var(X^4) = 105 - 9
        double pTail = 2 * upperTail(Normal.R);
        assertEquals(pTail, (double) tail / n, Z * Math.sqrt(pTail / n), "mass beyond R (the tail algorithm)");
        Arrays.sort(x);
        double d = 0;
        for (int i = 0; i < n; i += 7) {
            double f = 1 - upperTail(x[i]);
            d = Math.max(d, Math.max(Math.abs(f - (double) i / n), Math.abs(f - (double) (i + 1) / n)));
        }
        assertTrue(d < 2.6 / Math.sqrt(n), "KS distance " + d);
    }

    @Test
    void dirichletRowsHaveTheirMeanAndVariance() {
        for (double alpha : new double[] {0.1, 1.0, 5.0}) {
            int v = 4, n = 200_000;
            long[] ctr = {Streams.itemCounter(Streams.key(2, "test"), 0)};
            double[] row = new double[v];
            double s1 = 0, s2 = 0;
            for (int i = 0; i < n; i++) {
                Dirichlet.row(alpha, v, ctr, row, 0);
                double sum = 0;
                for (double r : row) {
                    assertTrue(r >= 0 && r <= 1);
                    sum += r;
                }
                assertEquals(1.0, sum, 1e-12);
                s1 += row[0];
                s2 += row[0] * row[0];
            }
            double mean = s1 / n, var = s2 / n - mean * mean;
            double eMean = 1.0 / v, eVar = eMean * (1 - eMean) / (v * alpha + 1);
            assertEquals(eMean, mean, Z * Math.sqrt(eVar / n), "mean at alpha " + alpha);
            // Var of the variance estimate: E[X^4] - Var^2 bounded by E[X^2] here (X in [0,1]); a conservative scale
            assertEquals(eVar, var, Z * Math.sqrt((eVar + eMean * eMean) / n), "variance at alpha " + alpha);
        }
    }

    @Test
    void tinyAlphaStillGivesDistributions() {
        long[] ctr = {0};
        double[] row = new double[8];
        for (int i = 0; i < 1000; i++) {
            Dirichlet.row(1e-3, 8, ctr, row, 0);
            double sum = 0;
            for (double r : row) sum += r;
            assertEquals(1.0, sum, 1e-12);
        }
        double[] t = Dirichlet.table(2, 3, 0.5, 7L);
        assertEquals(27, t.length);
        assertEquals(t[3], Dirichlet.table(2, 3, 0.5, 7L)[3]);
    }

    /** P(Z > x) from erfc (W. J. Cody's rational approximations are overkill here: a continued fraction to 1e-12). */
    static double upperTail(double x) {
        if (x < 0) return 1 - upperTail(-x);
        return 0.5 * erfc(x / Math.sqrt(2));
    }

    static double erfc(double x) {
        if (x < 3) {
            // series of erf: 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
            double sum = 0, term = x;
            for (int n = 0; n < 200; n++) {
                double t = term / (2 * n + 1);
                sum += t;
                term *= -x * x / (n + 1);
                if (Math.abs(t) < 1e-17) break;
            }
            return 1 - 2 / Math.sqrt(Math.PI) * sum;
        }
        // continued fraction (Lentz)
        double f = x, c = x, d = 0, tiny = 1e-300;
        for (int n = 1; n < 200; n++) {
            double an = n / 2.0;
            d = x + an * d;
            d = d == 0 ? tiny : 1 / d;
            c = x + an / c;
            if (c == 0) c = tiny;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-15) break;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }
}
