package dev.tdlab.core.model.deep;

import dev.tdlab.core.model.Attention;
import dev.tdlab.core.model.Inits;
import dev.tdlab.core.model.ParameterGroups;
import dev.tdlab.core.model.singlelayer.SingleLayerTransformer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The {@code deep} family ({@link DeepConfig}) as one SameDiff graph, built by {@link #build}.
 *
 * <pre>
 * x [B,T,V] one-hot ─@ wte [V,d]─┐
 *                     + wpe [T,d] ┴─ h_0 ─ block 0 ─ h_1 ─ … ─ block L−1 ─ h_L ─ LN? ─ head ─ logits [B*T,V]
 * block l:  h += r · (Attn_l(LN?(h)) @ wo·c_o)          Attn_l: causal (or bidirectional), H heads, kernel
 *           h += r · (relu(LN?(h) @ w1·c_1) @ w2·c_2)   (when mlp)       softmax|gaussian|linear
 *           (post-LN: h = LN(h + r · branch(h)) instead, and no LN before the head)
 * logits = (h @ wte^T  or  h @ head/w) · c_out + bias
 * loss = mean over B*T of the softmax cross-entropy (nats);  tokenLoss [B*T] per token
 * </pre>
 * r, c_o, c_1, c_2, c_out and the logit scale come from the parameterization (see {@link DeepConfig}). Parameters are
 * named like the single-layer model's, per block ({@code layer3/attn/wq}), so {@link ParameterGroups} work unchanged.
 *
 * <p>Extra scalar outputs (not losses; computed only when fetched): {@code layerL/attn/entropy} (softmax, gaussian)
 * and the rank-collapse measure {@code emb/rank_collapse} (of h_0) and {@code layerL/rank_collapse} (of h_{l+1}, the
 * output of block l, before the final layer norm): per sequence ‖X − 1 x̄ᵀ‖_F / ‖X‖_F with X the T×d token matrix
 * and x̄ its mean row, averaged over the batch (see {@link dev.tdlab.core.metrics.RankCollapse}).
 */
public final class DeepTransformer {

    /** One-hot inputs, placeholder [B,T,V]. */
    public static final String INPUT = SingleLayerTransformer.INPUT;
    /** One-hot targets, placeholder [B,T,V]. */
    public static final String TARGET = SingleLayerTransformer.TARGET;
    /** Logits, [B*T,V] (row b*T+t). */
    public static final String LOGITS = SingleLayerTransformer.LOGITS;
    /** Per-token cross-entropy in nats, [B*T]. */
    public static final String TOKEN_LOSS = SingleLayerTransformer.TOKEN_LOSS;
    /** Mean cross-entropy over all B*T targets in nats, scalar; the graph's loss variable. */
    public static final String LOSS = SingleLayerTransformer.LOSS;

    public static final String WTE = SingleLayerTransformer.WTE;
    public static final String WPE = SingleLayerTransformer.WPE;
    public static final String HEAD_W = SingleLayerTransformer.HEAD_W;
    public static final String HEAD_BIAS = SingleLayerTransformer.HEAD_BIAS;
    /** Rank-collapse measure of the embeddings h_0, scalar. */
    public static final String EMB_RANK_COLLAPSE = "emb/rank_collapse";

    /** Layer-norm epsilon (added to the variance). */
    public static final double LN_EPS = 1e-5;

    private DeepTransformer() {
    }

    /** {@code layer{l}/attn/wq}. */
    public static String wq(int l) {
        return "layer" + l + "/attn/wq";
    }

    /** {@code layer{l}/attn/wk}. */
    public static String wk(int l) {
        return "layer" + l + "/attn/wk";
    }

    /** {@code layer{l}/attn/wv}. */
    public static String wv(int l) {
        return "layer" + l + "/attn/wv";
    }

    /** {@code layer{l}/attn/wo}. */
    public static String wo(int l) {
        return "layer" + l + "/attn/wo";
    }

    /** {@code layer{l}/mlp/w1}. */
    public static String w1(int l) {
        return "layer" + l + "/mlp/w1";
    }

    /** {@code layer{l}/mlp/w2}. */
    public static String w2(int l) {
        return "layer" + l + "/mlp/w2";
    }

    /** {@code layer{l}/attn/entropy}: mean attention-row entropy of block l (nats), scalar. */
    public static String entropy(int l) {
        return "layer" + l + "/attn/entropy";
    }

    /** {@code layer{l}/attn/probs}: attention weights of block l, [B,H,T,T] ([B,T,T] for one head). */
    public static String probs(int l) {
        return "layer" + l + "/attn/probs";
    }

    /** {@code layer{l}/rank_collapse}: the rank-collapse measure of the output of block l, scalar. */
    public static String rankCollapse(int l) {
        return "layer" + l + "/rank_collapse";
    }

    /**
     * {@code layer{l}/attn/entropy_ratio}: block l's mean attention-row entropy divided by that of uniform attention
     * over the same keys ({@link DeepConfig#uniformAttentionEntropy}), scalar; 1 = uniform, 0 = one-hot (saturated).
     */
    public static String entropyRatio(int l) {
        return "layer" + l + "/attn/entropy_ratio";
    }

    /**
     * {@code layer{l}/attn/head_variance}: the variance across the H heads of block l's attention weights a_h[t,s]
     * (population variance), averaged over the batch and all T×T entries (masked entries count as 0), scalar.
     */
    public static String headVariance(int l) {
        return "layer" + l + "/attn/head_variance";
    }

    /** {@code layer{l}/out}: the output h_{l+1} of block l, [B*T,d]. */
    public static String blockOutput(int l) {
        return "layer" + l + "/out";
    }

    /** Trainable parameter names in a fixed order (the init order, and the order of optimizer state). */
    public static List<String> parameterNames(DeepConfig c) {
        return List.copyOf(shapes(c).keySet());
    }

    /** Parameter shapes, in {@link #parameterNames} order. */
    public static Map<String, long[]> shapes(DeepConfig c) {
        long v = c.vocab(), t = c.seqLen(), d = c.dModel(), h = (long) c.mlpRatio() * c.dModel();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(WTE, new long[] {v, d});
        m.put(WPE, new long[] {t, d});
        for (int l = 0; l < c.depth(); l++) {
            m.put(wq(l), new long[] {d, d});
            m.put(wk(l), new long[] {d, d});
            m.put(wv(l), new long[] {d, d});
            m.put(wo(l), new long[] {d, d});
            if (c.mlp()) {
                m.put(w1(l), new long[] {d, h});
                m.put(w2(l), new long[] {h, d});
            }
        }
        if (!c.tiedEmbedding()) m.put(HEAD_W, new long[] {d, v});
        m.put(HEAD_BIAS, new long[] {v});
        return Collections.unmodifiableMap(m);
    }

    /**
     * Initial parameter values (row-major, in {@link #parameterNames} order): the config's scheme (see
     * {@link DeepConfig}), drawn in parameter order from one Box–Muller stream on SplittableRandom(seed), then the
     * explicit values.
     *
     * @throws IllegalArgumentException when an explicit value names no parameter or has the wrong size
     */
    public static Map<String, double[]> initialParameters(DeepConfig c, long seed) {
        Map<String, long[]> shapes = shapes(c);
        SingleLayerTransformer.GaussianSource g = new SingleLayerTransformer.GaussianSource(seed);
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            double[] w = new double[Inits.size(shape)];
            if (!name.equals(HEAD_BIAS)) {
                double s = c.initStd();
                boolean embedding = name.startsWith("emb/");
                switch (c.initScheme()) {
                    case "gaussian" -> {
                    }
                    case "gpt2" -> {
                        if (name.endsWith("/attn/wo") || name.endsWith("/mlp/w2")) s /= Math.sqrt(2.0 * c.depth());
                    }
                    case "xavier" -> {
                        if (!embedding) s /= Math.sqrt(shape[0]);
                    }
                    default -> throw new IllegalStateException(c.initScheme());
                }
                if (name.endsWith("/attn/wq") || name.endsWith("/attn/wk")) s *= c.qkInitScale();
                if (c.mupAdam() && (name.equals(WTE) || name.equals(WPE) || name.equals(HEAD_W))) s /= Math.sqrt(c.dModel());
                for (int i = 0; i < w.length; i++) w[i] = s * g.next();
            }
            out.put(name, w);
        }
        for (Map.Entry<String, double[]> e : c.initValues().entrySet()) {
            double[] target = out.get(e.getKey());
            if (target == null) {
                throw new IllegalArgumentException("initValues names " + e.getKey() + ", not a parameter; parameters: "
                        + shapes.keySet());
            }
            if (e.getValue().length != target.length) {
                throw new IllegalArgumentException("initValues " + e.getKey() + " needs " + target.length
                        + " values, got " + e.getValue().length);
            }
            System.arraycopy(e.getValue(), 0, target, 0, target.length);
        }
        return out;
    }

    /** The attention-entropy outputs, one per block; empty for the linear kernel. */
    public static List<String> attentionEntropies(DeepConfig c) {
        if (c.attention().equals("linear")) return List.of();
        List<String> names = new ArrayList<>();
        for (int l = 0; l < c.depth(); l++) names.add(entropy(l));
        return List.copyOf(names);
    }

    /**
     * The family's extra scalar outputs as metric name → graph variable: {@code rank_collapse/emb} →
     * {@code emb/rank_collapse} and {@code rank_collapse/layer{l}} → {@code layer{l}/rank_collapse}.
     */
    public static Map<String, String> familyMetrics(DeepConfig c) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("rank_collapse/emb", EMB_RANK_COLLAPSE);
        for (int l = 0; l < c.depth(); l++) m.put("rank_collapse/layer" + l, rankCollapse(l));
        if (!c.attention().equals("linear") && c.seqLen() > 1) {
            for (int l = 0; l < c.depth(); l++) m.put("attn_entropy_ratio/layer" + l, entropyRatio(l));
        }
        if (c.heads() > 1) {
            for (int l = 0; l < c.depth(); l++) m.put("head_variance/layer" + l, headVariance(l));
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * Per-block gradient-norm groups as metric name → parameters: {@code grad_norm/layer{l}/q|k|v} →
     * {@code layer{l}/attn/wq|wk|wv}.
     */
    public static Map<String, List<String>> layerGradNorms(DeepConfig c) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int l = 0; l < c.depth(); l++) {
            m.put("grad_norm/layer" + l + "/q", List.of(wq(l)));
            m.put("grad_norm/layer" + l + "/k", List.of(wk(l)));
            m.put("grad_norm/layer" + l + "/v", List.of(wv(l)));
        }
        return Collections.unmodifiableMap(m);
    }

    /** The graph in {@code dtype} (FLOAT or DOUBLE), parameters initialized from {@code seed}. */
    public static SameDiff build(DeepConfig c, DataType dtype, long seed) {
        return build(c, dtype, initialParameters(c, seed));
    }

    /** The graph in {@code dtype} (FLOAT or DOUBLE) with the given parameter values (row-major, by name). */
    public static SameDiff build(DeepConfig c, DataType dtype, Map<String, double[]> params) {
        return build(c, dtype, params, false);
    }

    /**
     * As {@link #build(DeepConfig, DataType, Map)}; {@code reluOp} true builds the MLP's ReLU as ND4J's relu op (the
     * earlier form, the same function and gradient, kept for the test that trains both forms side by side).
     */
    static SameDiff build(DeepConfig c, DataType dtype, Map<String, double[]> params, boolean reluOp) {
        if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
            throw new IllegalArgumentException("dtype must be FLOAT or DOUBLE, got " + dtype);
        }
        final int v = c.vocab(), t = c.seqLen(), d = c.dModel(), nh = c.heads(), hid = c.mlpRatio() * d;
        final double r = c.residualMultiplier();
        // mup: 1/sqrt(fan_in) on every hidden matrix; logits q.k/N: Attention.branch divides by sqrt(N), the other
        // N^(-1/2) is split as N^(-1/4) on W_Q and on W_K (the same function for every kernel)
        final double cIn = c.hiddenMultiplier(d), cHid = c.hiddenMultiplier(hid);
        final double cQk = c.mupLike() ? cIn * Math.pow(c.headDim(), -0.25) : 1.0;
        final double cOut = c.readoutMultiplier();
        Map<String, long[]> shapes = shapes(c);
        SameDiff sd = SameDiff.create();

        SDVariable x = sd.placeHolder(INPUT, dtype, -1, t, v);                       // [B,T,V]
        SDVariable y = sd.placeHolder(TARGET, dtype, -1, t, v);                      // [B,T,V]
        SDVariable wte = SingleLayerTransformer.param(sd, WTE, shapes, params, dtype);       // [V,d]
        SDVariable wpe = SingleLayerTransformer.param(sd, WPE, shapes, params, dtype);       // [T,d]
        SDVariable bias = SingleLayerTransformer.param(sd, HEAD_BIAS, shapes, params, dtype); // [V]

        // embeddings
        final double cEmb = c.embeddingMultiplier();                                 // √d under mup for Adam, else 1
        SDVariable wteE = scaled(wte, "emb/wte_eff", cEmb);                          // [V,d]
        SDVariable tok = sd.mmul("emb/tok", x.reshape(-1, v), wteE);                 // [B*T,V]@[V,d] -> [B*T,d]
        SDVariable h = tok.reshape(-1, t, d).add("emb/h0", scaled(wpe, "emb/wpe_eff", cEmb)).reshape(-1, d); // [B*T,d]
        final boolean post = c.layerNorm() && c.layerNormPosition().equals("post");
        final double hUniform = c.uniformAttentionEntropy();
        rankCollapse(sd, EMB_RANK_COLLAPSE, h, t, d);                                // []

        for (int l = 0; l < c.depth(); l++) {
            String p = "layer" + l;
            SDVariable wq = SingleLayerTransformer.param(sd, wq(l), shapes, params, dtype);  // [d,d]
            SDVariable wk = SingleLayerTransformer.param(sd, wk(l), shapes, params, dtype);  // [d,d]
            SDVariable wv = SingleLayerTransformer.param(sd, wv(l), shapes, params, dtype);  // [d,d]
            SDVariable wo = SingleLayerTransformer.param(sd, wo(l), shapes, params, dtype);  // [d,d]
            SDVariable wqE = scaled(wq, p + "/attn/wq_eff", cQk);                    // [d,d] wq * cQk
            SDVariable wkE = scaled(wk, p + "/attn/wk_eff", cQk);                    // [d,d] wk * cQk
            SDVariable wvE = scaled(wv, p + "/attn/wv_eff", cIn);                    // [d,d] wv * cIn
            SDVariable woE = scaled(wo, p + "/attn/wo_eff", cIn);                    // [d,d] wo * cIn (fan_in d)

            // attention branch
            SDVariable a = c.layerNorm() && !post ? layerNorm(sd, p + "/ln1", h) : h; // [B*T,d]
            SDVariable ctx = c.causal()
                    ? Attention.branch(sd, p + "/attn", c.attention(), a, wqE, wkE, wvE, t, d, nh, dtype)  // [B*T,d]
                    : Attention.bidirectional(sd, p + "/attn", c.attention(), a, wqE, wkE, wvE, t, d, d, nh,
                            1.0 / Math.sqrt(c.headDim()), true);                     // [B*T,d] no mask
            if (!c.attention().equals("linear") && t > 1) {
                sd.getVariable(p + "/attn/entropy").div(entropyRatio(l), hUniform);  // [] entropy / uniform entropy
            }
            if (nh > 1) {
                SDVariable pr = sd.getVariable(p + "/attn/probs");                   // [B,H,T,T]
                SDVariable dev = pr.sub(pr.mean(true, 1));                           // [B,H,T,T] minus head mean
                dev.mul(dev).mean(1).mean(headVariance(l));                          // [] var over heads, mean rest
            }
            SDVariable att = sd.mmul(p + "/attn/out", ctx, woE);                     // [B*T,d]@[d,d] -> [B*T,d]
            h = h.add(p + "/h_attn", r == 1.0 ? att : att.mul(r));                   // [B*T,d] residual, r·branch
            if (post) h = layerNorm(sd, p + "/ln1", h);                              // [B*T,d] post-LN

            // MLP branch
            if (c.mlp()) {
                SDVariable w1 = SingleLayerTransformer.param(sd, w1(l), shapes, params, dtype);  // [d,r*d]
                SDVariable w2 = SingleLayerTransformer.param(sd, w2(l), shapes, params, dtype);  // [r*d,d]
                SDVariable m = c.layerNorm() && !post ? layerNorm(sd, p + "/ln2", h) : h; // [B*T,d]
                SDVariable pre = sd.mmul(m, scaled(w1, p + "/mlp/w1_eff", cIn));    // [B*T,r*d]
                // ReLU as max(x, 0), as in SingleLayerTransformer: the same values and gradient (0 at x = 0), but its
                // backward pass is vectorized, where relu's (thresholdedrelu_bp in ND4J 1.0.0-M2.1) calls a
                // std::function per element: 14% of a step at L=8, d=64, T=64, B=16
                SDVariable u = reluOp ? sd.nn().relu(p + "/mlp/hidden", pre, 0.0)
                        : sd.scalarMax(p + "/mlp/hidden", pre, 0.0);                 // [B*T,r*d]
                SDVariable mo = sd.mmul(p + "/mlp/out", u, scaled(w2, p + "/mlp/w2_eff", cHid)); // [B*T,d]
                h = h.add(p + "/h_mlp", r == 1.0 ? mo : mo.mul(r));                  // [B*T,d] residual, r·branch
                if (post) h = layerNorm(sd, p + "/ln2", h);                          // [B*T,d] post-LN
            }
            h = sd.identity(blockOutput(l), h);                                      // [B*T,d] h_{l+1}
            rankCollapse(sd, rankCollapse(l), h, t, d);                              // []
        }

        // output head and loss
        SDVariable hf = c.layerNorm() && !post ? layerNorm(sd, "final/ln", h) : h;   // [B*T,d] (post: normalized)
        SDVariable z;
        if (c.tiedEmbedding()) {
            z = sd.mmul(hf, wteE, false, true, false);                               // [B*T,d]@[d,V] -> [B*T,V]
        } else {
            SDVariable hw = SingleLayerTransformer.param(sd, HEAD_W, shapes, params, dtype); // [d,V]
            z = sd.mmul(hf, hw);                                                     // [B*T,V]
        }
        SDVariable logits = (cOut == 1.0 ? z : z.mul(cOut)).add(LOGITS, scaled(bias, "head/bias_eff", cEmb)); // [B*T,V]
        SDVariable y2 = y.reshape(-1, v);                                            // [B*T,V]
        // Two loss ops on the same logits, as in SingleLayerTransformer: LOSS (mean, the only loss variable) and
        // TOKEN_LOSS (per token). Not mean(TOKEN_LOSS): in ND4J 1.0.0-M2.1 the backward pass of softmaxCrossEntropy
        // with LossReduce.NONE ignores the incoming gradient, which would scale every gradient by B*T.
        sd.loss().softmaxCrossEntropy(TOKEN_LOSS, y2, logits, null, LossReduce.NONE, 0.0); // [B*T]
        SDVariable loss = sd.loss().softmaxCrossEntropy(LOSS, y2, logits, null,
                LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0);                       // [] mean over B*T targets
        sd.setLossVariables(loss);
        return sd;
    }

    private static SDVariable scaled(SDVariable w, String name, double factor) {
        return factor == 1.0 ? w : w.mul(name, factor);
    }

    /** Parameter-free layer norm over the last axis: (h − mean) / sqrt(var + eps), var the biased variance. */
    static SDVariable layerNorm(SameDiff sd, String name, SDVariable hf) {
        SDVariable mu = hf.mean(true, 1);                                            // [B*T,1]
        SDVariable cen = hf.sub(mu);                                                 // [B*T,d]
        SDVariable var = cen.mul(cen).mean(true, 1);                                 // [B*T,1]
        return cen.div(name, sd.math().sqrt(var.add(LN_EPS)));                       // [B*T,d]
    }

    /**
     * The batch mean of ‖X − 1 x̄ᵀ‖_F / ‖X‖_F over the sequences of hf [B*T,d] (X the T×d token matrix of one
     * sequence, x̄ its mean row), named {@code name}.
     */
    static SDVariable rankCollapse(SameDiff sd, String name, SDVariable hf, int t, int d) {
        SDVariable x3 = hf.reshape(-1, t, d);                                        // [B,T,d]
        SDVariable res = x3.sub(x3.mean(true, 1));                                   // [B,T,d] - [B,1,d]
        SDVariable num = res.mul(res).sum(1, 2);                                     // [B] ‖X − 1x̄ᵀ‖²
        SDVariable den = x3.mul(x3).sum(1, 2);                                       // [B] ‖X‖²
        return sd.math().sqrt(num.div(den)).mean(name);                              // [] batch mean of the ratio
    }
}
