package dev.tdlab.analysis.figures;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Median and min–max band over the seeds of a cell: pure functions. The seeds' curves are put on one grid of steps
 * (the union of their steps, thinned to at most {@code maxPoints}) by linear interpolation inside each curve's range;
 * at a step, only the seeds whose curve covers it count. Non-finite values are left out.
 */
final class Bands {

    private Bands() {
    }

    /** A curve: {@code values[i]} at {@code steps[i]}, steps ascending. */
    record Curve(double[] steps, double[] values) {
    }

    /** The band: {@code median}, {@code min}, {@code max} at each of {@code steps}, and how many seeds each used. */
    record Band(double[] steps, double[] median, double[] min, double[] max, int[] seeds) {
        boolean isEmpty() {
            return steps.length == 0;
        }
    }

    static Band of(List<Curve> curves, int maxPoints) {
        List<Curve> clean = new ArrayList<>();
        TreeSet<Double> union = new TreeSet<>();
        for (Curve c : curves) {
            Curve f = finite(c);
            if (f.steps().length > 0) {
                clean.add(f);
                for (double s : f.steps()) {
                    union.add(s);
                }
            }
        }
        double[] all = union.stream().mapToDouble(Double::doubleValue).toArray();
        double[] grid = thin(all, maxPoints);
        List<double[]> rows = new ArrayList<>();
        for (double s : grid) {
            double[] at = new double[clean.size()];
            int n = 0;
            for (Curve c : clean) {
                double v = interpolate(c, s);
                if (!Double.isNaN(v)) {
                    at[n++] = v;
                }
            }
            if (n == 0) {
                continue;
            }
            double[] v = Arrays.copyOf(at, n);
            Arrays.sort(v);
            double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
            rows.add(new double[] {s, median, v[0], v[n - 1], n});
        }
        double[][] cols = new double[5][rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            for (int k = 0; k < 5; k++) {
                cols[k][i] = rows.get(i)[k];
            }
        }
        return new Band(cols[0], cols[1], cols[2], cols[3], Arrays.stream(cols[4]).mapToInt(d -> (int) d).toArray());
    }

    /** The value at {@code step} by linear interpolation; NaN outside the curve's range. */
    static double interpolate(Curve c, double step) {
        double[] s = c.steps();
        int i = Arrays.binarySearch(s, step);
        if (i >= 0) {
            return c.values()[i];
        }
        int hi = -i - 1;
        if (hi == 0 || hi == s.length) {
            return Double.NaN;
        }
        double t = (step - s[hi - 1]) / (s[hi] - s[hi - 1]);
        return c.values()[hi - 1] + t * (c.values()[hi] - c.values()[hi - 1]);
    }

    /** At most {@code max} of the sorted values, evenly spaced by index, the first and the last always kept. */
    static double[] thin(double[] v, int max) {
        if (v.length <= max) {
            return v;
        }
        double[] out = new double[max];
        for (int i = 0; i < max; i++) {
            out[i] = v[(int) Math.round(i * (v.length - 1) / (double) (max - 1))];
        }
        return out;
    }

    private static Curve finite(Curve c) {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < c.steps().length; i++) {
            if (Double.isFinite(c.steps()[i]) && Double.isFinite(c.values()[i])) {
                pts.add(new double[] {c.steps()[i], c.values()[i]});
            }
        }
        pts.sort((a, b) -> Double.compare(a[0], b[0]));
        return new Curve(pts.stream().mapToDouble(p -> p[0]).toArray(), pts.stream().mapToDouble(p -> p[1]).toArray());
    }
}
