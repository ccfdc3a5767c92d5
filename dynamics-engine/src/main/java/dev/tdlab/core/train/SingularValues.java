package dev.tdlab.core.train;

import dev.tdlab.core.model.twolayerclassifier.ClassifierConfig;
import dev.tdlab.core.model.twolayerclassifier.PatchClassifier;
import java.util.Arrays;
import java.util.Map;

/**
 * Singular values of the classifier's W_Q, W_K, W_V (Song et al.'s initial conditions are about the ratio of the Q/K
 * scales to V's): the extreme singular values of each, as metrics {@code sv/wq_min}, {@code sv/wq_max}, … at the
 * init and at the metric steps. Plain Java, one-sided Jacobi on the columns (exact to rounding; the matrices are small).
 */
final class SingularValues {

    private SingularValues() {
    }

    /** Adds sv/{wq,wk,wv}_{min,max} of these parameters (row-major [rows, cols]) to {@code out}. */
    static void metrics(ClassifierConfig c, Map<String, double[]> params, Map<String, Double> out) {
        int w = c.width();
        put(out, "wq", of(params.get(PatchClassifier.WQ), w, c.qkDim()));
        put(out, "wk", of(params.get(PatchClassifier.WK), w, c.qkDim()));
        put(out, "wv", of(params.get(PatchClassifier.WV), w, c.valueDim()));
    }

    private static void put(Map<String, Double> out, String name, double[] sv) {
        if (sv.length == 0) return;
        out.put("sv/" + name + "_min", sv[sv.length - 1]);
        out.put("sv/" + name + "_max", sv[0]);
    }

    /** The min(rows, cols) singular values of a row-major [rows, cols] matrix, descending. */
    static double[] of(double[] a, int rows, int cols) {
        boolean wide = cols > rows;                    // work on the narrower side: columns of A or of Aᵀ
        int m = wide ? cols : rows, n = wide ? rows : cols;
        double[][] col = new double[n][m];              // n columns of length m
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                if (wide) col[i][j] = a[i * cols + j];
                else col[j][i] = a[i * cols + j];
            }
        }
        for (int sweep = 0; sweep < 60; sweep++) {
            double off = 0;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double alpha = 0, beta = 0, gamma = 0;
                    for (int k = 0; k < m; k++) {
                        alpha += col[p][k] * col[p][k];
                        beta += col[q][k] * col[q][k];
                        gamma += col[p][k] * col[q][k];
                    }
                    if (gamma == 0) continue;
                    off = Math.max(off, Math.abs(gamma) / Math.sqrt(alpha * beta));
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    if (zeta == 0) t = 1;
                    double cs = 1 / Math.sqrt(1 + t * t), sn = cs * t;
                    for (int k = 0; k < m; k++) {
                        double x = col[p][k], y = col[q][k];
                        col[p][k] = cs * x - sn * y;
                        col[q][k] = sn * x + cs * y;
                    }
                }
            }
            if (off < 1e-14) break;
        }
        double[] sv = new double[n];
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (double x : col[j]) s += x * x;
            sv[j] = Math.sqrt(s);
        }
        Arrays.sort(sv);
        for (int i = 0; i < n / 2; i++) {
            double tmp = sv[i];
            sv[i] = sv[n - 1 - i];
            sv[n - 1 - i] = tmp;
        }
        return sv;
    }
}
