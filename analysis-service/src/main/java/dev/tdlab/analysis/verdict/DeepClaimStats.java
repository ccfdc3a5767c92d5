package dev.tdlab.analysis.verdict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Small statistics the Noci and Bordelon claims share: pure, deterministic (bootstrap generators seeded with a
 * constant). Intervals are 95 %: Wilson for shares, percentile bootstrap (over seeds) for medians, differences and
 * fitted exponents.
 */
final class DeepClaimStats {

    /** Fewest finished seeds a compared group needs; fewer make the claim INCONCLUSIVE. */
    static final int MIN_SEEDS = 5;
    /** Bootstrap resamples. */
    static final int RESAMPLES = 1000;
    /** Two-sided level of every interval (95 %). */
    static final double ALPHA = 0.05;
    static final double Z95 = 1.959964;
    static final long SEED = 20240527L;

    private DeepClaimStats() {
    }

    /** "k/n [low, high]" with the Wilson 95 % interval of the share. */
    static Map<String, Object> share(int k, int n) {
        CellStats.Interval w = CellStats.wilson(k, n, Z95);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", k + "/" + n);
        m.put("share", n == 0 ? null : (double) k / n);
        m.put("wilson95", List.of(w.low(), w.high()));
        return m;
    }

    /** Median with its bootstrap 95 % interval: {median, ci95, n}; {n: 0} when empty. */
    static Map<String, Object> median(double[] v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", v.length);
        if (v.length > 0) {
            CellStats.Interval ci = CellStats.bootstrapMedian(v, RESAMPLES, ALPHA, SEED);
            m.put("median", CellStats.median(v));
            m.put("ci95", List.of(ci.low(), ci.high()));
        }
        return m;
    }

    /** Percentile bootstrap interval of median(b) − median(a), resampling each group with replacement. */
    static CellStats.Interval diffOfMedians(double[] a, double[] b) {
        SplittableRandom rnd = new SplittableRandom(SEED);
        double[] d = new double[RESAMPLES];
        double[] sa = new double[a.length], sb = new double[b.length];
        for (int r = 0; r < RESAMPLES; r++) {
            for (int i = 0; i < a.length; i++) sa[i] = a[rnd.nextInt(a.length)];
            for (int i = 0; i < b.length; i++) sb[i] = b[rnd.nextInt(b.length)];
            d[r] = CellStats.median(sb) - CellStats.median(sa);
        }
        return percentiles(d);
    }

    /** The (α/2, 1−α/2) percentiles of the sample. */
    static CellStats.Interval percentiles(double[] sample) {
        double[] s = Arrays.stream(sample).filter(Double::isFinite).sorted().toArray();
        if (s.length == 0) {
            return new CellStats.Interval(Double.NaN, Double.NaN);
        }
        int lo = (int) Math.floor(ALPHA / 2 * (s.length - 1));
        int hi = (int) Math.ceil((1 - ALPHA / 2) * (s.length - 1));
        return new CellStats.Interval(s[lo], s[hi]);
    }

    /** Least-squares slope of y on x; NaN with fewer than two points or no spread in x. */
    static double slope(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        double mx = Arrays.stream(x).average().orElse(0), my = Arrays.stream(y).average().orElse(0);
        double sxx = 0, sxy = 0;
        for (int i = 0; i < n; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }

    /** The values as an array, non-finite and null left out. */
    static double[] finite(List<Double> values) {
        List<Double> out = new ArrayList<>();
        for (Double v : values) {
            if (v != null && Double.isFinite(v)) out.add(v);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** A number as a double; null for anything else. */
    static Double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : null;
    }

    /** [low, high] as a list, for evidence. */
    static List<Double> list(CellStats.Interval i) {
        return List.of(i.low(), i.high());
    }
}
