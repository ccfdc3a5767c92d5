package dev.tdlab.core.metrics;

import java.util.Arrays;

/**
 * How fast loss curves approach a reference curve as a size (width, heads, depth) grows: the pointwise median curve
 * over seeds, the RMS distance between two curves, and the exponent γ of a power-law decay D(size) ∝ size^−γ. Used
 * by the infinite-limits claims and by the engine's measurement programs, so both judge convergence the same way.
 */
public final class CurveDistance {

    private CurveDistance() {
    }

    /** Pointwise median of curves [seed][point] (the mean of the two middle values for an even count). */
    public static double[] medianCurve(double[][] curves) {
        int n = curves[0].length;
        double[] out = new double[n];
        double[] col = new double[curves.length];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < col.length; i++) {
                col[i] = curves[i][j];
            }
            Arrays.sort(col);
            int m = col.length / 2;
            out[j] = col.length % 2 == 1 ? col[m] : (col[m - 1] + col[m]) / 2;
        }
        return out;
    }

    /** Root mean square of a − b (curves of one length). */
    public static double rms(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("curves of different lengths: " + a.length + " and " + b.length);
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s / a.length);
    }

    /**
     * γ of D ∝ size^−γ: minus the least-squares slope of log D on log size. NaN with fewer than two points, no spread
     * in size, or a distance that is not positive.
     */
    public static double decayExponent(double[] sizes, double[] distances) {
        int n = sizes.length;
        if (n != distances.length) {
            throw new IllegalArgumentException("sizes and distances differ in length");
        }
        if (n < 2) {
            return Double.NaN;
        }
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            if (!(distances[i] > 0)) {
                return Double.NaN;
            }
            x[i] = Math.log(sizes[i]);
            y[i] = Math.log(distances[i]);
        }
        double mx = Arrays.stream(x).average().orElse(0), my = Arrays.stream(y).average().orElse(0);
        double sxx = 0, sxy = 0;
        for (int i = 0; i < n; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
        }
        return sxx == 0 ? Double.NaN : -sxy / sxx;
    }
}
