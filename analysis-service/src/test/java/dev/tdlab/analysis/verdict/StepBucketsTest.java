package dev.tdlab.analysis.verdict;

import dev.tdlab.analysis.verdict.StepBuckets.Extremes;
import dev.tdlab.analysis.verdict.StepBuckets.Plan;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class StepBucketsTest {

    static final double[] ODD = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0};

    /**
     * The reference: for every bucket of the plan, scan all its points for the smallest and the largest
     * (value in PostgreSQL's float8 order, then smallest step), written without any of StepBuckets' helpers.
     */
    public static List<Downsample.Point> bruteForce(List<Downsample.Point> raw, Plan plan) {
        Comparator<Downsample.Point> byValue = (a, b) -> {
            double x = a.value();
            double y = b.value();
            int c;
            if (Double.isNaN(x) || Double.isNaN(y)) {
                c = Double.isNaN(x) ? (Double.isNaN(y) ? 0 : 1) : -1;
            } else {
                c = x < y ? -1 : x > y ? 1 : 0; // -0.0 == 0.0
            }
            return c;
        };
        Comparator<Downsample.Point> minOrder = byValue.thenComparingInt(Downsample.Point::step);
        Comparator<Downsample.Point> maxOrder = byValue.reversed().thenComparingInt(Downsample.Point::step);
        TreeMap<Long, List<Downsample.Point>> buckets = new TreeMap<>();
        for (Downsample.Point p : raw) {
            long k = Math.floorDiv((long) p.step() - plan.anchor(), plan.bucketWidth());
            buckets.computeIfAbsent(k, x -> new ArrayList<>()).add(p);
        }
        List<Downsample.Point> out = new ArrayList<>();
        for (List<Downsample.Point> b : buckets.values()) {
            Downsample.Point min = b.stream().min(minOrder).orElseThrow();
            Downsample.Point max = b.stream().min(maxOrder).orElseThrow();
            TreeSet<Integer> seen = new TreeSet<>();
            for (Downsample.Point p : min.step() <= max.step() ? List.of(min, max) : List.of(max, min)) {
                if (seen.add(p.step())) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** What MetricStore.read gives: raw points in the partial blocks at the ends, block extremes in between. */
    static List<Downsample.Point> viaRollups(List<Downsample.Point> raw, Plan plan) {
        int w = plan.width();
        long first = plan.firstFullBlock();
        long last = plan.lastFullBlock();
        List<Extremes> parts = new ArrayList<>();
        int[] steps = new int[raw.size()];
        double[] values = new double[raw.size()];
        int n = 0;
        for (Downsample.Point p : raw) {
            long block = Math.floorDiv(p.step(), w);
            if (w == 1 || first > last || block < first || block > last) {
                parts.add(Extremes.of(p.step(), p.value()));
            } else {
                steps[n] = p.step();
                values[n++] = p.value();
            }
        }
        if (n > 0) {
            parts.addAll(StepBuckets.blocks(steps, values, 0, n, w).values());
        }
        java.util.Collections.shuffle(parts, new java.util.Random(n)); // order must not matter
        return StepBuckets.fold(parts, plan);
    }

    static List<Downsample.Point> series(SplittableRandom rnd, int lo, int n, int maxGap, boolean ties, boolean odd) {
        List<Downsample.Point> s = new ArrayList<>();
        int step = lo;
        for (int i = 0; i < n; i++) {
            double v = ties ? rnd.nextInt(5) : rnd.nextGaussian();
            if (odd && rnd.nextInt(50) == 0) {
                v = ODD[rnd.nextInt(ODD.length)];
            }
            s.add(new Downsample.Point(step, v));
            step += 1 + rnd.nextInt(maxGap);
        }
        return s;
    }

    static void assertSamePoints(List<Downsample.Point> want, List<Downsample.Point> got, String what) {
        assertEquals(want.size(), got.size(), what + ": sizes");
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).step(), got.get(i).step(), what + " step at " + i);
            assertEquals(Double.doubleToLongBits(want.get(i).value()), Double.doubleToLongBits(got.get(i).value()),
                    what + " value at " + i + ": " + want.get(i) + " vs " + got.get(i));
        }
    }

    @Test
    void valuesAreOrderedAsPostgresOrdersFloat8() {
        assertTrue(StepBuckets.compare(Double.NEGATIVE_INFINITY, -1e308) < 0);
        assertTrue(StepBuckets.compare(1e308, Double.POSITIVE_INFINITY) < 0);
        assertTrue(StepBuckets.compare(Double.POSITIVE_INFINITY, Double.NaN) < 0);
        assertEquals(0, StepBuckets.compare(Double.NaN, Double.NaN));
        assertEquals(0, StepBuckets.compare(-0.0, 0.0));
    }

    @Test
    void mergeIsAssociativeAndCommutativeWithTiesToTheSmallestStep() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int t = 0; t < 2000; t++) {
            List<Downsample.Point> pts = series(rnd, rnd.nextInt(100), 2 + rnd.nextInt(30), 3, rnd.nextBoolean(), true);
            Extremes left = null;
            for (Downsample.Point p : pts) {
                left = left == null ? Extremes.of(p.step(), p.value()) : left.add(p.step(), p.value());
            }
            Extremes right = null;
            for (int i = pts.size() - 1; i >= 0; i--) {
                Extremes e = Extremes.of(pts.get(i).step(), pts.get(i).value());
                right = right == null ? e : e.merge(right);
            }
            assertEquals(left.minStep(), right.minStep());
            assertEquals(left.maxStep(), right.maxStep());
            assertEquals(pts.size(), left.n());
            Plan whole = new Plan(0, Integer.MAX_VALUE - 1, 1, 0, Integer.MAX_VALUE, 1);
            List<Downsample.Point> ref = bruteForce(pts, whole);
            assertEquals(ref.get(0).step(), Math.min(left.minStep(), left.maxStep()));
            assertEquals(ref.get(ref.size() - 1).step(), Math.max(left.minStep(), left.maxStep()));
        }
    }

    @Test
    void planStaysWithinMaxPointsOnBlockAlignedBuckets() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int t = 0; t < 100_000; t++) {
            int lo = rnd.nextInt(t % 3 == 0 ? 100 : 2_000_000_000);
            int hi = lo + rnd.nextInt(t % 2 == 0 ? 5_000 : Integer.MAX_VALUE - lo);
            int maxPoints = 2 + rnd.nextInt(t % 5 == 0 ? 100_000 : 2_000);
            Plan p = StepBuckets.plan(lo, hi, maxPoints, StepBuckets.ROLLUP_WIDTHS);
            String what = lo + ".." + hi + " max " + maxPoints + ": " + p;
            assertTrue(p.buckets() <= maxPoints / 2 && p.buckets() >= 1, what);
            assertEquals(p.buckets() - 1, p.bucket(hi), what);
            assertEquals(0, p.bucket(lo), what);
            assertEquals(0, p.anchor() % p.width(), what);
            assertEquals(0, p.bucketWidth() % p.width(), what);
            Plan finest = StepBuckets.plan(lo, hi, maxPoints, new int[0]);
            assertEquals(1, finest.width());
            assertTrue(4L * p.buckets() >= 3L * finest.buckets(), what + " vs " + finest);
        }
    }

    @Test
    void aMillionStepsToAThousandPointsReadsAboutAThousandOrTenThousandBlocks() {
        Plan p = StepBuckets.plan(0, 999_999, 1000, StepBuckets.ROLLUP_WIDTHS);
        assertEquals(1000, p.width());
        assertEquals(500, p.buckets());
        Plan q = StepBuckets.plan(1, 1_000_000, 1000, StepBuckets.ROLLUP_WIDTHS);
        assertEquals(100, q.width());
        assertTrue(q.buckets() >= 375 && q.buckets() <= 500, q.toString());
    }

    @Test
    void rollupsGiveExactlyTheBruteForceBuckets() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int t = 0; t < 400; t++) {
            int n = 1 + rnd.nextInt(t % 10 == 0 ? 60_000 : 3_000);
            List<Downsample.Point> s = series(rnd, rnd.nextInt(30_000), n, t % 4 == 0 ? 40 : 2, t % 3 == 0, t % 2 == 0);
            int lo = s.get(0).step();
            int hi = s.get(s.size() - 1).step();
            int maxPoints = 2 + rnd.nextInt(t % 7 == 0 ? 20 : 1_500);
            Plan plan = StepBuckets.plan(lo, hi, maxPoints, StepBuckets.ROLLUP_WIDTHS);
            List<Downsample.Point> want = bruteForce(s, plan);
            List<Downsample.Point> got = viaRollups(s, plan);
            assertSamePoints(want, got, "series " + t + " " + plan);
            assertTrue(got.size() <= maxPoints, "size " + got.size() + " > " + maxPoints);
        }
    }

    @Test
    void theGlobalExtremesAndEveryNaNBucketSurvive() {
        SplittableRandom rnd = new SplittableRandom(13);
        List<Downsample.Point> s = series(rnd, 1, 1_000_000, 1, false, false);
        s.set(123_456, new Downsample.Point(s.get(123_456).step(), Double.NaN));
        s.set(654_321, new Downsample.Point(s.get(654_321).step(), Double.NEGATIVE_INFINITY));
        Plan plan = StepBuckets.plan(1, 1_000_000, 1000, StepBuckets.ROLLUP_WIDTHS);
        List<Downsample.Point> d = viaRollups(s, plan);
        assertTrue(d.size() <= 1000);
        for (int i = 1; i < d.size(); i++) {
            assertTrue(d.get(i).step() > d.get(i - 1).step());
        }
        assertTrue(d.stream().anyMatch(p -> p.step() == 123_457 && Double.isNaN(p.value())));
        assertTrue(d.stream().anyMatch(p -> p.step() == 654_322 && p.value() == Double.NEGATIVE_INFINITY));
        double max = s.stream().filter(p -> Double.isFinite(p.value())).mapToDouble(Downsample.Point::value).max().orElseThrow();
        Downsample.Point argmax = s.stream().filter(p -> p.value() == max).findFirst().orElseThrow();
        // the finite maximum survives unless it shares its bucket with the NaN
        if (plan.bucket(argmax.step()) != plan.bucket(123_457)) {
            assertTrue(d.contains(argmax));
        }
    }

    @Test
    void blocksAreTheExtremesOfEachBlock() {
        int[] steps = {0, 5, 9, 10, 19, 25, -1, -10};
        double[] values = {3, 1, 1, Double.NaN, 2, 7, 4, -3};
        Map<Integer, Extremes> b = StepBuckets.blocks(steps, values, 0, steps.length, 10);
        assertEquals(new Extremes(5, 1.0, 0, 3.0, 3), b.get(0));     // tie 1.0 at 5 and 9: smaller step
        assertEquals(new Extremes(19, 2.0, 10, Double.NaN, 2), b.get(1));
        assertEquals(new Extremes(25, 7.0, 25, 7.0, 1), b.get(2));
        assertEquals(new Extremes(-10, -3.0, -1, 4.0, 2), b.get(-1));  // floor division for negative steps
    }
}
