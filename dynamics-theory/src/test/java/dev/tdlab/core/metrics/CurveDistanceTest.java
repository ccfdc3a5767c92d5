package dev.tdlab.core.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CurveDistanceTest {

    @Test
    void medianCurveRmsAndThePowerLawExponent() {
        assertArrayEquals(new double[] {2, 2.5}, CurveDistance.medianCurve(new double[][] {{1, 4}, {2, 1}, {9, 2.5}}));
        assertEquals(Math.sqrt(2.5), CurveDistance.rms(new double[] {0, 0}, new double[] {1, 2}), 1e-15);
        double[] w = {4, 8, 16};
        double[] d = {Math.pow(4, -1.5), Math.pow(8, -1.5), Math.pow(16, -1.5)};
        assertEquals(1.5, CurveDistance.decayExponent(w, d), 1e-12);
        assertTrue(Double.isNaN(CurveDistance.decayExponent(w, new double[] {0.1, 0, 0.01})), "a zero distance");
        assertTrue(Double.isNaN(CurveDistance.decayExponent(new double[] {4}, new double[] {0.1})), "one point");
    }
}
