package dev.tdlab.analysis.verdict;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * What {@link SongClaims} and {@link LiClaims} share: the fewest seeds a group needs, reading a run's setting, and the
 * intervals put in the evidence (Wilson for shares, percentile bootstrap for medians and their differences). Pure.
 */
final class ClaimStats {

    /** Fewest finished runs (seeds) a compared group needs before a claim is decided on it. */
    static final int MIN_SEEDS = 5;
    /** Share of a group that "all runs" needs (one stray seed in ten), as {@link Claims}. */
    static final double MOST = 0.9;
    static final int RESAMPLES = 2000;
    static final long BOOT_SEED = 20241204L;
    static final double Z95 = 1.959964;

    private ClaimStats() {
    }

    /** The run's value of a dotted field: swept in its cell, else the experiment's base value; null if neither. */
    static Object value(Claims.Run r, Map<String, Object> base, String field) {
        return r != null && r.cell().containsKey(field) ? r.cell().get(field) : base.get(field);
    }

    static Double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : null;
    }

    static String text(Object o) {
        return o == null ? null : String.valueOf(o).replace(" ", "");
    }

    static double[] values(List<Claims.Run> runs, Function<Claims.Run, Double> f) {
        return runs.stream().map(f).filter(x -> x != null && Double.isFinite(x)).mapToDouble(Double::doubleValue).toArray();
    }

    /** "k/n" with its 95 % Wilson interval. */
    static Map<String, Object> share(int k, int n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", k + "/" + n);
        CellStats.Interval w = CellStats.wilson(k, n, Z95);
        m.put("ci95", List.of(round(w.low()), round(w.high())));
        return m;
    }

    /** Median of the values with its 95 % percentile-bootstrap interval; null when there are none. */
    static Map<String, Object> median(double[] v) {
        if (v.length == 0) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median", round(CellStats.median(v)));
        CellStats.Interval ci = CellStats.bootstrapMedian(v, RESAMPLES, 0.05, BOOT_SEED);
        m.put("ci95", List.of(round(ci.low()), round(ci.high())));
        m.put("n", v.length);
        return m;
    }

    /**
     * 95 % percentile-bootstrap interval of median(a) − median(b), the two groups resampled independently
     * (deterministic seed); {NaN, NaN} when either is empty.
     */
    static double[] medianDifference(double[] a, double[] b) {
        if (a.length == 0 || b.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        SplittableRandom rnd = new SplittableRandom(BOOT_SEED);
        double[] d = new double[RESAMPLES], sa = new double[a.length], sb = new double[b.length];
        for (int i = 0; i < RESAMPLES; i++) {
            for (int j = 0; j < a.length; j++) sa[j] = a[rnd.nextInt(a.length)];
            for (int j = 0; j < b.length; j++) sb[j] = b[rnd.nextInt(b.length)];
            d[i] = CellStats.median(sa) - CellStats.median(sb);
        }
        Arrays.sort(d);
        return new double[] {d[(int) Math.floor(0.025 * (RESAMPLES - 1))], d[(int) Math.ceil(0.975 * (RESAMPLES - 1))]};
    }

    static double round(double x) {
        return Double.isFinite(x) ? Math.round(x * 1e6) / 1e6 : x;
    }
}
