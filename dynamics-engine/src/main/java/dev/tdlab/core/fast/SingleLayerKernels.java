package dev.tdlab.core.fast;

import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.singlelayer.SingleLayerConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerTransformer;
import java.util.Map;

/**
 * The single-layer transformer of {@link SingleLayerTransformer} (softmax attention) as hand-written float64 kernels:
 * plain loops over primitive arrays, one sequence at a time, every buffer allocated once. The same function as the
 * SameDiff graph, in the same parameter layout (row-major, by the graph's names):
 *
 * <pre>
 * h0 = wte[x_t] + wpe[t];  q = (h0 Wq)/√dh, k = h0 Wk, v = h0 Wv;  per head a = softmax_causal(q kᵀ), ctx = a v
 * h1 = h0 + ctx Wo;  h2 = h1 + max(h1 W1, 0) W2 (mlp);  logits = h2 wteᵀ + bias (tied) or h2 head/w + bias
 * loss = mean over B·T of the cross-entropy (nats)
 * </pre>
 *
 * Gradients are those of the graph's "loss" (the ReLU's derivative is 0 at 0, as the graph's {@code scalarMax}); the
 * attention entropy is the graph's "layer0/attn/entropy" (mean over sequences, heads and queries of
 * −Σ a·log(a + 1e-30)).
 *
 * <p>Every matrix product (projections, MLP, head, and the attention of head widths other than 4) is {@link Rows#gemm},
 * a register-tiled product of four rows at a time. The attention of head width 4 (the reference model) is one query
 * row at a time in fused passes over its keys; any other width is blocked ({@link #attentionBlocked}): blocks of
 * {@value #BLOCK} query rows, each block's scores, context, dP, dq as products over the keys, dv and dk as products over
 * the queries. Per sequence the keys and values are also stored transposed ({@code kT[j*T+u]}) so that score rows are
 * unit-stride over the key index u; the attention weights of the current sequence stay in one [H,T,T] buffer between
 * its forward and backward pass (T=256: 512 KB, in L2). The results are the same bits at every JIT tier ({@link Rows}).
 * Storage, softmax, loss and gradients are float64; the dense products (projections, MLP, head) are float32 when the
 * instance is made for a float32 run ({@code floatProducts}, mixed precision as in float32 frameworks), else float64.
 * The attention's products stay float64 in both (blocks of {@value #BLOCK} query rows: rounding the keys to float per
 * block would cost about what the float products save). Not thread-safe: one instance per training run.
 */
public final class SingleLayerKernels {

    private final int vocab, t, d, heads, dh, hidden;
    private final boolean mlp, tied;
    /** Whether the dense products are float32 ({@link Rows#gemm} with f32). */
    private final boolean f32;
    private final double scale;

    // parameters (the caller's arrays, read in place) and their gradients (owned here)
    private double[] wte, wpe, wq, wk, wv, wo, w1, w2, headW, bias;
    private final double[] gWte, gWpe, gWq, gWk, gWv, gWo, gW1, gW2, gHeadW, gBias;

    // per-sequence activations
    private final int[] xs, ys;
    private final double[] h0, q, k, v, kT, vT, p, ctx, h1, a1, h2, probs;
    // per-sequence backward buffers
    private final double[] dh2, da, dh1, dctx, dq, dkT, dvT, dk, dv, dh0, dp;
    /** Blocked attention (head width other than 4): one head's dP, then dS in place, [T,T]; null for head width 4. */
    private final double[] dS;
    // the transposed weight of a matmul with a transposed right operand
    private final double[] scratchW;
    private final double[] four = new double[4];

    /** Whether this path computes {@code c} (else the caller uses the SameDiff graph). */
    public static boolean supports(SingleLayerConfig c) {
        return "softmax".equals(c.attention());
    }

    /** Kernels with float64 products (the gradient checks and float64 runs). */
    public SingleLayerKernels(SingleLayerConfig c) {
        this(c, false);
    }

    /** Kernels whose dense products are float32 when {@code floatProducts} (float32 runs), else float64. */
    public SingleLayerKernels(SingleLayerConfig c, boolean floatProducts) {
        f32 = floatProducts;
        if (!supports(c)) throw new IllegalArgumentException("fast path: softmax attention only, got " + c.attention());
        vocab = c.vocab();
        t = c.seqLen();
        d = c.dModel();
        heads = c.heads();
        dh = d / heads;
        mlp = c.mlp();
        hidden = mlp ? c.mlpRatio() * d : 0;
        tied = c.tiedEmbedding();
        scale = 1.0 / Math.sqrt(dh);
        gWte = new double[vocab * d];
        gWpe = new double[t * d];
        gWq = new double[d * d];
        gWk = new double[d * d];
        gWv = new double[d * d];
        gWo = new double[d * d];
        gW1 = new double[d * hidden];
        gW2 = new double[hidden * d];
        gHeadW = tied ? null : new double[d * vocab];
        gBias = new double[vocab];
        xs = new int[t];
        ys = new int[t];
        int td = t * d;
        h0 = new double[td];
        q = new double[td];
        k = new double[td];
        v = new double[td];
        kT = new double[td];
        vT = new double[td];
        p = new double[heads * t * t];
        ctx = new double[td];
        h1 = new double[td];
        a1 = new double[t * hidden];
        h2 = new double[td];
        probs = new double[t * vocab];
        dh2 = new double[td];
        da = new double[t * hidden];
        dh1 = new double[td];
        dctx = new double[td];
        dq = new double[td];
        dkT = new double[td];
        dvT = new double[td];
        dk = new double[td];
        dv = new double[td];
        dh0 = new double[td];
        dp = new double[t];
        dS = dh == 4 ? null : new double[t * t];
        int wide = Math.max(Math.max(d, hidden), vocab);
        scratchW = new double[d * wide];
    }

    /**
     * Binds the parameter arrays (row-major, by {@link SingleLayerTransformer} name). They are read in place at every
     * call, so updating them in place (as the trainer's optimizer does) needs no new bind.
     */
    public void bind(Map<String, double[]> params) {
        wte = need(params, SingleLayerTransformer.WTE, vocab * d);
        wpe = need(params, SingleLayerTransformer.WPE, t * d);
        wq = need(params, SingleLayerTransformer.WQ, d * d);
        wk = need(params, SingleLayerTransformer.WK, d * d);
        wv = need(params, SingleLayerTransformer.WV, d * d);
        wo = need(params, SingleLayerTransformer.WO, d * d);
        if (mlp) {
            w1 = need(params, SingleLayerTransformer.W1, d * hidden);
            w2 = need(params, SingleLayerTransformer.W2, hidden * d);
        }
        if (!tied) headW = need(params, SingleLayerTransformer.HEAD_W, d * vocab);
        bias = need(params, SingleLayerTransformer.HEAD_BIAS, vocab);
    }

    static double[] need(Map<String, double[]> params, String name, int n) {
        double[] a = params.get(name);
        if (a == null) throw new IllegalArgumentException("missing parameter " + name);
        if (a.length != n) throw new IllegalArgumentException("parameter " + name + " needs " + n + ", got " + a.length);
        return a;
    }

    /**
     * The gradient array of a parameter (by name), as filled by the last {@link #lossAndGradients} call; the same array
     * at every call (overwritten).
     */
    public double[] gradient(String name) {
        return switch (name) {
            case SingleLayerTransformer.WTE -> gWte;
            case SingleLayerTransformer.WPE -> gWpe;
            case SingleLayerTransformer.WQ -> gWq;
            case SingleLayerTransformer.WK -> gWk;
            case SingleLayerTransformer.WV -> gWv;
            case SingleLayerTransformer.WO -> gWo;
            case SingleLayerTransformer.W1 -> mlp ? gW1 : null;
            case SingleLayerTransformer.W2 -> mlp ? gW2 : null;
            case SingleLayerTransformer.HEAD_W -> gHeadW;
            case SingleLayerTransformer.HEAD_BIAS -> gBias;
            default -> null;
        };
    }

    /**
     * Mean loss over the {@code count} sequences {@code seqs[from..]} of {@code ds} (inputs tokens 0..T-1, targets
     * 1..T) and the gradients of every parameter ({@link #gradient}). When {@code entropy} is non-null, entropy[0] is
     * set to the mean attention-row entropy.
     */
    public double lossAndGradients(TokenDataset ds, int[] seqs, int from, int count, double[] entropy) {
        zero(gWte, gWpe, gWq, gWk, gWv, gWo, gW1, gW2, gHeadW, gBias);
        double g = 1.0 / ((double) count * t);
        double loss = 0, ent = 0;
        for (int i = 0; i < count; i++) {
            load(ds, seqs[from + i]);
            loss += forward(null, 0);
            if (entropy != null) ent += entropySum();
            backward(g);
        }
        if (entropy != null) entropy[0] = ent / ((double) count * heads * t);
        return loss * g;
    }

    /** Per-token losses of sequence {@code seq} into {@code out[off..off+T)}; returns their sum. */
    public double tokenLosses(TokenDataset ds, int seq, double[] out, int off) {
        load(ds, seq);
        return forward(out, off);
    }

    private void load(TokenDataset ds, int seq) {
        load(ds, seq, xs, ys);
    }

    /** Inputs xs = tokens 0..T-1 and targets ys = tokens 1..T of sequence {@code seq}. */
    static void load(TokenDataset ds, int seq, int[] xs, int[] ys) {
        for (int i = 0; i < xs.length; i++) {
            xs[i] = ds.token(seq, i);
            ys[i] = ds.token(seq, i + 1);
        }
    }

    static void zero(double[]... as) {
        for (double[] a : as) if (a != null) java.util.Arrays.fill(a, 0.0);
    }

    // ---------------------------------------------------------------- forward

    /** Forward pass of the loaded sequence; returns the sum of its token losses (per token into out if non-null). */
    private double forward(double[] out, int off) {
        final int t = this.t, d = this.d;
        for (int i = 0; i < t; i++) {
            int e = xs[i] * d, r = i * d;
            for (int j = 0; j < d; j++) h0[r + j] = wte[e + j] + wpe[r + j];
        }
        matmul(h0, wq, q, t, d, d);
        for (int i = 0; i < t * d; i++) q[i] *= scale;
        matmul(h0, wk, k, t, d, d);
        matmul(h0, wv, v, t, d, d);
        transpose(k, kT, t, d);
        transpose(v, vT, t, d);
        for (int h = 0; h < heads; h++) {
            if (dh == 4) attention4(h);
            else attentionBlocked(h);
        }
        matmul(ctx, wo, h1, t, d, d);
        for (int i = 0; i < t * d; i++) h1[i] += h0[i];
        if (mlp) {
            matmul(h1, w1, a1, t, d, hidden);
            for (int i = 0; i < t * hidden; i++) a1[i] = Math.max(a1[i], 0.0);  // a1 holds u = max(h1 W1, 0)
            matmul(a1, w2, h2, t, hidden, d);
            for (int i = 0; i < t * d; i++) h2[i] += h1[i];
        } else {
            System.arraycopy(h1, 0, h2, 0, t * d);
        }
        // logits, softmax over the vocab, cross-entropy
        final int vv = vocab;
        if (tied) {
            matmulBt(h2, wte, probs, t, d, vv);      // h2 wte^T
        } else {
            matmul(h2, headW, probs, t, d, vv);
        }
        return crossEntropy(probs, bias, ys, t, vv, out, off);
    }

    /**
     * Adds the bias to the logits [T,V] in {@code probs}, turns each row into its softmax in place and returns the sum of
     * the token losses −log softmax(z)_y (per token into out if non-null).
     */
    static double crossEntropy(double[] probs, double[] bias, int[] ys, int t, int vv, double[] out, int off) {
        double loss = 0;
        for (int i = 0; i < t; i++) {
            int r = i * vv;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < vv; c++) {
                probs[r + c] += bias[c];
                max = Math.max(max, probs[r + c]);
            }
            double zy = probs[r + ys[i]] - max;
            double sum = 0;
            for (int c = 0; c < vv; c++) {
                double e = Math.exp(probs[r + c] - max);
                probs[r + c] = e;
                sum += e;
            }
            double tl = Math.log(sum) - zy;                 // -log softmax(z)_y
            for (int c = 0; c < vv; c++) probs[r + c] /= sum;
            if (out != null) out[off + i] = tl;
            loss += tl;
        }
        return loss;
    }

    /** The logits' gradient in place in probs (after {@link #crossEntropy}): (softmax − onehot)·g; gBias += its rows. */
    static void crossEntropyBack(double[] probs, int[] ys, int t, int vv, double g, double[] gBias) {
        for (int i = 0; i < t; i++) {
            int r = i * vv;
            probs[r + ys[i]] -= 1.0;
            for (int c = 0; c < vv; c++) {
                probs[r + c] *= g;
                gBias[c] += probs[r + c];
            }
        }
    }

    /** Head width 4: one query row at a time, fused passes over its keys ({@link Rows#normalizeContext4}). */
    private void attention4(int h) {
        final int t = this.t, d = this.d, c0 = h * 4;
        for (int i = 0; i < t; i++) {
            int row = (h * t + i) * t, n = i + 1;
            Rows.combine(q, i * d + c0, 4, kT, c0 * t, t, p, row, n, false);  // scores q_i·k_u, u <= i
            double max = Rows.max(p, row, n);
            double sum = Rows.expShiftSum(p, row, n, max);
            Rows.normalizeContext4(p, row, n, 1.0 / sum, vT, c0 * t, t, four);
            System.arraycopy(four, 0, ctx, i * d + c0, 4);
        }
    }

    /** Any head width: {@link BlockedAttention#forward}. */
    private void attentionBlocked(int h) {
        BlockedAttention.forward(q, kT, v, p, h * t * t, ctx, t, d, h * dh, dh);
    }

    /** Query rows per block of the blocked attention. */
    static final int BLOCK = BlockedAttention.BLOCK;

    /** Σ over heads and queries of −Σ_u a log(a + 1e-30), for the loaded sequence (after {@link #forward}). */
    private double entropySum() {
        double s = 0;
        for (int h = 0; h < heads; h++) s += BlockedAttention.entropySum(p, h * t * t, t);
        return s;
    }

    // ---------------------------------------------------------------- backward

    /** Backward pass of the loaded sequence (after {@link #forward}), each token's loss weighted by g; accumulates. */
    private void backward(double g) {
        final int t = this.t, d = this.d, vv = vocab;
        crossEntropyBack(probs, ys, t, vv, g, gBias);      // d logits, in place in probs
        if (tied) {
            matmulAtAcc(probs, h2, gWte, t, vv, d);  // gWte += dlogits^T h2   [V,d]
            matmul(probs, wte, dh2, t, vv, d);       // dh2 = dlogits wte       [T,d]
        } else {
            matmulAtAcc(h2, probs, gHeadW, t, d, vv); // gHeadW += h2^T dlogits [d,V]
            matmulBt(probs, headW, dh2, t, vv, d);    // dh2 = dlogits headW^T  [T,d]
        }
        // MLP
        System.arraycopy(dh2, 0, dh1, 0, t * d);
        if (mlp) {
            matmulAtAcc(a1, dh2, gW2, t, hidden, d);   // gW2 += u^T dh2
            matmulBt(dh2, w2, da, t, d, hidden);       // du = dh2 W2^T
            for (int i = 0; i < t * hidden; i++) if (!(a1[i] > 0.0)) da[i] = 0.0;  // relu' (0 at 0)
            matmulAtAcc(h1, da, gW1, t, d, hidden);    // gW1 += h1^T da
            matmulBtAcc(da, w1, dh1, t, hidden, d);    // dh1 += da W1^T
        }
        // attention output projection and residual
        System.arraycopy(dh1, 0, dh0, 0, t * d);
        matmulAtAcc(ctx, dh1, gWo, t, d, d);           // gWo += ctx^T dh1
        matmulBt(dh1, wo, dctx, t, d, d);              // dctx = dh1 Wo^T
        if (dh == 4) {
            java.util.Arrays.fill(dkT, 0.0);
            java.util.Arrays.fill(dvT, 0.0);
            for (int h = 0; h < heads; h++) attentionBack4(h);
            transpose(dkT, dk, d, t);
            transpose(dvT, dv, d, t);
        } else {
            for (int h = 0; h < heads; h++) attentionBackBlocked(h);
        }
        matmulAtAcc(h0, dq, gWq, t, d, d);
        matmulAtAcc(h0, dk, gWk, t, d, d);
        matmulAtAcc(h0, dv, gWv, t, d, d);
        matmulBtAcc(dq, wq, dh0, t, d, d);
        matmulBtAcc(dk, wk, dh0, t, d, d);
        matmulBtAcc(dv, wv, dh0, t, d, d);
        for (int i = 0; i < t; i++) {
            int e = xs[i] * d, r = i * d;
            for (int j = 0; j < d; j++) {
                gWpe[r + j] += dh0[r + j];
                gWte[e + j] += dh0[r + j];
            }
        }
    }

    /** Head width 4: two fused passes per query row ({@link Rows#backValues4}, {@link Rows#backKeys4}). */
    private void attentionBack4(int h) {
        final int t = this.t, d = this.d, c0 = h * 4;
        for (int i = 0; i < t; i++) {
            int row = (h * t + i) * t, n = i + 1;
            // dp[u] = Σ_j dctx[i,j] vT[j,u];  dvT[j,u] += a[u] dctx[i,j]
            double rowdot = Rows.backValues4(p, row, n, dctx, i * d + c0, vT, dvT, c0 * t, t, dp);
            // ds = a (dp − rowdot); dq[i,j] = Σ_u ds[u] kT[j,u] (of the scaled q);  dkT[j,u] += ds[u] q[i,j]
            Rows.backKeys4(p, row, n, dp, rowdot, q, i * d + c0, kT, dkT, c0 * t, t, four);
            for (int j = 0; j < 4; j++) dq[i * d + c0 + j] = four[j] * scale;
        }
    }

    /** Any head width: {@link BlockedAttention#backward}. */
    private void attentionBackBlocked(int h) {
        BlockedAttention.backward(p, h * t * t, dctx, vT, q, k, dS, dq, dk, dv, t, d, h * dh, dh, scale);
    }

    // ---------------------------------------------------------------- small dense kernels (row-major)

    /** c[m,n] = a[m,k] b[k,n]. */
    void matmul(double[] a, double[] b, double[] c, int m, int k, int n) {
        Rows.gemm(a, 0, k, 1, b, 0, n, c, 0, n, m, n, 0, k, false, f32);
    }

    /** c[m,n] = a[m,k] b[n,k]^T (b transposed into the scratch buffer first). */
    void matmulBt(double[] a, double[] b, double[] c, int m, int k, int n) {
        transpose(b, scratchW, n, k);
        Rows.gemm(a, 0, k, 1, scratchW, 0, n, c, 0, n, m, n, 0, k, false, f32);
    }

    /** c[m,n] += a[m,k] b[n,k]^T. */
    void matmulBtAcc(double[] a, double[] b, double[] c, int m, int k, int n) {
        transpose(b, scratchW, n, k);
        Rows.gemm(a, 0, k, 1, scratchW, 0, n, c, 0, n, m, n, 0, k, true, f32);
    }

    /** c[k,n] += a[m,k]^T b[m,n] (a read transposed through its strides). */
    void matmulAtAcc(double[] a, double[] b, double[] c, int m, int k, int n) {
        matmulAtAcc(a, b, c, m, k, n, f32);
    }

    /** c[k,n] += a[m,k]^T b[m,n], the product in float32 when f32. */
    static void matmulAtAcc(double[] a, double[] b, double[] c, int m, int k, int n, boolean f32) {
        Rows.gemm(a, 0, 1, k, b, 0, n, c, 0, n, k, n, 0, m, true, f32);
    }

    /** dst[n,m] = src[m,n]^T. */
    static void transpose(double[] src, double[] dst, int m, int n) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) dst[j * m + i] = src[i * n + j];
        }
    }
}
