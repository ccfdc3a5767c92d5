package dev.tdlab.analysis.verdict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Min/max downsampling on a grid of steps, the pure part of the metrics read path (store/MetricStore).
 *
 * <p>A series is cut into buckets of {@code bucketWidth} consecutive steps, aligned at {@code anchor};
 * each bucket keeps its minimum and its maximum point (in step order, once if they coincide). Values are
 * ordered as PostgreSQL orders {@code float8} (and as {@link Double#compare} does, except that −0.0 = 0.0):
 * −∞ &lt; finite &lt; +∞ &lt; NaN, so a bucket's minimum is −∞ if it has one and its maximum is NaN if it has
 * one, else +∞ if it has one. Ties go to the smallest step.
 *
 * <p>Because min and max with this order and tie rule are associative and commutative, a bucket made of
 * whole blocks can be computed from per-block {@link Extremes} (the rollups kept at ingest) instead of the
 * raw points, with exactly the same result: {@link #fold} accepts raw points and block extremes alike.
 */
public final class StepBuckets {

    private StepBuckets() {
    }

    /** Step widths of the rollup blocks kept at ingest (block = floor(step / width)). */
    public static final int[] ROLLUP_WIDTHS = {10, 100, 1_000, 10_000};

    /** The order of values: PostgreSQL's float8 order (−0.0 = 0.0, NaN = NaN, NaN above +∞). */
    public static int compare(double a, double b) {
        return a == b ? 0 : Double.compare(a, b);
    }

    /**
     * The extremes of a set of points: its minimum and maximum points (ties: smallest step) and how
     * many points it has.
     */
    public record Extremes(int minStep, double minValue, int maxStep, double maxValue, int n) {

        public static Extremes of(int step, double value) {
            return new Extremes(step, value, step, value, 1);
        }

        /** The extremes of the union of two disjoint sets. */
        public Extremes merge(Extremes o) {
            boolean oMin = lessThan(o.minValue, o.minStep, minValue, minStep);
            boolean oMax = greaterThan(o.maxValue, o.maxStep, maxValue, maxStep);
            return new Extremes(oMin ? o.minStep : minStep, oMin ? o.minValue : minValue,
                    oMax ? o.maxStep : maxStep, oMax ? o.maxValue : maxValue, n + o.n);
        }

        /** As {@link #merge} with one more point. */
        public Extremes add(int step, double value) {
            return merge(of(step, value));
        }
    }

    static boolean lessThan(double v, int step, double than, int thanStep) {
        int c = compare(v, than);
        return c < 0 || (c == 0 && step < thanStep);
    }

    static boolean greaterThan(double v, int step, double than, int thanStep) {
        int c = compare(v, than);
        return c > 0 || (c == 0 && step < thanStep);
    }

    /**
     * How to cut the steps {@code [lo, hi]} into at most {@code maxPoints / 2} buckets: bucket k covers
     * {@code [anchor + k·bucketWidth, anchor + (k+1)·bucketWidth)}. {@code width} is the rollup level to
     * read (1 = raw points); anchor and bucketWidth are multiples of it, so every bucket is a union of
     * whole blocks of that level (cut by lo and hi at the two ends only).
     */
    public record Plan(int lo, int hi, int width, long anchor, long bucketWidth, int buckets) {

        /** The bucket of a step. */
        public int bucket(int step) {
            return (int) Math.floorDiv(step - anchor, bucketWidth);
        }

        /** First block of {@link #width} that lies wholly inside [lo, hi]. */
        public long firstFullBlock() {
            return Math.floorDiv((long) lo + width - 1, width);
        }

        /** Last block of {@link #width} that lies wholly inside [lo, hi] (before firstFullBlock if none). */
        public long lastFullBlock() {
            return Math.floorDiv((long) hi + 1, width) - 1;
        }
    }

    /**
     * Plans a read of the steps [lo, hi] (lo ≤ hi, the first and last step present) as at most
     * {@code maxPoints} points, choosing the coarsest rollup level among {@code widths} that still gives
     * at least 3/4 of the buckets the finest grid would give.
     */
    public static Plan plan(int lo, int hi, int maxPoints, int[] widths) {
        if (lo > hi || maxPoints < 2) {
            throw new IllegalArgumentException("plan needs lo ≤ hi and maxPoints ≥ 2");
        }
        int buckets = maxPoints / 2;
        Plan finest = plan(lo, hi, buckets, 1);
        int[] levels = widths.clone();
        Arrays.sort(levels);
        for (int i = levels.length - 1; i >= 0; i--) {
            if (levels[i] > 1 && levels[i] <= finest.bucketWidth()) {
                Plan p = plan(lo, hi, buckets, levels[i]);
                if (4L * p.buckets() >= 3L * finest.buckets()) {
                    return p;
                }
            }
        }
        return finest;
    }

    /** The narrowest grid of multiples of {@code w} (anchored at a multiple of w) with at most {@code buckets} buckets. */
    private static Plan plan(int lo, int hi, int buckets, int w) {
        long anchor = Math.floorDiv((long) lo, w) * (long) w;
        long x = hi - anchor;
        long bw = (x / ((long) w * buckets) + 1) * w; // smallest multiple of w with x / bw < buckets
        return new Plan(lo, hi, w, anchor, bw, (int) (x / bw) + 1);
    }

    /**
     * The min and max point of every bucket of {@code plan}, in step order. {@code parts} are raw points
     * ({@link Extremes#of}) and/or extremes of whole blocks of {@code plan.width()}, disjoint, in any order,
     * all inside [lo, hi].
     */
    public static List<Downsample.Point> fold(Iterable<Extremes> parts, Plan plan) {
        Extremes[] b = new Extremes[plan.buckets()];
        for (Extremes e : parts) {
            int k = plan.bucket(e.minStep());
            b[k] = b[k] == null ? e : b[k].merge(e);
        }
        List<Downsample.Point> out = new ArrayList<>(2 * b.length);
        for (Extremes e : b) {
            if (e == null) {
                continue;
            }
            int first = Math.min(e.minStep(), e.maxStep());
            int second = Math.max(e.minStep(), e.maxStep());
            out.add(new Downsample.Point(first, first == e.minStep() ? e.minValue() : e.maxValue()));
            if (second != first) {
                out.add(new Downsample.Point(second, second == e.minStep() ? e.minValue() : e.maxValue()));
            }
        }
        return out;
    }

    /** Block extremes of one level from points of one series: key = block index. Input in any order. */
    public static java.util.Map<Integer, Extremes> blocks(int[] steps, double[] values, int from, int to, int width) {
        java.util.Map<Integer, Extremes> out = new java.util.HashMap<>();
        for (int i = from; i < to; i++) {
            int block = Math.floorDiv(steps[i], width);
            Extremes e = out.get(block);
            out.put(block, e == null ? Extremes.of(steps[i], values[i]) : e.add(steps[i], values[i]));
        }
        return out;
    }
}
