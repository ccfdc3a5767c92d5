package dev.tdlab.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SingularValuesTest {

    @Test
    void closedForms() {
        // diag(3, 1) padded to 3x2, and its transpose: singular values 3, 1
        assertArrayEquals(new double[] {3, 1}, SingularValues.of(new double[] {0, 1, 3, 0, 0, 0}, 3, 2), 1e-12);
        assertArrayEquals(new double[] {3, 1}, SingularValues.of(new double[] {0, 3, 0, 1, 0, 0}, 2, 3), 1e-12);
        // rank one u vᵀ: ‖u‖‖v‖ and 0
        double[] r1 = {1 * 2, 1 * -1, 2 * 2, 2 * -1};
        assertArrayEquals(new double[] {Math.sqrt(5) * Math.sqrt(5), 0}, SingularValues.of(r1, 2, 2), 1e-12);
    }

    @Test
    void squaresSumToTheFrobeniusNormAndTheLargestMatchesPowerIteration() {
        SplittableRandom r = new SplittableRandom(1);
        int rows = 7, cols = 5;
        double[] a = new double[rows * cols];
        double fro = 0;
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextDouble() - 0.5;
            fro += a[i] * a[i];
        }
        double[] sv = SingularValues.of(a, rows, cols);
        double ss = 0;
        for (double s : sv) ss += s * s;
        assertEquals(fro, ss, 1e-12);
        double[] v = new double[cols];
        java.util.Arrays.fill(v, 1);
        double lambda = 0;
        for (int it = 0; it < 500; it++) {
            double[] u = new double[rows], w = new double[cols];
            for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) u[i] += a[i * cols + j] * v[j];
            for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) w[j] += a[i * cols + j] * u[i];
            double n = 0;
            for (double x : w) n += x * x;
            n = Math.sqrt(n);
            for (int j = 0; j < cols; j++) v[j] = w[j] / n;
            lambda = n;
        }
        assertEquals(Math.sqrt(lambda), sv[0], 1e-9);
    }
}
