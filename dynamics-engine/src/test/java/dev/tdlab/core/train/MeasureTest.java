package dev.tdlab.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The statistics and the eigenvalue routines of {@link Measure} on inputs with known answers. */
class MeasureTest {

    @Test
    void medianPercentileAndBootstrap() {
        assertEquals(3, Measure.median(new double[] {5, 1, 3}));
        assertEquals(2.5, Measure.median(new double[] {4, 1, 3, 2}));
        assertEquals(1.5, Measure.percentile(new double[] {1, 2, 3}, 0.25), 1e-12);
        double[] iv = Measure.bootstrapMedian(new double[] {1, 2, 3, 4, 5, 6, 7}, 2000, 1);
        assertTrue(iv[0] <= 4 && iv[1] >= 4 && iv[0] >= 1 && iv[1] <= 7, iv[0] + " " + iv[1]);
        assertEquals("2.0 [1.0, 3.0]", Measure.mmm(new double[] {3, 1, 2}, "%.1f"));
        assertThrows(IllegalArgumentException.class, () -> Measure.median(new double[0]));
    }

    @Test
    void decayExponentOfAPowerLaw() {
        double[] w = {4, 8, 16};
        double[] d = {3 * Math.pow(4, -1.5), 3 * Math.pow(8, -1.5), 3 * Math.pow(16, -1.5)};
        assertEquals(1.5, Measure.decayExponent(w, d), 1e-12);
    }

    @Test
    void convergenceOfCurvesWithAOneOverWidthOffset() {
        // curves c_w(t) = 1/(t+1) + 1/w, identical over seeds: D(w) = 1/w - 1/32; gamma > 0 and no spread
        double[] sizes = {4, 8, 16, 32};
        double[][][] curves = new double[4][3][5];
        for (int s = 0; s < 4; s++) for (int i = 0; i < 3; i++) for (int t = 0; t < 5; t++) {
            curves[s][i][t] = 1.0 / (t + 1) + 1.0 / sizes[s];
        }
        Measure.Convergence c = Measure.convergence(sizes, curves, 200, 3);
        assertEquals(1.0 / 4 - 1.0 / 32, c.distances()[0], 1e-12);
        assertEquals(1.0 / 16 - 1.0 / 32, c.distances()[2], 1e-12);
        assertTrue(c.gamma() > 1, "gamma " + c.gamma());
        assertEquals(c.gamma(), c.gammaInterval()[0], 1e-12);
        assertEquals(c.gamma(), c.gammaInterval()[1], 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Measure.convergence(new double[] {1, 2}, new double[2][1][1], 10, 1));
    }

    @Test
    void eigenvaluesOfTheDiscreteLaplacian() {
        int n = 12;
        double[] a = new double[n], b = new double[n - 1];
        java.util.Arrays.fill(a, 2);
        java.util.Arrays.fill(b, -1);
        double[] expected = new double[n];
        for (int k = 1; k <= n; k++) expected[k - 1] = 2 - 2 * Math.cos(k * Math.PI / (n + 1));
        assertArrayEquals(expected, Measure.tridiagonalEigenvalues(a, b), 1e-10);
        // Lanczos on the same operator given only by products, to the full dimension
        double[] lz = Measure.lanczos(v -> {
            double[] w = new double[n];
            for (int i = 0; i < n; i++) w[i] = 2 * v[i] - (i > 0 ? v[i - 1] : 0) - (i < n - 1 ? v[i + 1] : 0);
            return w;
        }, n, n, 5);
        assertArrayEquals(expected, lz, 1e-9);
    }

    @Test
    void lanczosFindsANegativeEigenvalueEarly() {
        // diag(-0.5, 1, 2, ..., 199): 30 steps find the extremes to 1e-6 relative
        int n = 200;
        double[] lz = Measure.lanczos(v -> {
            double[] w = new double[n];
            for (int i = 0; i < n; i++) w[i] = (i == 0 ? -0.5 : i) * v[i];
            return w;
        }, n, 60, 9);
        assertEquals(-0.5, lz[0], 1e-6);
        assertEquals(199, lz[lz.length - 1], 1e-4);
    }
}
