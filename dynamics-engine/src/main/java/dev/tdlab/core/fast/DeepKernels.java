package dev.tdlab.core.fast;

import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.deep.DeepConfig;
import dev.tdlab.core.model.deep.DeepTransformer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The deep transformer of {@link DeepTransformer} as hand-written float64 kernels, for the configurations
 * {@link #supports} accepts (softmax causal attention, the standard parameterization, pre-LN or no LN): the same
 * function as the SameDiff graph, in the same parameter layout (row-major, by the graph's names). Per sequence:
 *
 * <pre>
 * h_0 = wte[x_t] + wpe[t]
 * block l:  a = LN(h_l);  q = (a Wq)/√N, k = a Wk, v = a Wv;  per head ctx = softmax_causal(q kᵀ) v
 *           h' = h_l + r · ctx Wo;  h_{l+1} = h' + r · max(LN(h') W1, 0) W2   (MLP optional)
 * logits = LN(h_L) wteᵀ + bias (tied) or LN(h_L) head/w + bias;  loss = mean over B·T of the cross-entropy (nats)
 * </pre>
 *
 * with LN the parameter-free layer norm (eps {@link DeepTransformer#LN_EPS}; identity when the config has no layer
 * norm) and r the config's residual multiplier. Gradients are those of the graph's "loss" (the ReLU's derivative is 0
 * at 0, as the graph's {@code scalarMax}). One sequence at a time: forward through every block, keeping each block's
 * activations (T=64, d=64, L=8: about 6 MB), then backward. Every matrix product is {@link Rows#gemm}; the attention is
 * {@link BlockedAttention} for every head width; the transposed weights the backward pass multiplies by are formed
 * once per batch. The results are the same bits at every JIT tier ({@link Rows}). Storage, layer norm, softmax, loss
 * and gradients are float64; the dense products (projections, MLP, head) are float32 when the instance is made for a
 * float32 run ({@code floatProducts}), else float64; the attention's products stay float64 in both.
 *
 * <p>The graph's extra scalar outputs, on request: per block the attention entropy (mean over sequences, heads and
 * queries of −Σ a·log(a + 1e-30)), its ratio to uniform attention's, the head variance (heads &gt; 1), and the rank
 * collapse of the embedding and of every block's output. Not thread-safe: one instance per training run.
 */
public final class DeepKernels {

    private final int vocab, t, d, heads, width, depth, hidden;
    private final boolean mlp, tied, ln;
    /** Whether the dense products are float32 ({@link Rows#gemm} with f32). */
    private final boolean f32;
    private final double scale, r, uniformEntropy;

    // parameters (the caller's arrays, read in place) and their gradients (owned here)
    private double[] wte, wpe, headW, bias;
    private final double[][] wq, wk, wv, wo, w1, w2;
    private final double[] gWte, gWpe, gHeadW, gBias;
    private final double[][] gWq, gWk, gWv, gWo, gW1, gW2;
    // transposed weights for the backward pass, formed once per batch
    private final double[][] wqT, wkT, wvT, woT, w1T, w2T;
    private final double[] headWT;

    // per-sequence activations: h[l] the input of block l (h[L] the last output), a[l] / m[l] the normed inputs of
    // the attention and MLP branches (the same arrays as h[l] / hm[l] without layer norm), rs* the 1/σ of each LN row
    private final int[] xs, ys;
    private final double[][] h, a, rs1, q, k, v, kT, vT, p, ctx, hm, m, rs2, u;
    private final double[] hf, rsf, probs;
    // per-sequence backward buffers
    private final double[] dh, tmp, dctx, dq, dk, dv, dx, du, dS;
    // metrics: per block entropy and head-variance sums, rank collapse of h[0..L]
    private final double[] entSum, varSum, rcSum;

    /**
     * Whether the kernels compute {@code c}: softmax causal attention, the standard parameterization, pre-LN or no layer
     * norm; any V, T, d, heads, depth, residual scaling, MLP ratio (or no MLP), tied or untied head and init.
     */
    public static boolean supports(DeepConfig c) {
        return c != null && "softmax".equals(c.attention()) && c.causal() && "standard".equals(c.parameterization())
                && (!c.layerNorm() || "pre".equals(c.layerNormPosition()));
    }

    /** Kernels with float64 products (the gradient checks and float64 runs). */
    public DeepKernels(DeepConfig c) {
        this(c, false);
    }

    /** Kernels whose dense products are float32 when {@code floatProducts} (float32 runs), else float64. */
    public DeepKernels(DeepConfig c, boolean floatProducts) {
        f32 = floatProducts;
        if (!supports(c)) {
            throw new IllegalArgumentException("the deep kernels compute softmax causal attention, the standard "
                    + "parameterization and pre-LN (or no LN) only, got " + c);
        }
        vocab = c.vocab();
        t = c.seqLen();
        d = c.dModel();
        heads = c.heads();
        width = c.headDim();
        depth = c.depth();
        mlp = c.mlp();
        hidden = mlp ? c.mlpRatio() * d : 0;
        tied = c.tiedEmbedding();
        ln = c.layerNorm();
        scale = 1.0 / Math.sqrt(width);
        r = c.residualMultiplier();
        uniformEntropy = c.uniformAttentionEntropy();
        int td = t * d, dd = d * d, L = depth;
        wq = new double[L][];
        wk = new double[L][];
        wv = new double[L][];
        wo = new double[L][];
        w1 = new double[L][];
        w2 = new double[L][];
        gWte = new double[vocab * d];
        gWpe = new double[td];
        gHeadW = tied ? null : new double[d * vocab];
        headWT = tied ? null : new double[vocab * d];
        gBias = new double[vocab];
        gWq = arrays(L, dd);
        gWk = arrays(L, dd);
        gWv = arrays(L, dd);
        gWo = arrays(L, dd);
        gW1 = mlp ? arrays(L, d * hidden) : null;
        gW2 = mlp ? arrays(L, hidden * d) : null;
        wqT = arrays(L, dd);
        wkT = arrays(L, dd);
        wvT = arrays(L, dd);
        woT = arrays(L, dd);
        w1T = mlp ? arrays(L, d * hidden) : null;
        w2T = mlp ? arrays(L, hidden * d) : null;
        xs = new int[t];
        ys = new int[t];
        h = arrays(L + 1, td);
        a = ln ? arrays(L, td) : h;
        rs1 = arrays(L, ln ? t : 0);
        q = arrays(L, td);
        k = arrays(L, td);
        v = arrays(L, td);
        kT = arrays(L, td);
        vT = arrays(L, td);
        p = arrays(L, heads * t * t);
        ctx = arrays(L, td);
        hm = arrays(L, td);
        m = ln ? arrays(L, td) : hm;
        rs2 = arrays(L, ln ? t : 0);
        u = arrays(L, t * hidden);
        hf = ln ? new double[td] : h[L];
        rsf = new double[t];
        probs = new double[t * vocab];
        dh = new double[td];
        tmp = new double[td];
        dctx = new double[td];
        dq = new double[td];
        dk = new double[td];
        dv = new double[td];
        dx = new double[td];
        du = new double[t * hidden];
        dS = new double[t * t];
        entSum = new double[L];
        varSum = new double[L];
        rcSum = new double[L + 1];
    }

    private static double[][] arrays(int n, int size) {
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) x[i] = new double[size];
        return x;
    }

    /**
     * Binds the parameter arrays (row-major, by {@link DeepTransformer} name). They are read in place at every call, so
     * updating them in place (as the trainer's optimizer does) needs no new bind.
     */
    public void bind(Map<String, double[]> params) {
        wte = need(params, DeepTransformer.WTE, vocab * d);
        wpe = need(params, DeepTransformer.WPE, t * d);
        for (int l = 0; l < depth; l++) {
            wq[l] = need(params, DeepTransformer.wq(l), d * d);
            wk[l] = need(params, DeepTransformer.wk(l), d * d);
            wv[l] = need(params, DeepTransformer.wv(l), d * d);
            wo[l] = need(params, DeepTransformer.wo(l), d * d);
            if (mlp) {
                w1[l] = need(params, DeepTransformer.w1(l), d * hidden);
                w2[l] = need(params, DeepTransformer.w2(l), hidden * d);
            }
        }
        if (!tied) headW = need(params, DeepTransformer.HEAD_W, d * vocab);
        bias = need(params, DeepTransformer.HEAD_BIAS, vocab);
    }

    private static double[] need(Map<String, double[]> params, String name, int n) {
        return SingleLayerKernels.need(params, name, n);
    }

    /**
     * The gradient array of a parameter (by name), as filled by the last {@link #lossAndGradients} call; the same array
     * at every call (overwritten). Null for a name the model does not have.
     */
    public double[] gradient(String name) {
        switch (name) {
            case DeepTransformer.WTE:
                return gWte;
            case DeepTransformer.WPE:
                return gWpe;
            case DeepTransformer.HEAD_W:
                return gHeadW;
            case DeepTransformer.HEAD_BIAS:
                return gBias;
            default:
                break;
        }
        for (int l = 0; l < depth; l++) {
            if (name.equals(DeepTransformer.wq(l))) return gWq[l];
            if (name.equals(DeepTransformer.wk(l))) return gWk[l];
            if (name.equals(DeepTransformer.wv(l))) return gWv[l];
            if (name.equals(DeepTransformer.wo(l))) return gWo[l];
            if (mlp && name.equals(DeepTransformer.w1(l))) return gW1[l];
            if (mlp && name.equals(DeepTransformer.w2(l))) return gW2[l];
        }
        return null;
    }

    /**
     * Mean loss over the {@code count} sequences {@code seqs[from..]} of {@code ds} (inputs tokens 0..T-1, targets
     * 1..T) and the gradients of every parameter ({@link #gradient}). The graph outputs named in {@code extra}
     * (attention entropy, its ratio, head variance, rank collapse; see {@link DeepTransformer}) go into
     * {@code extraOut}.
     *
     * @throws IllegalArgumentException when {@code extra} names an output the kernels do not compute
     */
    public double lossAndGradients(TokenDataset ds, int[] seqs, int from, int count, List<String> extra,
                                   Map<String, Double> extraOut) {
        zero(gWte, gWpe, gHeadW, gBias);
        for (int l = 0; l < depth; l++) {
            zero(gWq[l], gWk[l], gWv[l], gWo[l]);
            transpose(wq[l], wqT[l], d, d);
            transpose(wk[l], wkT[l], d, d);
            transpose(wv[l], wvT[l], d, d);
            transpose(wo[l], woT[l], d, d);
            if (mlp) {
                zero(gW1[l], gW2[l]);
                transpose(w1[l], w1T[l], d, hidden);
                transpose(w2[l], w2T[l], hidden, d);
            }
        }
        if (!tied) transpose(headW, headWT, d, vocab);
        boolean metrics = !extra.isEmpty();
        if (metrics) zero(entSum, varSum, rcSum);
        double g = 1.0 / ((double) count * t);
        double loss = 0;
        for (int i = 0; i < count; i++) {
            load(ds, seqs[from + i]);
            loss += forward(null, 0);
            if (metrics) accumulateMetrics();
            backward(g);
        }
        for (String e : extra) extraOut.put(e, metric(e, count));
        return loss * g;
    }

    /** Per-token losses of sequence {@code seq} into {@code out[off..off+T)}; returns their sum. */
    public double tokenLosses(TokenDataset ds, int seq, double[] out, int off) {
        load(ds, seq);
        return forward(out, off);
    }

    private void load(TokenDataset ds, int seq) {
        SingleLayerKernels.load(ds, seq, xs, ys);
    }

    private static void zero(double[]... as) {
        SingleLayerKernels.zero(as);
    }

    // ---------------------------------------------------------------- forward

    /** Forward pass of the loaded sequence; returns the sum of its token losses (per token into out if non-null). */
    private double forward(double[] out, int off) {
        final int t = this.t, d = this.d, td = t * d;
        double[] h0 = h[0];
        for (int i = 0; i < t; i++) {
            int e = xs[i] * d, row = i * d;
            for (int j = 0; j < d; j++) h0[row + j] = wte[e + j] + wpe[row + j];
        }
        for (int l = 0; l < depth; l++) {
            double[] hl = h[l], al = a[l], ql = q[l], hml = hm[l], next = h[l + 1];
            if (ln) layerNorm(hl, al, rs1[l]);
            mm(al, wq[l], ql, t, d, d, false);
            for (int i = 0; i < td; i++) ql[i] *= scale;
            mm(al, wk[l], k[l], t, d, d, false);
            mm(al, wv[l], v[l], t, d, d, false);
            transpose(k[l], kT[l], t, d);
            transpose(v[l], vT[l], t, d);
            for (int hd = 0; hd < heads; hd++) {
                BlockedAttention.forward(ql, kT[l], v[l], p[l], hd * t * t, ctx[l], t, d, hd * width, width);
            }
            mm(ctx[l], wo[l], tmp, t, d, d, false);
            for (int i = 0; i < td; i++) hml[i] = hl[i] + r * tmp[i];
            if (mlp) {
                double[] ml = m[l], ul = u[l];
                if (ln) layerNorm(hml, ml, rs2[l]);
                mm(ml, w1[l], ul, t, d, hidden, false);
                for (int i = 0; i < t * hidden; i++) ul[i] = Math.max(ul[i], 0.0);
                mm(ul, w2[l], tmp, t, hidden, d, false);
                for (int i = 0; i < td; i++) next[i] = hml[i] + r * tmp[i];
            } else {
                System.arraycopy(hml, 0, next, 0, td);
            }
        }
        if (ln) layerNorm(h[depth], hf, rsf);
        return logitsAndLoss(out, off);
    }

    /** y = (x − mean) / sqrt(var + eps) per row of [T,d] (biased variance); rs[i] = 1/sqrt(var + eps). */
    private void layerNorm(double[] x, double[] y, double[] rs) {
        final int d = this.d;
        for (int i = 0; i < t; i++) {
            int o = i * d;
            double mu = 0;
            for (int j = 0; j < d; j++) mu += x[o + j];
            mu /= d;
            double var = 0;
            for (int j = 0; j < d; j++) {
                double c = x[o + j] - mu;
                y[o + j] = c;
                var += c * c;
            }
            double s = 1.0 / Math.sqrt(var / d + DeepTransformer.LN_EPS);
            rs[i] = s;
            for (int j = 0; j < d; j++) y[o + j] *= s;
        }
    }

    /** dx += rs · (dy − mean(dy) − y · mean(dy ⊙ y)) per row: the layer norm's backward pass (y its output). */
    private void layerNormBackAcc(double[] y, double[] rs, double[] dy, double[] dxAcc) {
        final int d = this.d;
        for (int i = 0; i < t; i++) {
            int o = i * d;
            double mg = 0, mgy = 0;
            for (int j = 0; j < d; j++) {
                mg += dy[o + j];
                mgy += dy[o + j] * y[o + j];
            }
            mg /= d;
            mgy /= d;
            double s = rs[i];
            for (int j = 0; j < d; j++) dxAcc[o + j] += s * (dy[o + j] - mg - y[o + j] * mgy);
        }
    }

    /** Logits of hf, softmax over the vocab in place in probs, cross-entropy; returns the sum of the token losses. */
    private double logitsAndLoss(double[] out, int off) {
        final int vv = vocab;
        if (tied) {
            // hf wteᵀ as dot products per token and token value (V is small; the forward pass also serves the
            // evaluation, which forms no transposed weights)
            for (int i = 0; i < t; i++) {
                for (int c = 0; c < vv; c++) probs[i * vv + c] = Rows.dot(hf, i * d, wte, c * d, d);
            }
        } else {
            mm(hf, headW, probs, t, d, vv, false);
        }
        return SingleLayerKernels.crossEntropy(probs, bias, ys, t, vv, out, off);
    }

    // ---------------------------------------------------------------- backward

    /** Backward pass of the loaded sequence (after {@link #forward}), each token's loss weighted by g; accumulates. */
    private void backward(double g) {
        final int t = this.t, d = this.d, td = t * d, vv = vocab;
        SingleLayerKernels.crossEntropyBack(probs, ys, t, vv, g, gBias);   // d logits, in place in probs
        double[] dhf = ln ? tmp : dh;
        if (tied) {
            matmulAtAcc(probs, hf, gWte, t, vv, d);         // gWte += dlogitsᵀ hf
            mm(probs, wte, dhf, t, vv, d, false);           // dhf = dlogits wte
        } else {
            matmulAtAcc(hf, probs, gHeadW, t, d, vv);       // gHeadW += hfᵀ dlogits
            mm(probs, headWT, dhf, t, vv, d, false);        // dhf = dlogits headWᵀ
        }
        if (ln) {
            Arrays.fill(dh, 0.0);
            layerNormBackAcc(hf, rsf, dhf, dh);
        }
        for (int l = depth - 1; l >= 0; l--) {
            if (mlp) {
                double[] ul = u[l];
                for (int i = 0; i < td; i++) tmp[i] = r * dh[i];                   // d(MLP output)
                matmulAtAcc(ul, tmp, gW2[l], t, hidden, d);                        // gW2 += uᵀ dmo
                mm(tmp, w2T[l], du, t, d, hidden, false);                          // du = dmo W2ᵀ
                for (int i = 0; i < t * hidden; i++) if (!(ul[i] > 0.0)) du[i] = 0.0;  // relu' (0 at 0)
                matmulAtAcc(m[l], du, gW1[l], t, d, hidden);                       // gW1 += mᵀ du
                branchBack(du, w1T[l], hidden, m[l], rs2[l]);                      // dh += LN'(du W1ᵀ)
            }
            for (int i = 0; i < td; i++) tmp[i] = r * dh[i];                       // d(attention output)
            matmulAtAcc(ctx[l], tmp, gWo[l], t, d, d);                             // gWo += ctxᵀ datt
            mm(tmp, woT[l], dctx, t, d, d, false);                                 // dctx = datt Woᵀ
            for (int hd = 0; hd < heads; hd++) {
                BlockedAttention.backward(p[l], hd * t * t, dctx, vT[l], q[l], k[l], dS, dq, dk, dv, t, d, hd * width,
                        width, scale);
            }
            double[] al = a[l];
            matmulAtAcc(al, dq, gWq[l], t, d, d);
            matmulAtAcc(al, dk, gWk[l], t, d, d);
            matmulAtAcc(al, dv, gWv[l], t, d, d);
            mm(dk, wkT[l], dx, t, d, d, false);
            mm(dv, wvT[l], dx, t, d, d, true);
            mm(dq, wqT[l], dx, t, d, d, true);                                     // dx = dq Wqᵀ + dk Wkᵀ + dv Wvᵀ
            if (ln) layerNormBackAcc(al, rs1[l], dx, dh);
            else for (int i = 0; i < td; i++) dh[i] += dx[i];
        }
        for (int i = 0; i < t; i++) {
            int e = xs[i] * d, row = i * d;
            for (int j = 0; j < d; j++) {
                gWpe[row + j] += dh[row + j];
                gWte[e + j] += dh[row + j];
            }
        }
    }

    /** dh += LN'(dz Wᵀ) (or dz Wᵀ without layer norm), dz [T,n], Wᵀ [n,d]; y and rs the branch's normed input. */
    private void branchBack(double[] dz, double[] wT, int n, double[] y, double[] rs) {
        mm(dz, wT, dx, t, n, d, false);
        if (ln) layerNormBackAcc(y, rs, dx, dh);
        else for (int i = 0; i < t * d; i++) dh[i] += dx[i];
    }

    // ---------------------------------------------------------------- metrics

    /** Adds the loaded sequence's entropy, head-variance and rank-collapse terms (after {@link #forward}). */
    private void accumulateMetrics() {
        final int tt = t * t;
        for (int l = 0; l < depth; l++) {
            double[] pl = p[l];
            for (int hd = 0; hd < heads; hd++) entSum[l] += BlockedAttention.entropySum(pl, hd * tt, t);
            if (heads > 1) {
                double s = 0;
                for (int i = 0; i < t; i++) {
                    for (int j = 0; j < t; j++) {
                        int e = i * t + j;
                        double mean = 0;
                        for (int hd = 0; hd < heads; hd++) mean += j <= i ? pl[hd * tt + e] : 0.0;
                        mean /= heads;
                        double var = 0;
                        for (int hd = 0; hd < heads; hd++) {
                            double dev = (j <= i ? pl[hd * tt + e] : 0.0) - mean;
                            var += dev * dev;
                        }
                        s += var / heads;
                    }
                }
                varSum[l] += s;
            }
        }
        for (int l = 0; l <= depth; l++) {
            double[] x = h[l];
            double num = 0, den = 0;
            for (int j = 0; j < d; j++) {
                double mean = 0;
                for (int i = 0; i < t; i++) mean += x[i * d + j];
                mean /= t;
                for (int i = 0; i < t; i++) {
                    double c = x[i * d + j] - mean;
                    num += c * c;
                    den += x[i * d + j] * x[i * d + j];
                }
            }
            rcSum[l] += Math.sqrt(num / den);
        }
    }

    /** The graph output {@code name} over the last batch of {@code count} sequences. */
    private double metric(String name, int count) {
        if (name.equals(DeepTransformer.EMB_RANK_COLLAPSE)) return rcSum[0] / count;
        for (int l = 0; l < depth; l++) {
            double ent = entSum[l] / ((double) count * heads * t);
            if (name.equals(DeepTransformer.entropy(l))) return ent;
            if (name.equals(DeepTransformer.entropyRatio(l)) && t > 1) return ent / uniformEntropy;
            if (name.equals(DeepTransformer.headVariance(l)) && heads > 1) return varSum[l] / ((double) count * t * t);
            if (name.equals(DeepTransformer.rankCollapse(l))) return rcSum[l + 1] / count;
        }
        throw new IllegalArgumentException("the deep kernels do not compute " + name);
    }

    // ---------------------------------------------------------------- dense helpers (row-major)

    /** c[m,n] = (acc ? c : 0) + a[m,k] b[k,n]. */
    private void mm(double[] a, double[] b, double[] c, int m, int k, int n, boolean acc) {
        Rows.gemm(a, 0, k, 1, b, 0, n, c, 0, n, m, n, 0, k, acc, f32);
    }

    private void matmulAtAcc(double[] a, double[] b, double[] c, int m, int k, int n) {
        SingleLayerKernels.matmulAtAcc(a, b, c, m, k, n, f32);
    }

    private static void transpose(double[] src, double[] dst, int m, int n) {
        SingleLayerKernels.transpose(src, dst, m, n);
    }
}
