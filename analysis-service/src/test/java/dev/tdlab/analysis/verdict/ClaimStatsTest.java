package dev.tdlab.analysis.verdict;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClaimStatsTest {

    static final double[] LOW = {1.0, 1.1, 0.9, 1.05, 0.95, 1.02};
    static final double[] HIGH = {2.0, 2.2, 1.9, 2.1, 1.95};

    @Test
    void bothBootstrapsBracketTheMedianDifferenceDeterministically() {
        for (ClaimStats.Bootstrap b : List.of(ClaimStats.SHALLOW, ClaimStats.DEEP)) {
            CellStats.Interval d = b.medianDifference(HIGH, LOW);
            double point = CellStats.median(HIGH) - CellStats.median(LOW);
            assertTrue(d.low() <= point && point <= d.high(), b + ": " + d);
            assertTrue(d.low() > 0, "two separated groups: the interval excludes 0: " + d);
            assertEquals(d, b.medianDifference(HIGH, LOW), "a constant seed: the same interval every time");
            assertTrue(Double.isNaN(b.medianDifference(new double[0], LOW).low()));
            assertTrue(Double.isNaN(b.medianDifference(HIGH, new double[0]).high()));
        }
        assertEquals(2000, ClaimStats.SHALLOW.resamples());
        assertEquals(1000, ClaimStats.DEEP.resamples());
    }

    @Test
    void percentilesAreThe2Point5thAnd97Point5thOfTheFiniteValues() {
        double[] v = IntStream.range(0, 1000).mapToDouble(i -> i).toArray();
        double[] withNaN = Arrays.copyOf(v, 1002);
        withNaN[1000] = Double.NaN;
        withNaN[1001] = Double.POSITIVE_INFINITY;
        assertEquals(new CellStats.Interval(24, 975), ClaimStats.percentiles(v));
        assertEquals(new CellStats.Interval(24, 975), ClaimStats.percentiles(withNaN));
        assertTrue(Double.isNaN(ClaimStats.percentiles(new double[] {Double.NaN}).low()));
    }

    @Test
    void theTwoEvidenceFormatsRoundOrNot() {
        Map<String, Object> rounded = ClaimStats.share(3, 7), exact = ClaimStats.shareUnrounded(3, 7);
        assertEquals(List.of("count", "ci95"), List.copyOf(rounded.keySet()));
        assertEquals(List.of("count", "share", "wilson95"), List.copyOf(exact.keySet()));
        CellStats.Interval w = CellStats.wilson(3, 7, ClaimStats.Z95);
        assertEquals(List.of(w.low(), w.high()), exact.get("wilson95"));
        assertEquals(List.of(ClaimStats.round(w.low()), ClaimStats.round(w.high())), rounded.get("ci95"));
        assertNull(ClaimStats.median(new double[0]));
        assertEquals(Map.of("n", 0), ClaimStats.medianUnrounded(new double[0]));
        assertEquals(ClaimStats.round(CellStats.median(LOW)), ClaimStats.median(LOW).get("median"));
        assertEquals(CellStats.median(LOW), ClaimStats.medianUnrounded(LOW).get("median"));
        assertEquals(ClaimStats.list(ClaimStats.DEEP.median(LOW)), ClaimStats.medianUnrounded(LOW).get("ci95"));
        assertEquals(ClaimStats.rounded(ClaimStats.SHALLOW.median(LOW)), ClaimStats.median(LOW).get("ci95"));
        assertEquals(List.of(1.0, 2.0, 3.0), Arrays.stream(ClaimStats.finite(Arrays.asList(1.0, null, Double.NaN, 2.0, 3.0)))
                .boxed().toList());
    }
}
