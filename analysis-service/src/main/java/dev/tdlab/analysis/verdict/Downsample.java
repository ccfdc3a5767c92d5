package dev.tdlab.analysis.verdict;

import java.util.ArrayList;
import java.util.List;

/**
 * Reduces a series to at most {@code maxPoints} points keeping its extremes: the range is cut into
 * buckets of equal step count and each bucket keeps its minimum and its maximum (in step order).
 * Non-finite values are extremes too: a NaN or infinity in a bucket is always kept.
 */
public final class Downsample {

    private Downsample() {
    }

    public record Point(int step, double value) {
    }

    public static List<Point> minMax(List<Point> series, int maxPoints) {
        if (maxPoints < 2 || series.size() <= maxPoints) {
            return series;
        }
        int buckets = maxPoints / 2;
        List<Point> out = new ArrayList<>(maxPoints);
        int n = series.size();
        for (int b = 0; b < buckets; b++) {
            int lo = (int) ((long) b * n / buckets);
            int hi = (int) ((long) (b + 1) * n / buckets);
            if (lo >= hi) {
                continue;
            }
            int iMin = lo;
            int iMax = lo;
            int iOdd = -1;
            for (int i = lo; i < hi; i++) {
                double v = series.get(i).value();
                if (!Double.isFinite(v)) {
                    iOdd = iOdd < 0 ? i : iOdd;
                    continue;
                }
                if (!Double.isFinite(series.get(iMin).value()) || v < series.get(iMin).value()) {
                    iMin = i;
                }
                if (!Double.isFinite(series.get(iMax).value()) || v > series.get(iMax).value()) {
                    iMax = i;
                }
            }
            if (iOdd >= 0) {
                iMax = Double.isFinite(series.get(iMax).value()) ? iOdd : iMax;
            }
            int a = Math.min(iMin, iMax);
            int c = Math.max(iMin, iMax);
            out.add(series.get(a));
            if (c != a) {
                out.add(series.get(c));
            }
        }
        return out;
    }
}
