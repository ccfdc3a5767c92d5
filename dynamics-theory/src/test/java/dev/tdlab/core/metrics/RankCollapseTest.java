package dev.tdlab.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** ρ(X) = ‖X − 1 x̄ᵀ‖_F / ‖X‖_F against closed forms. */
class RankCollapseTest {

    @Test
    void equalRowsAreCollapsed() {
        assertEquals(0.0, RankCollapse.relativeResidual(new double[][] {{1, -2, 3}, {1, -2, 3}, {1, -2, 3}}), 0.0);
    }

    @Test
    void centredRowsAreNotCollapsedAtAll() {
        // rows sum to zero: x̄ = 0, the residual is X itself
        assertEquals(1.0, RankCollapse.relativeResidual(new double[][] {{1, 2}, {-1, -2}}), 1e-15);
        assertEquals(1.0, RankCollapse.relativeResidual(new double[][] {{1, 0}, {0, 1}, {-1, -1}}), 1e-15);
    }

    @Test
    void closedForms() {
        // X = [[1,0],[0,1]]: x̄ = (½,½), residual rows ±(½,−½): ‖R‖² = 1, ‖X‖² = 2
        assertEquals(Math.sqrt(0.5), RankCollapse.relativeResidual(new double[][] {{1, 0}, {0, 1}}), 1e-15);
        // X = [[a],[b]] (d = 1): ρ² = (a−b)²/2 / (a²+b²)
        assertEquals(Math.sqrt(4.0 / 2 / 10), RankCollapse.relativeResidual(new double[][] {{1}, {3}}), 1e-15);
        // a shared vector plus a small orthogonal spread: ρ = ε·‖s‖ / ‖X‖
        double eps = 1e-3;
        double[][] x = {{1 + eps, 1, 0}, {1 - eps, 1, 0}};
        assertEquals(Math.sqrt(2 * eps * eps / (2 + 2 + 2 * eps * eps)), RankCollapse.relativeResidual(x), 1e-15);
    }

    @Test
    void equalsTheCorrelationForm() {
        // ρ² = 1 − Σ_ij <x_i,x_j> / (T ‖X‖²)
        SplittableRandom r = new SplittableRandom(4);
        double[][] x = new double[7][5];
        for (double[] row : x) for (int j = 0; j < row.length; j++) row[j] = r.nextDouble() - 0.3;
        double c = 0, f = 0;
        for (double[] a : x) {
            for (double v : a) f += v * v;
            for (double[] b : x) for (int j = 0; j < a.length; j++) c += a[j] * b[j];
        }
        assertEquals(Math.sqrt(1 - c / (x.length * f)), RankCollapse.relativeResidual(x), 1e-14);
    }

    @Test
    void batchMeanAveragesPerSequence() {
        // two sequences of T = 2, d = 2: one collapsed (ρ = 0), one centred (ρ = 1)
        double[] h = {1, 2, 1, 2, 3, 4, -3, -4};
        assertEquals(0.5, RankCollapse.batchMean(h, 2, 2), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> RankCollapse.batchMean(h, 3, 2));
        assertThrows(IllegalArgumentException.class, () -> RankCollapse.relativeResidual(new double[0][]));
        assertThrows(IllegalArgumentException.class, () -> RankCollapse.relativeResidual(new double[][] {{1}, {1, 2}}));
    }
}
