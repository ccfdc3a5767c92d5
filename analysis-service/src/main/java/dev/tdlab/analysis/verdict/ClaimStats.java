package dev.tdlab.analysis.verdict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The statistics every paper's claims share ({@link SongClaims}, {@link LiClaims}, {@link NociClaims},
 * {@link BordelonClaims}): the fewest seeds a group needs, reading a run's setting, and the 95 % intervals put in the
 * evidence (Wilson for shares, percentile bootstrap over seeds for medians, their differences and fitted exponents).
 * Pure and deterministic: each bootstrap's generator is seeded with a constant ({@link Bootstrap}).
 */
final class ClaimStats {

    /** Fewest finished runs (seeds) a compared group needs before a claim is decided on it; fewer: INCONCLUSIVE. */
    static final int MIN_SEEDS = 5;
    /** Share of a group that "all runs" needs (one stray seed in ten), as {@link Claims}. */
    static final double MOST = 0.9;
    /** Two-sided level of every interval (95 %). */
    static final double ALPHA = 0.05;
    static final double Z95 = 1.959964;

    /** A percentile bootstrap: {@code resamples} draws from a generator seeded with {@code seed}. */
    record Bootstrap(int resamples, long seed) {

        SplittableRandom random() {
            return new SplittableRandom(seed);
        }

        /** 95 % interval of the median; {NaN, NaN} when empty. */
        CellStats.Interval median(double[] v) {
            return CellStats.bootstrapMedian(v, resamples, ALPHA, seed);
        }

        /**
         * 95 % interval of median(a) − median(b), the two groups resampled independently; {NaN, NaN} when either
         * is empty.
         */
        CellStats.Interval medianDifference(double[] a, double[] b) {
            if (a.length == 0 || b.length == 0) {
                return new CellStats.Interval(Double.NaN, Double.NaN);
            }
            SplittableRandom rnd = random();
            double[] d = new double[resamples], sa = new double[a.length], sb = new double[b.length];
            for (int i = 0; i < resamples; i++) {
                for (int j = 0; j < a.length; j++) sa[j] = a[rnd.nextInt(a.length)];
                for (int j = 0; j < b.length; j++) sb[j] = b[rnd.nextInt(b.length)];
                d[i] = CellStats.median(sa) - CellStats.median(sb);
            }
            return percentiles(d);
        }
    }

    /** The bootstrap of Song's and Li's claims. */
    static final Bootstrap SHALLOW = new Bootstrap(2000, 20241204L);
    /** The bootstrap of Noci's and Bordelon's claims. */
    static final Bootstrap DEEP = new Bootstrap(1000, 20240527L);

    private ClaimStats() {
    }

    /** The run's value of a dotted field: swept in its cell, else the experiment's base value; null if neither. */
    static Object value(Claims.Run r, Map<String, Object> base, String field) {
        return r != null && r.cell().containsKey(field) ? r.cell().get(field) : base.get(field);
    }

    /** A number as a double; null for anything else. */
    static Double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : null;
    }

    static String text(Object o) {
        return o == null ? null : String.valueOf(o).replace(" ", "");
    }

    /** {@code f} of each run, null and non-finite left out. */
    static double[] values(List<Claims.Run> runs, Function<Claims.Run, Double> f) {
        return finite(runs.stream().map(f).toList());
    }

    /** The values as an array, non-finite and null left out. */
    static double[] finite(List<Double> values) {
        List<Double> out = new ArrayList<>();
        for (Double v : values) {
            if (v != null && Double.isFinite(v)) out.add(v);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The (α/2, 1−α/2) percentiles of the sample's finite values; {NaN, NaN} when there are none. */
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

    // ---- evidence: Song and Li write rounded intervals, Noci and Bordelon the exact ones (and the share itself) ----

    /** "k/n" with its 95 % Wilson interval, rounded: {count, ci95}. */
    static Map<String, Object> share(int k, int n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", k + "/" + n);
        CellStats.Interval w = CellStats.wilson(k, n, Z95);
        m.put("ci95", List.of(round(w.low()), round(w.high())));
        return m;
    }

    /** Median of the values with its 95 % interval ({@link #SHALLOW}), rounded: {median, ci95, n}; null when empty. */
    static Map<String, Object> median(double[] v) {
        if (v.length == 0) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median", round(CellStats.median(v)));
        CellStats.Interval ci = SHALLOW.median(v);
        m.put("ci95", List.of(round(ci.low()), round(ci.high())));
        m.put("n", v.length);
        return m;
    }

    /** "k/n", the share and its 95 % Wilson interval, unrounded: {count, share, wilson95}. */
    static Map<String, Object> shareUnrounded(int k, int n) {
        CellStats.Interval w = CellStats.wilson(k, n, Z95);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", k + "/" + n);
        m.put("share", n == 0 ? null : (double) k / n);
        m.put("wilson95", List.of(w.low(), w.high()));
        return m;
    }

    /** Median with its 95 % interval ({@link #DEEP}), unrounded: {n, median, ci95}; {n: 0} when empty. */
    static Map<String, Object> medianUnrounded(double[] v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", v.length);
        if (v.length > 0) {
            CellStats.Interval ci = DEEP.median(v);
            m.put("median", CellStats.median(v));
            m.put("ci95", List.of(ci.low(), ci.high()));
        }
        return m;
    }

    /** [low, high] as a list, for evidence. */
    static List<Double> list(CellStats.Interval i) {
        return List.of(i.low(), i.high());
    }

    static List<Double> rounded(CellStats.Interval i) {
        return List.of(round(i.low()), round(i.high()));
    }

    static double round(double x) {
        return Double.isFinite(x) ? Math.round(x * 1e6) / 1e6 : x;
    }
}
