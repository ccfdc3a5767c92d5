package dev.tdlab.core.model;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Causal self-attention with a choice of kernel (Song et al. 2024), shared by the graph factories. For query
 * position t and key position s &le; t, with head width dh, q = h Wq, k = h Wk, v = h Wv (per head):
 *
 * <ul>
 *   <li>{@code softmax}: a[t,s] = exp(q_t·k_s/√dh) / Σ_{r≤t} exp(q_t·k_r/√dh)</li>
 *   <li>{@code gaussian}: a[t,s] = exp(−‖q_t−k_s‖²/(2√dh)) / Σ_{r≤t} exp(−‖q_t−k_r‖²/(2√dh)). Normalized over the
 *       causal keys, so the ‖q_t‖² factor cancels and it is computed as the softmax of
 *       q_t·k_s/√dh − ‖k_s‖²/(2√dh): one extra [B,(H,)1,T] term, the same function exactly.</li>
 *   <li>{@code linear}: a[t,s] = (q_t·k_s/√dh) / (t+1), no normalization of the weights' sum (the 1/(t+1) is the mean
 *       over the causal keys, which keeps the output O(1) in T); a[t,s] = 0 for s &gt; t.</li>
 * </ul>
 * The output is Σ_s a[t,s] v_s per head, heads concatenated, then @ Wo.
 */
public final class Attention {

    /** Attention kernels the factories know. */
    public static final List<String> KERNELS = List.of("softmax", "gaussian", "linear");

    /**
     * Added to the attention scores above the diagonal: exp gives exactly 0 in float32 and float64. −∞ rather than a
     * large finite negative value: libm's expf takes a slow, errno-setting underflow path for finite arguments below
     * −104, which was 10% of a training step at T=256 (the diagonal is never masked, so no row is all −∞).
     */
    public static final double MASK_VALUE = Double.NEGATIVE_INFINITY;

    private Attention() {
    }

    /**
     * The attention branch (before Wo) of one layer: returns ctx [B*T,d]. Names its variables under
     * {@code prefix} ("layer0/attn"): scores, probs (the attention weights), ctx, and "entropy" (the mean over
     * batch, heads and queries of −Σ_s a log a; computed only when requested; softmax and gaussian kernels only).
     */
    public static SDVariable branch(SameDiff sd, String prefix, String kernel, SDVariable hf, SDVariable wq, SDVariable wk,
                             SDVariable wv, int t, int d, int nh, DataType dtype) {
        int dh = d / nh;
        double scale = 1.0 / Math.sqrt(dh);
        SDVariable q = sd.mmul(prefix + "/q", hf, wq).mul(scale);                    // [B*T,d], scaled by 1/sqrt(dh)
        SDVariable k = sd.mmul(prefix + "/k", hf, wk);                               // [B*T,d]
        SDVariable val = sd.mmul(prefix + "/v", hf, wv);                             // [B*T,d]
        SDVariable q4, k4, v4;
        if (nh == 1) {
            q4 = q.reshape(-1, t, d);                                                // [B,T,d]
            k4 = k.reshape(-1, t, d);                                                // [B,T,d]
            v4 = val.reshape(-1, t, d);                                              // [B,T,d]
        } else {
            q4 = q.reshape(-1, t, nh, dh).permute(0, 2, 1, 3);                       // [B,H,T,dh]
            k4 = k.reshape(-1, t, nh, dh).permute(0, 2, 1, 3);                       // [B,H,T,dh]
            v4 = val.reshape(-1, t, nh, dh).permute(0, 2, 1, 3);                     // [B,H,T,dh]
        }
        SDVariable s = sd.mmul(prefix + "/scores", q4, k4, false, true, false);      // [B,(H,)T,T] q·k/sqrt(dh)
        SDVariable a;
        switch (kernel) {
            case "softmax" -> {
                SDVariable mask = sd.constant(prefix + "/mask", additiveMask(t, dtype));  // [T,T]
                a = sd.nn().softmax(prefix + "/probs", s.add(mask), -1);             // [B,(H,)T,T]
            }
            case "gaussian" -> {
                SDVariable mask = sd.constant(prefix + "/mask", additiveMask(t, dtype));  // [T,T]
                // −‖k_s‖²/(2 sqrt(dh)) per key, broadcast over the queries
                SDVariable kk = k4.mul(k4).sum(nh == 1 ? 2 : 3).mul(-0.5 * scale);   // [B,(H,)T]
                SDVariable kRow = nh == 1 ? kk.reshape(-1, 1, t) : kk.reshape(-1, nh, 1, t); // [B,(H,)1,T]
                SDVariable g = s.add(prefix + "/gscores", kRow);                     // [B,(H,)T,T]
                a = sd.nn().softmax(prefix + "/probs", g.add(mask), -1);             // [B,(H,)T,T]
            }
            case "linear" -> {
                SDVariable w = sd.constant(prefix + "/mask", linearMask(t, dtype));  // [T,T] tril / (t+1)
                a = s.mul(prefix + "/probs", w);                                     // [B,(H,)T,T]
            }
            default -> throw new IllegalArgumentException("unknown attention kernel " + kernel);
        }
        if (!"linear".equals(kernel)) {
            SDVariable plogp = a.mul(sd.math().log(a.add(1e-30)));                   // [B,(H,)T,T], 0 where a = 0
            plogp.sum(-1).mean().mul(prefix + "/entropy", -1.0);                     // [] mean row entropy (nats)
        }
        SDVariable ctx = sd.mmul(prefix + "/ctx", a, v4);                            // [B,(H,)T,dh]
        if (nh == 1) return ctx.reshape(-1, d);                                      // [B*T,d]
        return ctx.permute(0, 2, 1, 3).reshape(-1, d);                               // [B,T,H,dh] -> [B*T,d]
    }

    /**
     * Attention of every position over every position (no mask), for the classifier family: returns ctx [B*n, dv]
     * (heads concatenated), naming its variables under {@code prefix}: q, k, v, scores, probs and (normalized kernels,
     * when {@code entropy}) "entropy", the mean row entropy in nats. Query/key width dk and value width dv are totals
     * over the nh heads; the scores are c·q·k with c = {@code scale}. Kernels:
     * <ul>
     *   <li>{@code softmax}: a[t,s] = softmax_s(c q_t·k_s);</li>
     *   <li>{@code gaussian}: a[t,s] = exp(−c‖q_t−k_s‖²/2) / Σ_r exp(−c‖q_t−k_r‖²/2), computed as
     *       softmax_s(c q_t·k_s − c‖k_s‖²/2) (the ‖q_t‖² factor cancels), as the causal {@link #branch};</li>
     *   <li>{@code gaussian-unnormalized}: a[t,s] = exp(c q_t·k_s − c‖k_s‖²/2 − c‖q_t‖²/2) = exp(−c‖q_t−k_s‖²/2),
     *       in (0, 1], not normalized.</li>
     * </ul>
     */
    public static SDVariable bidirectional(SameDiff sd, String prefix, String kernel, SDVariable hf, SDVariable wq,
                                    SDVariable wk, SDVariable wv, int n, int dk, int dv, int nh, double scale,
                                    boolean entropy) {
        int dkh = dk / nh, dvh = dv / nh;
        SDVariable q = sd.mmul(prefix + "/q", hf, wq);                               // [B*n,dk]
        SDVariable k = sd.mmul(prefix + "/k", hf, wk);                               // [B*n,dk]
        SDVariable val = sd.mmul(prefix + "/v", hf, wv);                             // [B*n,dv]
        SDVariable q4, k4, v4;
        if (nh == 1) {
            q4 = q.reshape(-1, n, dk);                                               // [B,n,dk]
            k4 = k.reshape(-1, n, dk);                                               // [B,n,dk]
            v4 = val.reshape(-1, n, dv);                                             // [B,n,dv]
        } else {
            q4 = q.reshape(-1, n, nh, dkh).permute(0, 2, 1, 3);                      // [B,H,n,dkh]
            k4 = k.reshape(-1, n, nh, dkh).permute(0, 2, 1, 3);                      // [B,H,n,dkh]
            v4 = val.reshape(-1, n, nh, dvh).permute(0, 2, 1, 3);                    // [B,H,n,dvh]
        }
        int last = nh == 1 ? 2 : 3;
        SDVariable s = sd.mmul(q4, k4, false, true, false).mul(prefix + "/scores", scale); // [B,(H,)n,n] c q·k
        SDVariable a;
        switch (kernel) {
            case "softmax" -> a = sd.nn().softmax(prefix + "/probs", s, -1);         // [B,(H,)n,n]
            case "gaussian", "gaussian-unnormalized" -> {
                SDVariable kk = k4.mul(k4).sum(last).mul(-0.5 * scale);              // [B,(H,)n] −c‖k_s‖²/2
                SDVariable kRow = nh == 1 ? kk.reshape(-1, 1, n) : kk.reshape(-1, nh, 1, n); // [B,(H,)1,n]
                SDVariable g = s.add(prefix + "/gscores", kRow);                     // [B,(H,)n,n]
                if (kernel.equals("gaussian")) {
                    a = sd.nn().softmax(prefix + "/probs", g, -1);                   // [B,(H,)n,n]
                } else {
                    SDVariable qq = q4.mul(q4).sum(last).mul(-0.5 * scale);          // [B,(H,)n] −c‖q_t‖²/2
                    SDVariable qCol = nh == 1 ? qq.reshape(-1, n, 1) : qq.reshape(-1, nh, n, 1); // [B,(H,)n,1]
                    a = sd.math().exp(prefix + "/probs", g.add(qCol));               // [B,(H,)n,n] in (0,1]
                }
            }
            default -> throw new IllegalArgumentException("unknown attention kernel " + kernel);
        }
        if (entropy && !kernel.equals("gaussian-unnormalized")) {
            SDVariable plogp = a.mul(sd.math().log(a.add(1e-30)));                   // [B,(H,)n,n]
            plogp.sum(-1).mean().mul(prefix + "/entropy", -1.0);                     // [] mean row entropy (nats)
        }
        SDVariable ctx = sd.mmul(prefix + "/ctx", a, v4);                            // [B,(H,)n,dvh]
        if (nh == 1) return ctx.reshape(-1, dv);                                     // [B*n,dv]
        return ctx.permute(0, 2, 1, 3).reshape(-1, dv);                              // [B,n,H,dvh] -> [B*n,dv]
    }

    /** 0 on and below the diagonal (key s &le; query t), {@link #MASK_VALUE} above. */
    public static INDArray additiveMask(int t, DataType dtype) {
        double[] m = new double[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) m[i * t + j] = MASK_VALUE;
        }
        return Nd4j.createFromArray(m).reshape('c', t, t).castTo(dtype);
    }

    /** 1/(t+1) on and below the diagonal, 0 above. */
    public static INDArray linearMask(int t, DataType dtype) {
        double[] m = new double[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j <= i; j++) m[i * t + j] = 1.0 / (i + 1);
        }
        return Nd4j.createFromArray(m).reshape('c', t, t).castTo(dtype);
    }
}
