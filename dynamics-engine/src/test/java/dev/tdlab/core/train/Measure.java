package dev.tdlab.core.train;

import dev.tdlab.core.metrics.CurveDistance;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Small statistics and linear algebra for the measurement programs (NociMeasurementsTest, BordelonMeasurementsTest,
 * SongLandscapeTest): medians with min–max and percentile-bootstrap intervals, the least-squares slope of a log–log
 * fit, the RMS distance between curves, and Lanczos for the extreme eigenvalues of a symmetric operator given only
 * as matrix-vector products (a Hessian through finite differences of the gradient).
 */
final class Measure {

    private Measure() {
    }

    static double median(double[] xs) {
        if (xs.length == 0) throw new IllegalArgumentException("median of no values");
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    static double min(double[] xs) {
        return Arrays.stream(xs).min().orElseThrow();
    }

    static double max(double[] xs) {
        return Arrays.stream(xs).max().orElseThrow();
    }

    /** 95 % percentile-bootstrap interval of the median (resampling the values with replacement; fixed seed). */
    static double[] bootstrapMedian(double[] xs, int resamples, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] meds = new double[resamples];
        double[] b = new double[xs.length];
        for (int i = 0; i < resamples; i++) {
            for (int j = 0; j < xs.length; j++) b[j] = xs[r.nextInt(xs.length)];
            meds[i] = median(b);
        }
        return new double[] {percentile(meds, 0.025), percentile(meds, 0.975)};
    }

    /** The p-quantile (linear interpolation between order statistics). */
    static double percentile(double[] xs, double p) {
        double[] s = xs.clone();
        Arrays.sort(s);
        double pos = p * (s.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }

    /** "median [min, max]" in the given format. */
    static String mmm(double[] xs, String fmt) {
        return String.format(fmt + " [" + fmt + ", " + fmt + "]", median(xs), min(xs), max(xs));
    }

    /** Least-squares slope of y on x. */
    static double slope(double[] x, double[] y) {
        if (x.length != y.length || x.length < 2) throw new IllegalArgumentException("need >= 2 paired points");
        double mx = Arrays.stream(x).average().orElseThrow(), my = Arrays.stream(y).average().orElseThrow();
        double sxy = 0, sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxy / sxx;
    }

    /** γ of D ∝ w^−γ (the claims code's measure: {@link CurveDistance#decayExponent}). */
    static double decayExponent(double[] w, double[] d) {
        return CurveDistance.decayExponent(w, d);
    }

    /** Curves [seed][point] resampled over seeds with replacement. */
    static double[][] resample(double[][] curves, SplittableRandom r) {
        double[][] out = new double[curves.length][];
        for (int i = 0; i < curves.length; i++) out[i] = curves[r.nextInt(curves.length)];
        return out;
    }

    /**
     * Width (or depth) convergence of loss curves: per size the median curve over seeds, D(size) = RMS distance to
     * the largest size's median curve, γ of D ∝ size^−γ over the sizes below the largest, and a 95 % interval of γ by
     * resampling seeds within every size. {@code curves[size][seed][point]}, sizes ascending.
     */
    record Convergence(double[] distances, double gamma, double[] gammaInterval) {
    }

    static Convergence convergence(double[] sizes, double[][][] curves, int resamples, long seed) {
        int k = sizes.length;
        if (k < 3) throw new IllegalArgumentException("need >= 3 sizes (2 distances) to fit an exponent");
        double[] d = distances(curves, null);
        double[] w = Arrays.copyOf(sizes, k - 1);
        double gamma = decayExponent(w, d);
        SplittableRandom r = new SplittableRandom(seed);
        double[] gs = new double[resamples];
        for (int i = 0; i < resamples; i++) gs[i] = decayExponent(w, distances(curves, r));
        return new Convergence(d, gamma, new double[] {percentile(gs, 0.025), percentile(gs, 0.975)});
    }

    private static double[] distances(double[][][] curves, SplittableRandom r) {
        int k = curves.length;
        double[][] med = new double[k][];
        for (int s = 0; s < k; s++) med[s] = CurveDistance.medianCurve(r == null ? curves[s] : resample(curves[s], r));
        double[] d = new double[k - 1];
        for (int s = 0; s < k - 1; s++) d[s] = Math.max(CurveDistance.rms(med[s], med[k - 1]), 1e-12);
        return d;
    }

    /**
     * Lanczos with full reorthogonalization on a symmetric operator of dimension n, {@code m} steps from a random
     * start (fixed seed): the Ritz values (eigenvalues of the tridiagonal matrix), ascending. The extreme ones
     * converge first; with m = n they are the operator's eigenvalues.
     */
    static double[] lanczos(UnaryOperator<double[]> op, int n, int m, long seed) {
        m = Math.min(m, n);
        double[][] q = new double[m + 1][];
        double[] alpha = new double[m], beta = new double[m];
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextDouble() - 0.5;
        scale(v, 1 / norm(v));
        q[0] = v;
        int steps = m;
        for (int j = 0; j < m; j++) {
            double[] w = op.apply(q[j]);
            alpha[j] = dot(w, q[j]);
            for (int pass = 0; pass < 2; pass++) { // full reorthogonalization, twice
                for (int i = 0; i <= j; i++) axpy(-dot(w, q[i]), q[i], w);
            }
            double b = norm(w);
            if (j == m - 1) break;
            if (b < 1e-12) {
                steps = j + 1;
                break;
            }
            beta[j] = b;
            scale(w, 1 / b);
            q[j + 1] = w;
        }
        return tridiagonalEigenvalues(Arrays.copyOf(alpha, steps), Arrays.copyOf(beta, Math.max(steps - 1, 0)));
    }

    /** Eigenvalues (ascending) of the symmetric tridiagonal matrix with diagonal a and off-diagonal b (Jacobi). */
    static double[] tridiagonalEigenvalues(double[] a, double[] b) {
        int n = a.length;
        double[][] t = new double[n][n];
        for (int i = 0; i < n; i++) {
            t[i][i] = a[i];
            if (i + 1 < n) t[i][i + 1] = t[i + 1][i] = b[i];
        }
        return symmetricEigenvalues(t);
    }

    /** Eigenvalues (ascending) of a dense symmetric matrix, by cyclic Jacobi rotations (destroys its argument). */
    static double[] symmetricEigenvalues(double[][] a) {
        int n = a.length;
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) off += a[i][j] * a[i][j];
            if (off < 1e-30) break;
            for (int p = 0; p < n; p++) {
                for (int qi = p + 1; qi < n; qi++) {
                    if (Math.abs(a[p][qi]) < 1e-300) continue;
                    double theta = (a[qi][qi] - a[p][p]) / (2 * a[p][qi]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k][p], akq = a[k][qi];
                        a[k][p] = c * akp - s * akq;
                        a[k][qi] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p][k], aqk = a[qi][k];
                        a[p][k] = c * apk - s * aqk;
                        a[qi][k] = s * apk + c * aqk;
                    }
                }
            }
        }
        double[] e = new double[n];
        for (int i = 0; i < n; i++) e[i] = a[i][i];
        Arrays.sort(e);
        return e;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    static void scale(double[] a, double c) {
        for (int i = 0; i < a.length; i++) a[i] *= c;
    }

    /** y += c·x */
    static void axpy(double c, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) y[i] += c * x[i];
    }
}
