package dev.tdlab.core.fast;

import dev.tdlab.core.model.twolayerclassifier.ClassifierConfig;
import dev.tdlab.core.model.twolayerclassifier.PatchClassifier;
import java.util.Arrays;
import java.util.Map;

/**
 * The two-layer classifier of {@link PatchClassifier} as hand-written float64 kernels: the same function as the
 * SameDiff graph, in the same parameter layout (row-major, by the graph's names), every kernel (softmax, gaussian,
 * gaussian-unnormalized), patches or one-hot tokens, any heads, sum or mean pooling, fixed or linear readout,
 * logistic or squared loss. Per batch of B examples of n positions (X [B·n, D] patches, or one-hot [B·n, V] tokens):
 *
 * <pre>
 * h = X (patches) or X wte + wpe (tokens)            [B·n, w]
 * q = h Wq, k = h Wk [B·n, dk], v = h Wv [B·n, dv]; per example and head: a = kernel(c q kᵀ) [n, n]
 * pooled = pf · Σ_t (a v)_t = pf · Σ_s (Σ_t a[t,s]) v_s   (pf 1 for sum, 1/n for mean)       [B, dv]
 * z = pooled · r  (r the fixed ±1/m_v halves or head/w);  loss = mean over B of BCE(z, y) or (z − y')²
 * </pre>
 *
 * Pooling over the queries makes the context's gradient the same row for every query, so the backward pass needs
 * per head only the column sums of a and one value-weighted row per example: O(B·n²·(dk + dv)) besides the three
 * projections. Extra outputs as the graph's: the mean 0-1 error (1 where y'·z ≤ 0) and the mean attention-row entropy
 * −Σ a·log(a + 1e-30) over examples, heads and queries (normalized kernels). Every buffer is allocated for the largest
 * batch seen and reused. Not thread-safe: one instance per training run.
 */
public final class ClassifierKernels {

    private final int n, inDim, w, dk, dv, heads, dkh, dvh;
    private final boolean tokens, normalized, gaussian, linearReadout, squared, meanPool;
    private final double c;
    private final double[] fixedR;

    // parameters (the caller's arrays, read in place) and their gradients (owned here)
    private double[] wte, wpe, wq, wk, wv, headW;
    private final double[] gWte, gWpe, gWq, gWk, gWv, gHeadW;

    // per-batch activations and gradients, sized for the largest batch seen
    private int cap;
    private double[] h, q, k, v, a, pooled, z, dq, dk2, dv2, dh;
    // per example and head
    private final double[] colSum, u, rowG;

    /** Whether the kernels compute {@code c}: every two-layer classifier the graph builds. */
    public static boolean supports(ClassifierConfig c) {
        return c != null;
    }

    public ClassifierKernels(ClassifierConfig cfg) {
        if (!supports(cfg)) throw new IllegalArgumentException("config is null");
        n = cfg.positions();
        inDim = cfg.inputDim();
        w = cfg.width();
        dk = cfg.qkDim();
        dv = cfg.valueDim();
        heads = cfg.heads();
        dkh = dk / heads;
        dvh = dv / heads;
        tokens = cfg.tokenInput();
        normalized = !cfg.attention().equals("gaussian-unnormalized");
        gaussian = cfg.attention().startsWith("gaussian");
        linearReadout = cfg.readout().equals("linear");
        squared = cfg.loss().equals("squared");
        meanPool = cfg.pool().equals("mean");
        c = cfg.scoreScale();
        fixedR = linearReadout ? null : PatchClassifier.fixedReadout(cfg);
        gWte = tokens ? new double[inDim * w] : null;
        gWpe = tokens ? new double[n * w] : null;
        gWq = new double[w * dk];
        gWk = new double[w * dk];
        gWv = new double[w * dv];
        gHeadW = linearReadout ? new double[dv] : null;
        colSum = new double[n];
        u = new double[n];
        rowG = new double[dv];
    }

    /**
     * Binds the parameter arrays (row-major, by {@link PatchClassifier} name). They are read in place at every call, so
     * updating them in place (as the trainer's optimizer does) needs no new bind.
     */
    public void bind(Map<String, double[]> params) {
        if (tokens) {
            wte = need(params, PatchClassifier.WTE, inDim * w);
            wpe = need(params, PatchClassifier.WPE, n * w);
        }
        wq = need(params, PatchClassifier.WQ, w * dk);
        wk = need(params, PatchClassifier.WK, w * dk);
        wv = need(params, PatchClassifier.WV, w * dv);
        if (linearReadout) headW = need(params, PatchClassifier.HEAD_W, dv);
    }

    private static double[] need(Map<String, double[]> params, String name, int size) {
        double[] x = params.get(name);
        if (x == null) throw new IllegalArgumentException("missing parameter " + name);
        if (x.length != size) throw new IllegalArgumentException("parameter " + name + " needs " + size + ", got " + x.length);
        return x;
    }

    /** The gradient array of a parameter (by name) from the last {@link #lossAndGradients} call (overwritten by the next). */
    public double[] gradient(String name) {
        return switch (name) {
            case PatchClassifier.WTE -> gWte;
            case PatchClassifier.WPE -> gWpe;
            case PatchClassifier.WQ -> gWq;
            case PatchClassifier.WK -> gWk;
            case PatchClassifier.WV -> gWv;
            case PatchClassifier.HEAD_W -> gHeadW;
            default -> null;
        };
    }

    /**
     * Mean loss over the batch and the gradient of every parameter ({@link #gradient}).
     *
     * @param x       inputs, row-major [b, n, inputDim] (patches, or one-hot tokens)
     * @param y       labels as 0/1, [b]
     * @param b       examples
     * @param error   when non-null, error[0] = the mean 0-1 error
     * @param entropy when non-null, entropy[0] = the mean attention-row entropy (normalized kernels)
     */
    public double lossAndGradients(double[] x, double[] y, int b, double[] error, double[] entropy) {
        forward(x, b);
        double loss = 0, err = 0;
        for (int e = 0; e < b; e++) {
            loss += loss(z[e], y[e]);
            err += error(z[e], y[e]);
        }
        if (error != null) error[0] = err / b;
        if (entropy != null) entropy[0] = entropy(b);
        backward(x, y, b);
        return loss / b;
    }

    /** Per-example losses and 0-1 errors of a batch (forward only) into {@code loss[off..off+b)}, {@code errors[off..]}. */
    public void lossesAndErrors(double[] x, double[] y, int b, double[] loss, double[] errors, int off) {
        forward(x, b);
        for (int e = 0; e < b; e++) {
            loss[off + e] = loss(z[e], y[e]);
            errors[off + e] = error(z[e], y[e]);
        }
    }

    /** The graph's per-example loss: stable BCE with logits max(z,0) − y z + log(1 + e^−|z|), or (z − y')². */
    private double loss(double zz, double y01) {
        if (squared) {
            double r = zz - (2 * y01 - 1);
            return r * r;
        }
        return Math.max(zz, 0) - y01 * zz + Math.log1p(Math.exp(-Math.abs(zz)));
    }

    /** 1 where the margin y'·z is ≤ 0 (a logit of exactly 0 counts wrong), as the graph's step(margin, 0). */
    private static double error(double zz, double y01) {
        return zz * (2 * y01 - 1) > 0 ? 0.0 : 1.0;
    }

    private void ensure(int b) {
        if (b <= cap) return;
        cap = b;
        int rows = b * n;
        h = tokens ? new double[rows * w] : null;
        q = new double[rows * dk];
        k = new double[rows * dk];
        v = new double[rows * dv];
        a = new double[b * heads * n * n];
        pooled = new double[b * dv];
        z = new double[b];
        dq = new double[rows * dk];
        dk2 = new double[rows * dk];
        dv2 = new double[rows * dv];
        dh = tokens ? new double[rows * w] : null;
    }

    // ---------------------------------------------------------------- forward

    private void forward(double[] x, int b) {
        ensure(b);
        int rows = b * n;
        double[] in = x;
        if (tokens) {
            matmul(x, wte, h, rows, inDim, w);                                     // one-hot @ wte
            for (int r = 0; r < rows; r++) {
                int p = (r % n) * w, o = r * w;
                for (int j = 0; j < w; j++) h[o + j] += wpe[p + j];
            }
            in = h;
        }
        matmul(in, wq, q, rows, w, dk);
        matmul(in, wk, k, rows, w, dk);
        matmul(in, wv, v, rows, w, dv);
        double pf = meanPool ? 1.0 / n : 1.0;
        for (int e = 0; e < b; e++) {
            int base = e * n;
            double ze = 0;
            for (int hd = 0; hd < heads; hd++) {
                int ao = (e * heads + hd) * n * n, qo = hd * dkh, vo = hd * dvh;
                for (int t = 0; t < n; t++) {
                    int qi = (base + t) * dk + qo, row = ao + t * n;
                    double qq = 0;
                    if (gaussian) for (int j = 0; j < dkh; j++) qq += q[qi + j] * q[qi + j];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s < n; s++) {
                        int ki = (base + s) * dk + qo;
                        double dot = 0, kk = 0;
                        for (int j = 0; j < dkh; j++) dot += q[qi + j] * k[ki + j];
                        double sc = c * dot;
                        if (gaussian) {
                            for (int j = 0; j < dkh; j++) kk += k[ki + j] * k[ki + j];
                            sc -= 0.5 * c * kk;
                            if (!normalized) sc -= 0.5 * c * qq;
                        }
                        a[row + s] = sc;
                        if (sc > max) max = sc;
                    }
                    if (normalized) {
                        double sum = 0;
                        for (int s = 0; s < n; s++) {
                            double ex = Math.exp(a[row + s] - max);
                            a[row + s] = ex;
                            sum += ex;
                        }
                        double inv = 1.0 / sum;
                        for (int s = 0; s < n; s++) a[row + s] *= inv;
                    } else {
                        for (int s = 0; s < n; s++) a[row + s] = Math.exp(a[row + s]);
                    }
                }
                // pooled (this head's dvh units) = pf Σ_s colSum_s v_s
                Arrays.fill(colSum, 0.0);
                for (int t = 0; t < n; t++) {
                    int row = ao + t * n;
                    for (int s = 0; s < n; s++) colSum[s] += a[row + s];
                }
                int po = e * dv + vo;
                for (int j = 0; j < dvh; j++) pooled[po + j] = 0;
                for (int s = 0; s < n; s++) {
                    double cs = pf * colSum[s];
                    int vi = (base + s) * dv + vo;
                    for (int j = 0; j < dvh; j++) pooled[po + j] += cs * v[vi + j];
                }
            }
            double[] r = linearReadout ? headW : fixedR;
            for (int j = 0; j < dv; j++) ze += pooled[e * dv + j] * r[j];
            z[e] = ze;
        }
    }

    private double entropy(int b) {
        if (!normalized) return Double.NaN;
        double s = 0;
        int len = b * heads * n * n;
        for (int i = 0; i < len; i++) s -= a[i] * Math.log(a[i] + 1e-30);
        return s / ((double) b * heads * n);
    }

    // ---------------------------------------------------------------- backward

    private void backward(double[] x, double[] y, int b) {
        double pf = meanPool ? 1.0 / n : 1.0;
        double[] r = linearReadout ? headW : fixedR;
        if (linearReadout) Arrays.fill(gHeadW, 0.0);
        for (int e = 0; e < b; e++) {
            double ze = z[e], y01 = y[e];
            double dz = squared ? 2 * (ze - (2 * y01 - 1)) / b : (sigmoid(ze) - y01) / b;
            if (linearReadout) for (int j = 0; j < dv; j++) gHeadW[j] += dz * pooled[e * dv + j];
            for (int j = 0; j < dv; j++) rowG[j] = pf * dz * r[j];                  // d ctx[t,:], the same for every t
            int base = e * n;
            for (int hd = 0; hd < heads; hd++) {
                int ao = (e * heads + hd) * n * n, qo = hd * dkh, vo = hd * dvh;
                // u_s = dA[t,s] = g · v_s (independent of t); dv_s = colSum_s g
                Arrays.fill(colSum, 0.0);
                for (int t = 0; t < n; t++) {
                    int row = ao + t * n;
                    for (int s = 0; s < n; s++) colSum[s] += a[row + s];
                }
                for (int s = 0; s < n; s++) {
                    int vi = (base + s) * dv + vo;
                    double us = 0;
                    for (int j = 0; j < dvh; j++) {
                        us += rowG[vo + j] * v[vi + j];
                        dv2[vi + j] = colSum[s] * rowG[vo + j];
                    }
                    u[s] = us;
                }
                for (int t = 0; t < n; t++) dq0(base + t, qo);
                for (int s = 0; s < n; s++) dk0(base + s, qo);
                for (int t = 0; t < n; t++) {
                    int row = ao + t * n, qi = (base + t) * dk + qo;
                    double mean = 0;
                    if (normalized) for (int s = 0; s < n; s++) mean += a[row + s] * u[s];
                    double rowSum = 0;
                    for (int s = 0; s < n; s++) {
                        double ds = a[row + s] * (u[s] - mean);                    // d score[t,s]
                        rowSum += ds;
                        int ki = (base + s) * dk + qo;
                        double cds = c * ds;
                        for (int j = 0; j < dkh; j++) {
                            dq[qi + j] += cds * k[ki + j];
                            dk2[ki + j] += cds * q[qi + j];
                        }
                        // gaussian: −c‖k_s‖²/2 in the score
                        if (gaussian) for (int j = 0; j < dkh; j++) dk2[ki + j] -= cds * k[ki + j];
                    }
                    // unnormalized gaussian: −c‖q_t‖²/2 in the score
                    if (!normalized) for (int j = 0; j < dkh; j++) dq[qi + j] -= c * rowSum * q[qi + j];
                }
            }
        }
        int rows = b * n;
        double[] in = tokens ? h : x;
        Arrays.fill(gWq, 0.0);
        Arrays.fill(gWk, 0.0);
        Arrays.fill(gWv, 0.0);
        matmulAtAcc(in, dq, gWq, rows, w, dk);
        matmulAtAcc(in, dk2, gWk, rows, w, dk);
        matmulAtAcc(in, dv2, gWv, rows, w, dv);
        if (tokens) {
            matmulBt(dq, wq, dh, rows, dk, w);
            matmulBtAcc(dk2, wk, dh, rows, dk, w);
            matmulBtAcc(dv2, wv, dh, rows, dv, w);
            Arrays.fill(gWte, 0.0);
            Arrays.fill(gWpe, 0.0);
            matmulAtAcc(x, dh, gWte, rows, inDim, w);
            for (int r2 = 0; r2 < rows; r2++) {
                int p = (r2 % n) * w, o = r2 * w;
                for (int j = 0; j < w; j++) gWpe[p + j] += dh[o + j];
            }
        }
    }

    private void dq0(int row, int qo) {
        Arrays.fill(dq, row * dk + qo, row * dk + qo + dkh, 0.0);
    }

    private void dk0(int row, int qo) {
        Arrays.fill(dk2, row * dk + qo, row * dk + qo + dkh, 0.0);
    }

    private static double sigmoid(double x) {
        return x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
    }

    // ---------------------------------------------------------------- dense helpers (row-major)

    /** c[m,n] = a[m,k] b[k,n]. */
    static void matmul(double[] a, double[] b, double[] c, int m, int k, int n) {
        for (int i = 0; i < m; i++) {
            int co = i * n;
            Arrays.fill(c, co, co + n, 0.0);
            for (int p = 0; p < k; p++) {
                double av = a[i * k + p];
                if (av == 0) continue;
                int bo = p * n;
                for (int j = 0; j < n; j++) c[co + j] += av * b[bo + j];
            }
        }
    }

    /** c[k,n] += a[m,k]ᵀ b[m,n]. */
    static void matmulAtAcc(double[] a, double[] b, double[] c, int m, int k, int n) {
        for (int i = 0; i < m; i++) {
            int bo = i * n;
            for (int p = 0; p < k; p++) {
                double av = a[i * k + p];
                if (av == 0) continue;
                int co = p * n;
                for (int j = 0; j < n; j++) c[co + j] += av * b[bo + j];
            }
        }
    }

    /** c[m,k] = a[m,n] b[k,n]ᵀ. */
    static void matmulBt(double[] a, double[] b, double[] c, int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += a[i * n + j] * b[p * n + j];
                c[i * k + p] = s;
            }
        }
    }

    /** c[m,k] += a[m,n] b[k,n]ᵀ. */
    static void matmulBtAcc(double[] a, double[] b, double[] c, int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += a[i * n + j] * b[p * n + j];
                c[i * k + p] += s;
            }
        }
    }
}
