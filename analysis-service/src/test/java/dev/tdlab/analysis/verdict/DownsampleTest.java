package dev.tdlab.analysis.verdict;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DownsampleTest {

    static List<Downsample.Point> series(int n) {
        List<Downsample.Point> s = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            s.add(new Downsample.Point(i, Math.sin(i / 100.0)));
        }
        return s;
    }

    @Test
    void shortSeriesIsReturnedAsIs() {
        List<Downsample.Point> s = series(10);
        assertSame(s, Downsample.minMax(s, 100));
    }

    @Test
    void keepsAtMostMaxPointsInStepOrderWithTheGlobalExtremes() {
        List<Downsample.Point> s = series(100_000);
        List<Downsample.Point> d = Downsample.minMax(s, 1000);
        assertTrue(d.size() <= 1000, () -> "size " + d.size());
        for (int i = 1; i < d.size(); i++) {
            assertTrue(d.get(i).step() > d.get(i - 1).step());
        }
        double max = s.stream().mapToDouble(Downsample.Point::value).max().orElseThrow();
        double min = s.stream().mapToDouble(Downsample.Point::value).min().orElseThrow();
        assertEquals(max, d.stream().mapToDouble(Downsample.Point::value).max().orElseThrow());
        assertEquals(min, d.stream().mapToDouble(Downsample.Point::value).min().orElseThrow());
    }

    @Test
    void aNonFiniteValueIsNeverDropped() {
        List<Downsample.Point> s = series(10_000);
        s.set(5_555, new Downsample.Point(5_555, Double.NaN));
        List<Downsample.Point> d = Downsample.minMax(s, 100);
        assertTrue(d.stream().anyMatch(p -> p.step() == 5_555 && Double.isNaN(p.value())));
    }
}
