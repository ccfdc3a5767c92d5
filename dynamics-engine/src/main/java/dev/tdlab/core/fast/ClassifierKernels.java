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
 * Pooling over the queries makes the context's gradient the same row for every query: the values enter only through
 * c_h = Wv[:, head h] · r[head h] (v = h Wv is never formed; pooled · r = pf Σ_h Σ_s colSum_h[s] h_s · c_h) and the
 * gradient of Wv is rank one per head. The query and key projections run as one product with [Wq | Wk]. Cost per
 * batch: about 2·B·n·w·dk multiply-adds forward and as many backward, plus O(B·n²·dk); zero input entries (the
 * sparse patches of noisy-patch data, one-hot tokens) are skipped. With jdk.incubator.vector in the JVM the two
 * projections run as register tiles ({@link ProductTiles}), bit-identical to the plain loops. Extra outputs as the graph's: the mean 0-1 error (1 where y'·z ≤ 0) and the mean attention-row entropy
 * −Σ a·log(a + 1e-30) over examples, heads and queries (normalized kernels). Every buffer is allocated for the largest
 * batch seen and reused. Not thread-safe: one instance per training run.
 */
public final class ClassifierKernels {

    /**
     * Whether the two projections run as {@link ProductTiles} (the JVM has jdk.incubator.vector): bit-identical to the
     * plain loops, about 5x faster per product here; chosen once per JVM.
     */
    static final boolean TILES = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private final int n, inDim, w, dk, dv, heads, dkh, dvh;
    private final boolean tokens, normalized, gaussian, linearReadout, squared, meanPool;
    private final double c;
    private final double[] fixedR;

    // parameters (the caller's arrays, read in place) and their gradients (owned here)
    private double[] wte, wpe, wq, wk, wv, headW;
    private final double[] gWte, gWpe, gWq, gWk, gWv, gHeadW;

    // [Wq | Wk] side by side [w, 2dk] (one projection, rows of 2dk for the JIT's vector loops) and its gradient;
    // per head c_h = Wv[:, head h] · r[head h] [heads, w]
    private final double[] wqk, gWqk, cv;
    // per-batch activations and gradients, sized for the largest batch seen
    private int cap;
    private double[] h, qk, a, hc, z, dqk, dh;
    // per example and head: column sums of a, d score-row terms; per head: Σ_e pf dz_e Σ_s colSum_s h_s [heads, w]
    private final double[] colSum, u, xi;

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
        wqk = new double[w * 2 * dk];
        gWqk = new double[w * 2 * dk];
        cv = new double[heads * w];
        colSum = new double[n];
        u = new double[n];
        xi = new double[heads * w];
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
        qk = new double[rows * 2 * dk];
        a = new double[b * heads * n * n];
        hc = new double[rows * heads];
        z = new double[b];
        dqk = new double[rows * 2 * dk];
        dh = tokens ? new double[rows * w] : null;
    }

    // ---------------------------------------------------------------- forward
    //
    // The values enter only through pooled · r = pf Σ_h Σ_s colSum_h[s] (h_s · c_h), c_h = Wv[:, head h] r[head h]:
    // v = h Wv is never formed.

    private void forward(double[] x, int b) {
        ensure(b);
        int rows = b * n, dk2 = 2 * dk;
        double[] in = x;
        if (tokens) {
            matmul(x, wte, h, rows, inDim, w);                                     // one-hot @ wte
            for (int r = 0; r < rows; r++) {
                int p = (r % n) * w, o = r * w;
                for (int j = 0; j < w; j++) h[o + j] += wpe[p + j];
            }
            in = h;
        }
        for (int p = 0; p < w; p++) {
            System.arraycopy(wq, p * dk, wqk, p * dk2, dk);
            System.arraycopy(wk, p * dk, wqk, p * dk2 + dk, dk);
        }
        if (TILES) ProductTiles.matmul(in, wqk, qk, rows, w, dk2);                  // [q | k]
        else matmul(in, wqk, qk, rows, w, dk2);
        double[] r = linearReadout ? headW : fixedR;
        Arrays.fill(cv, 0.0);
        for (int p = 0; p < w; p++) {
            for (int hd = 0; hd < heads; hd++) {
                double s = 0;
                for (int j = hd * dvh; j < (hd + 1) * dvh; j++) s += wv[p * dv + j] * r[j];
                cv[hd * w + p] = s;
            }
        }
        for (int row = 0; row < rows; row++) {
            for (int hd = 0; hd < heads; hd++) {
                double s = 0;
                for (int j = 0; j < w; j++) s += in[row * w + j] * cv[hd * w + j];
                hc[row * heads + hd] = s;
            }
        }
        double pf = meanPool ? 1.0 / n : 1.0;
        for (int e = 0; e < b; e++) {
            int base = e * n;
            double ze = 0;
            for (int hd = 0; hd < heads; hd++) {
                int ao = (e * heads + hd) * n * n, qo = hd * dkh, ko = dk + hd * dkh;
                for (int t = 0; t < n; t++) {
                    int qi = (base + t) * dk2 + qo, row = ao + t * n;
                    double qq = 0;
                    if (gaussian) for (int j = 0; j < dkh; j++) qq += qk[qi + j] * qk[qi + j];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s < n; s++) {
                        int ki = (base + s) * dk2 + ko;
                        double dot = 0, kk = 0;
                        for (int j = 0; j < dkh; j++) dot += qk[qi + j] * qk[ki + j];
                        double sc = c * dot;
                        if (gaussian) {
                            for (int j = 0; j < dkh; j++) kk += qk[ki + j] * qk[ki + j];
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
                columnSums(ao);
                for (int s = 0; s < n; s++) ze += pf * colSum[s] * hc[(base + s) * heads + hd];
            }
            z[e] = ze;
        }
    }

    /** colSum[s] = Σ_t a[t,s] of the [n,n] block at {@code ao}. */
    private void columnSums(int ao) {
        Arrays.fill(colSum, 0.0);
        for (int t = 0; t < n; t++) {
            int row = ao + t * n;
            for (int s = 0; s < n; s++) colSum[s] += a[row + s];
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
    //
    // d ctx[t] = pf dz r for every query t, so d a[t,s] = u_s = pf dz (h_s · c_h) and d v_s = colSum[s] pf dz r:
    // gWv[:, head h] = ξ_h r[head h]ᵀ with ξ_h = Σ_e pf dz_e Σ_s colSum[s] h_s (rank one per head).

    private void backward(double[] x, double[] y, int b) {
        double pf = meanPool ? 1.0 / n : 1.0;
        double[] r = linearReadout ? headW : fixedR;
        double[] in = tokens ? h : x;
        int dk2 = 2 * dk;
        Arrays.fill(xi, 0.0);
        if (tokens) Arrays.fill(dh, 0, b * n * w, 0.0);
        for (int e = 0; e < b; e++) {
            double ze = z[e], y01 = y[e];
            double dz = squared ? 2 * (ze - (2 * y01 - 1)) / b : (sigmoid(ze) - y01) / b;
            double g = pf * dz;
            int base = e * n;
            for (int hd = 0; hd < heads; hd++) {
                int ao = (e * heads + hd) * n * n, qo = hd * dkh, ko = dk + hd * dkh;
                columnSums(ao);
                for (int s = 0; s < n; s++) {
                    u[s] = g * hc[(base + s) * heads + hd];
                    double f = g * colSum[s];
                    int ro = (base + s) * w;
                    for (int j = 0; j < w; j++) xi[hd * w + j] += f * in[ro + j];
                    if (tokens) for (int j = 0; j < w; j++) dh[ro + j] += f * cv[hd * w + j]; // d v_s Wvᵀ
                }
                for (int t = 0; t < n; t++) {
                    int o = (base + t) * dk2;
                    Arrays.fill(dqk, o + qo, o + qo + dkh, 0.0);
                    Arrays.fill(dqk, o + ko, o + ko + dkh, 0.0);
                }
                for (int t = 0; t < n; t++) {
                    int row = ao + t * n, qi = (base + t) * dk2 + qo;
                    double mean = 0;
                    if (normalized) for (int s = 0; s < n; s++) mean += a[row + s] * u[s];
                    double rowSum = 0;
                    for (int s = 0; s < n; s++) {
                        double ds = a[row + s] * (u[s] - mean);                    // d score[t,s]
                        rowSum += ds;
                        int ki = (base + s) * dk2 + ko;
                        double cds = c * ds;
                        for (int j = 0; j < dkh; j++) {
                            dqk[qi + j] += cds * qk[ki + j];
                            dqk[ki + j] += cds * qk[qi + j];
                        }
                        // gaussian: −c‖k_s‖²/2 in the score
                        if (gaussian) for (int j = 0; j < dkh; j++) dqk[ki + j] -= cds * qk[ki + j];
                    }
                    // unnormalized gaussian: −c‖q_t‖²/2 in the score
                    if (!normalized) for (int j = 0; j < dkh; j++) dqk[qi + j] -= c * rowSum * qk[qi + j];
                }
            }
        }
        int rows = b * n;
        if (TILES) {
            ProductTiles.matmulAt(in, dqk, gWqk, rows, w, dk2);
        } else {
            Arrays.fill(gWqk, 0.0);
            matmulAtAcc(in, dqk, gWqk, rows, w, dk2);
        }
        for (int p = 0; p < w; p++) {
            System.arraycopy(gWqk, p * dk2, gWq, p * dk, dk);
            System.arraycopy(gWqk, p * dk2 + dk, gWk, p * dk, dk);
        }
        for (int hd = 0; hd < heads; hd++) {
            for (int p = 0; p < w; p++) {
                double xp = xi[hd * w + p];
                for (int j = hd * dvh; j < (hd + 1) * dvh; j++) gWv[p * dv + j] = xp * r[j];
            }
        }
        if (linearReadout) {
            // gHeadW = Σ_e dz_e pooled_e: on head h's units, ξ_hᵀ Wv[:, head h]
            Arrays.fill(gHeadW, 0.0);
            for (int hd = 0; hd < heads; hd++) {
                for (int p = 0; p < w; p++) {
                    double xp = xi[hd * w + p];
                    for (int j = hd * dvh; j < (hd + 1) * dvh; j++) gHeadW[j] += xp * wv[p * dv + j];
                }
            }
        }
        if (tokens) {
            matmulBtAcc(dqk, wqk, dh, rows, dk2, w);
            Arrays.fill(gWte, 0.0);
            Arrays.fill(gWpe, 0.0);
            matmulAtAcc(x, dh, gWte, rows, inDim, w);
            for (int r2 = 0; r2 < rows; r2++) {
                int p = (r2 % n) * w, o = r2 * w;
                for (int j = 0; j < w; j++) gWpe[p + j] += dh[o + j];
            }
        }
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
