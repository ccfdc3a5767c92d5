package dev.tdlab.core.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Stages of a training curve found automatically: the curve is cut into segments, each fitted by its own least-squares
 * line (y ≈ a + b·x on the segment), with the cut points placed by dynamic programming to minimize the total squared
 * error for each number of segments K = 1..maxSegments, and K chosen by the Bayesian information criterion
 * <pre>
 *   BIC(K) = n · ln(max(SSE_K / n, floor)) + (3K − 1) · ln n
 * </pre>
 * (two line parameters per segment and K − 1 cut points; floor = 1e-10 · var(y), so an exactly piecewise-linear curve
 * is not over-segmented by rounding). Segments are not forced to join (a stage change may be a jump). Pure functions:
 * the same input gives the same cuts. Cost O(maxSegments · n²) time, O(maxSegments · n) memory: downsample curves of
 * more than a few thousand points first (e.g. every k-th step, or a running mean).
 *
 * <p>For a loss curve use {@link #fitLog}: on ln(loss) an exponential decay is a line, so the stages are the phases of
 * different exponential rates (plateaus are slope ≈ 0).
 */
public final class ChangePoints {

    private ChangePoints() {
    }

    /**
     * One segment: points {@code from} (inclusive) to {@code to} (exclusive), its line and its squared error.
     *
     * @param from      index of the segment's first point
     * @param to        index after its last point
     * @param intercept a in y ≈ a + b·x
     * @param slope     b
     * @param sse       Σ (y − a − b·x)² over the segment
     */
    public record Segment(int from, int to, double intercept, double slope, double sse) {
    }

    /**
     * A segmentation.
     *
     * @param segments the segments in order; they tile 0..n
     * @param sse      total squared error
     * @param bic      its BIC (see the class comment)
     */
    public record Result(List<Segment> segments, double sse, double bic) {

        public Result {
            segments = List.copyOf(segments);
        }

        /** The indices where a new segment starts (every segment start but the first); empty for one segment. */
        public int[] boundaries() {
            int[] b = new int[segments.size() - 1];
            for (int i = 1; i < segments.size(); i++) b[i - 1] = segments.get(i).from();
            return b;
        }

        /** The x values where a new segment starts. */
        public double[] boundaryX(double[] x) {
            int[] b = boundaries();
            double[] out = new double[b.length];
            for (int i = 0; i < b.length; i++) out[i] = x[b[i]];
            return out;
        }
    }

    /** Best segmentation by BIC over K = 1..maxSegments segments of at least {@code minLength} points each. */
    public static Result fit(double[] x, double[] y, int maxSegments, int minLength) {
        Result[] all = fitEach(x, y, maxSegments, minLength);
        Result best = null;
        for (Result r : all) if (r != null && (best == null || r.bic() < best.bic())) best = r;
        return best;
    }

    /** {@link #fit} on ln(values), values floored at 1e-300 (a loss curve: exponential phases become lines). */
    public static Result fitLog(double[] x, double[] values, int maxSegments, int minLength) {
        double[] y = new double[values.length];
        for (int i = 0; i < y.length; i++) y[i] = Math.log(Math.max(values[i], 1e-300));
        return fit(x, y, maxSegments, minLength);
    }

    /**
     * The best segmentation with exactly K segments, for K = 1..maxSegments (index K − 1); null where K segments of
     * {@code minLength} points do not fit.
     */
    public static Result[] fitEach(double[] x, double[] y, int maxSegments, int minLength) {
        if (x == null || y == null || x.length != y.length) throw new IllegalArgumentException("x and y must have one length");
        int n = y.length;
        if (maxSegments < 1) throw new IllegalArgumentException("maxSegments must be >= 1, got " + maxSegments);
        if (minLength < 2) throw new IllegalArgumentException("minLength must be >= 2, got " + minLength);
        if (n < minLength) throw new IllegalArgumentException("need at least minLength=" + minLength + " points, got " + n);
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) throw new IllegalArgumentException("point " + i + " is not finite");
        }
        Sums s = new Sums(x, y);
        int kMax = Math.min(maxSegments, n / minLength);
        // cost[k][j]: least SSE of the first j points in k+1 segments; cut[k][j]: start of the last segment
        double[][] cost = new double[kMax][n + 1];
        int[][] cut = new int[kMax][n + 1];
        for (double[] row : cost) Arrays.fill(row, Double.POSITIVE_INFINITY);
        for (int j = minLength; j <= n; j++) cost[0][j] = s.sse(0, j);
        for (int k = 1; k < kMax; k++) {
            for (int j = (k + 1) * minLength; j <= n; j++) {
                double best = Double.POSITIVE_INFINITY;
                int arg = -1;
                for (int i = k * minLength; i <= j - minLength; i++) {
                    double c = cost[k - 1][i];
                    if (c == Double.POSITIVE_INFINITY) continue;
                    c += s.sse(i, j);
                    if (c < best) {
                        best = c;
                        arg = i;
                    }
                }
                cost[k][j] = best;
                cut[k][j] = arg;
            }
        }
        double var = s.sse0(0, n) / n;
        double floor = Math.max(1e-10 * var, 1e-300);
        Result[] out = new Result[maxSegments];
        for (int k = 0; k < kMax; k++) {
            if (cost[k][n] == Double.POSITIVE_INFINITY) continue;
            List<Segment> segs = new ArrayList<>();
            int j = n;
            for (int kk = k; kk >= 0; kk--) {
                int i = kk == 0 ? 0 : cut[kk][j];
                segs.add(0, s.segment(i, j));
                j = i;
            }
            double sse = 0;
            for (Segment g : segs) sse += g.sse();
            double bic = n * Math.log(Math.max(sse / n, floor)) + (3.0 * (k + 1) - 1) * Math.log(n);
            out[k] = new Result(segs, sse, bic);
        }
        return out;
    }

    /** Prefix sums (x centered and scaled, y centered, for accuracy) giving each segment's least-squares line in O(1). */
    private static final class Sums {
        final double[] sx, sy, sxx, sxy, syy;
        final double mx, my, scale;

        Sums(double[] x, double[] y) {
            int n = x.length;
            double m = 0, lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (double v : x) {
                m += v / n;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            mx = m;
            double ym = 0;
            for (double v : y) ym += v / n;
            my = ym;
            scale = hi > lo ? (hi - lo) : 1.0;
            sx = new double[n + 1];
            sy = new double[n + 1];
            sxx = new double[n + 1];
            sxy = new double[n + 1];
            syy = new double[n + 1];
            for (int i = 0; i < n; i++) {
                double u = (x[i] - mx) / scale, v = y[i] - my;
                sx[i + 1] = sx[i] + u;
                sy[i + 1] = sy[i] + v;
                sxx[i + 1] = sxx[i] + u * u;
                sxy[i + 1] = sxy[i] + u * v;
                syy[i + 1] = syy[i] + v * v;
            }
        }

        /** Squared error of y about its mean on [i, j). */
        double sse0(int i, int j) {
            int m = j - i;
            double y1 = sy[j] - sy[i];
            return Math.max(0, syy[j] - syy[i] - y1 * y1 / m);
        }

        /** Intercept and slope in the centered, scaled u; and the SSE. */
        double[] line(int i, int j) {
            int m = j - i;
            double u1 = sx[j] - sx[i], y1 = sy[j] - sy[i];
            double uu = sxx[j] - sxx[i] - u1 * u1 / m;
            double uy = sxy[j] - sxy[i] - u1 * y1 / m;
            double yy = syy[j] - syy[i] - y1 * y1 / m;
            double b = uu > 1e-300 ? uy / uu : 0.0;
            double a = (y1 - b * u1) / m;
            double sse = Math.max(0, yy - b * uy);
            return new double[] {a, b, sse};
        }

        double sse(int i, int j) {
            return line(i, j)[2];
        }

        Segment segment(int i, int j) {
            double[] l = line(i, j);
            double slope = l[1] / scale;                 // y − my = a + b (x − mx)/scale
            double intercept = l[0] + my - slope * mx;
            return new Segment(i, j, intercept, slope, l[2]);
        }
    }
}
