package dev.tdlab.core.train;

import dev.tdlab.core.data.Dataset;
import dev.tdlab.core.data.PatchDataset;
import dev.tdlab.core.model.twolayerclassifier.ClassifierConfig;
import dev.tdlab.core.model.ModelConfig;
import dev.tdlab.core.model.twolayerclassifier.PatchClassifier;
import java.util.Map;

/**
 * The stage markers of Li et al. 2024 on noisy-patch data, computed in Java from the master parameters on a fixed
 * probe: the first {@code m} training examples (m = min(n, 256), fewer for very large patches). Active only when the
 * training set has the noisy-patch layout on the whole probe (labels ±1; the signal patch aux0 is ±‖μ‖·e₁: its
 * coordinates 1.. are 0 and coordinate 0 is not; every other patch has coordinate 0 equal to 0), so the signal
 * direction is e₁.
 *
 * <p>With r the readout (the fixed ±1/m_v halves or head/w), v = W_V r ∈ R^D is the value-path direction: a patch x
 * attended with weight a adds a·(x·v) to the logit. Metrics (names as reported):
 * <ul>
 *   <li>{@code probe/value_signal}: mean over the probe of y_i (x_{i,signal}·v) = ‖μ‖ v₁ without label noise: the
 *       value signal (positive = the value/readout agrees in sign with the signal direction);</li>
 *   <li>{@code probe/value_noise}: mean over the probe and its noise patches of y_i (ξ·v): Li's "mean value noise",
 *       how much the value path has memorized the training noise (grows linearly in stage I);</li>
 *   <li>{@code probe/qk_noise_sign_agreement}: fraction of (example, noise patch, query/key unit s) with
 *       sign(ξ·W_Q[:,s]) = sign(ξ·W_K[:,s]) (½ at a random init; stage II aligns query and key noise);</li>
 *   <li>{@code probe/qk_signal_sign_agreement}: fraction of units s with sign(W_Q[1,s]) = sign(W_K[1,s]), the query
 *       and key signals (stage III: decided by a majority vote over the noise);</li>
 *   <li>{@code probe/attn_signal_from_signal}, {@code probe/attn_signal_from_noise}: the mean attention weight (over
 *       the probe and heads) on the signal key, from the signal query and from the noise queries (stage IV: the
 *       second decays to 0 while the first stays near ½ for P = 2, Li's s₁₁ and s₂₁).</li>
 * </ul>
 */
final class SignalProbe {

    static final int MAX_PROBE = 256;

    private final ClassifierConfig c;
    private final int m, p, d;
    private final double[][] x;   // [m][p*d]
    private final int[] y, sig;

    private SignalProbe(ClassifierConfig c, PatchDataset ds, int m) {
        this.c = c;
        this.m = m;
        this.p = ds.patches();
        this.d = ds.dim();
        this.x = new double[m][p * d];
        this.y = new int[m];
        this.sig = new int[m];
        for (int i = 0; i < m; i++) {
            y[i] = ds.label(i);
            sig[i] = ds.aux0(i);
            for (int q = 0; q < p; q++) for (int j = 0; j < d; j++) x[i][q * d + j] = ds.value(i, q, j);
        }
    }

    /** The probe of this run, or null when the model is not a patch classifier or the data is not noisy-patch. */
    static SignalProbe of(ModelConfig model, Dataset train) {
        if (!(model instanceof ClassifierConfig c) || c.tokenInput() || !(train instanceof PatchDataset ds)) return null;
        if (ds.patches() < 2 || ds.dim() < 2) return null;
        long perExample = (long) ds.patches() * ds.dim() * (2L * c.qkDim() + c.valueDim() + 1);
        int m = (int) Math.min(Math.min(ds.examples(), MAX_PROBE), Math.max(8, (1L << 24) / perExample));
        m = Math.min(m, ds.examples());
        for (int i = 0; i < m; i++) {
            int lab = ds.label(i), s = ds.aux0(i);
            if ((lab != 1 && lab != -1) || s >= ds.patches() || ds.value(i, s, 0) == 0f) return null;
            for (int j = 1; j < ds.dim(); j++) if (ds.value(i, s, j) != 0f) return null;
            for (int q = 0; q < ds.patches(); q++) if (q != s && ds.value(i, q, 0) != 0f) return null;
        }
        return new SignalProbe(c, ds, m);
    }

    /** Adds the probe/ metrics of these (master) parameters to {@code out}. */
    void metrics(Map<String, double[]> params, Map<String, Double> out) {
        int dk = c.qkDim(), dv = c.valueDim(), nh = c.heads(), dkh = dk / nh;
        double[] wq = params.get(PatchClassifier.WQ), wk = params.get(PatchClassifier.WK);
        double[] wv = params.get(PatchClassifier.WV);
        double[] r = c.readout().equals("linear") ? params.get(PatchClassifier.HEAD_W) : PatchClassifier.fixedReadout(c);
        double[] v = new double[d];
        for (int j = 0; j < d; j++) {
            double s = 0;
            for (int u = 0; u < dv; u++) s += wv[j * dv + u] * r[u];
            v[j] = s;
        }
        double scale = c.scoreScale();
        String kernel = c.attention();
        double vSig = 0, vNoise = 0, agree = 0, fromSig = 0, fromNoise = 0;
        long agreeN = 0;
        double[][] q = new double[p][dk], k = new double[p][dk];
        for (int i = 0; i < m; i++) {
            double[] xi = x[i];
            for (int a = 0; a < p; a++) {
                double dot = 0;
                for (int j = 0; j < d; j++) dot += xi[a * d + j] * v[j];
                if (a == sig[i]) vSig += y[i] * dot;
                else vNoise += y[i] * dot / (p - 1);
                for (int s = 0; s < dk; s++) {
                    double qs = 0, ks = 0;
                    for (int j = 0; j < d; j++) {
                        double xv = xi[a * d + j];
                        if (xv == 0) continue;
                        qs += xv * wq[j * dk + s];
                        ks += xv * wk[j * dk + s];
                    }
                    q[a][s] = qs;
                    k[a][s] = ks;
                    if (a != sig[i]) {
                        if ((qs > 0) == (ks > 0)) agree++;
                        agreeN++;
                    }
                }
            }
            for (int h = 0; h < nh; h++) {
                for (int a = 0; a < p; a++) {
                    double[] w = weights(kernel, scale, q[a], k, h * dkh, dkh);
                    if (a == sig[i]) fromSig += w[sig[i]] / nh;
                    else fromNoise += w[sig[i]] / (nh * (p - 1));
                }
            }
        }
        int qkSame = 0;
        for (int s = 0; s < dk; s++) if ((wq[s] > 0) == (wk[s] > 0)) qkSame++;
        out.put("probe/value_signal", vSig / m);
        out.put("probe/value_noise", vNoise / m);
        out.put("probe/qk_noise_sign_agreement", agree / agreeN);
        out.put("probe/qk_signal_sign_agreement", (double) qkSame / dk);
        out.put("probe/attn_signal_from_signal", fromSig / m);
        out.put("probe/attn_signal_from_noise", fromNoise / m);
    }

    /** Attention weights of one query over the keys, in one head (units off..off+w-1), as {@link PatchClassifier}. */
    static double[] weights(String kernel, double scale, double[] q, double[][] keys, int off, int w) {
        int n = keys.length;
        double[] g = new double[n];
        double qq = 0;
        for (int u = off; u < off + w; u++) qq += q[u] * q[u];
        double max = Double.NEGATIVE_INFINITY;
        for (int s = 0; s < n; s++) {
            double dot = 0, kk = 0;
            for (int u = off; u < off + w; u++) {
                dot += q[u] * keys[s][u];
                kk += keys[s][u] * keys[s][u];
            }
            g[s] = switch (kernel) {
                case "softmax" -> scale * dot;
                case "gaussian" -> scale * dot - 0.5 * scale * kk;
                default -> scale * dot - 0.5 * scale * kk - 0.5 * scale * qq;
            };
            max = Math.max(max, g[s]);
        }
        if (kernel.equals("gaussian-unnormalized")) {
            for (int s = 0; s < n; s++) g[s] = Math.exp(g[s]);
            return g;
        }
        double z = 0;
        for (int s = 0; s < n; s++) {
            g[s] = Math.exp(g[s] - max);
            z += g[s];
        }
        for (int s = 0; s < n; s++) g[s] /= z;
        return g;
    }
}
