package dev.tdlab.analysis.verdict;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CellStatsTest {

    @Test
    void wilsonMatchesHandComputedValues() {
        // k=8, n=10, z=1.96: centre = (0.8 + 0.19208)/1.38416, half = 1.96·sqrt(0.016 + 0.009604)/1.38416
        CellStats.Interval i = CellStats.wilson(8, 10, 1.96);
        assertEquals(0.4902, i.low(), 1e-4);
        assertEquals(0.9433, i.high(), 1e-4);
        CellStats.Interval zero = CellStats.wilson(0, 4, 1.959964);
        assertEquals(0.0, zero.low(), 1e-12);
        assertEquals(0.4899, zero.high(), 1e-4);
        CellStats.Interval all = CellStats.wilson(4, 4, 1.959964);
        assertEquals(1.0, all.high(), 1e-12);
        assertEquals(0.5101, all.low(), 1e-4);
    }

    @Test
    void median() {
        assertEquals(2.0, CellStats.median(new double[]{3, 1, 2}));
        assertEquals(2.5, CellStats.median(new double[]{4, 1, 2, 3}));
        assertTrue(Double.isNaN(CellStats.median(new double[0])));
    }

    @Test
    void bootstrapIntervalContainsTheMedianAndIsDeterministic() {
        double[] v = {100, 150, 200, 250, 300, 350, 400};
        CellStats.Interval a = CellStats.bootstrapMedian(v, 2000, 0.05, 7);
        CellStats.Interval b = CellStats.bootstrapMedian(v, 2000, 0.05, 7);
        assertEquals(a, b);
        assertTrue(a.low() <= 250 && 250 <= a.high());
        assertTrue(a.low() >= 100 && a.high() <= 400);
        CellStats.Interval one = CellStats.bootstrapMedian(new double[]{5}, 100, 0.05, 1);
        assertEquals(new CellStats.Interval(5, 5), one);
    }
}
