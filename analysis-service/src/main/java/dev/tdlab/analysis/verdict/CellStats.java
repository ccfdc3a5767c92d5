package dev.tdlab.analysis.verdict;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Statistics over the seeds of one sweep cell: pure functions. */
public final class CellStats {

    private CellStats() {
    }

    /** A two-sided interval. */
    public record Interval(double low, double high) {
    }

    /** Wilson score interval for k successes in n trials at normal quantile z (1.959964 for 95 %). */
    public static Interval wilson(int k, int n, double z) {
        if (n <= 0) {
            return new Interval(0, 1);
        }
        double p = (double) k / n;
        double z2 = z * z;
        double denom = 1 + z2 / n;
        double centre = (p + z2 / (2.0 * n)) / denom;
        double half = z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denom;
        return new Interval(Math.max(0, centre - half), Math.min(1, centre + half));
    }

    /** Median of the values (the mean of the two middle ones for an even count); NaN when empty. */
    public static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    /**
     * Percentile bootstrap interval of the median: {@code resamples} resamples with replacement drawn
     * from a generator seeded with {@code seed} (deterministic), the (α/2, 1−α/2) percentiles.
     */
    public static Interval bootstrapMedian(double[] values, int resamples, double alpha, long seed) {
        if (values.length == 0) {
            return new Interval(Double.NaN, Double.NaN);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] medians = new double[resamples];
        double[] sample = new double[values.length];
        for (int b = 0; b < resamples; b++) {
            for (int i = 0; i < values.length; i++) {
                sample[i] = values[rnd.nextInt(values.length)];
            }
            medians[b] = median(sample);
        }
        Arrays.sort(medians);
        int lo = (int) Math.floor(alpha / 2 * (resamples - 1));
        int hi = (int) Math.ceil((1 - alpha / 2) * (resamples - 1));
        return new Interval(medians[lo], medians[hi]);
    }
}
