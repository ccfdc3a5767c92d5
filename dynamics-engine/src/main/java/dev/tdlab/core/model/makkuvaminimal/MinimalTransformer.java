package dev.tdlab.core.model.makkuvaminimal;

import dev.tdlab.core.model.Attention;
import dev.tdlab.core.model.Inits;
import dev.tdlab.core.model.singlelayer.SingleLayerTransformer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The exact minimal model of the Makkuva code ({@link MinimalConfig}) as one SameDiff graph.
 *
 * <pre>
 * x [B,T] token values 0/1 ─ x·e (e = emb/wte [1,d]) + wpe [T,d] ─ h0 ─ causal attention (wq,wk,wv,wo) ─(+)─ h1
 *   ─ ReLU MLP (w1 [d,4d], w2 [4d,d]) ─(+)─ h2
 * logit [B*T] = h2·e + b  (tied)   or   h2 @ head/w [d,1] + b  (untied);  b = head/bias [1]
 * loss = mean over B*T of BCE-with-logits(logit, y)  (nats; = next-token cross-entropy for V = 2)
 * </pre>
 */
public final class MinimalTransformer {

    /** Token values as floats, placeholder [B,T]. */
    public static final String INPUT = "x";
    /** Next-token values as floats, placeholder [B,T]. */
    public static final String TARGET = "y";
    /** One logit per position, [B*T] (row b*T+t): log P(next = 1) − log P(next = 0). */
    public static final String LOGITS = "logits";
    /** Per-token binary cross-entropy in nats, [B*T]. */
    public static final String TOKEN_LOSS = "tokenLoss";
    /** Mean binary cross-entropy over B*T targets, the loss variable. */
    public static final String LOSS = "loss";

    private MinimalTransformer() {
    }

    /** Parameter shapes, in init order: emb/wte [1,d], emb/wpe [T,d], layer0/attn/w* [d,d], mlp, head. */
    public static Map<String, long[]> shapes(MinimalConfig c) {
        long t = c.seqLen(), d = c.dModel(), h = (long) MinimalConfig.MLP_RATIO * d;
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(SingleLayerTransformer.WTE, new long[] {1, d});
        m.put(SingleLayerTransformer.WPE, new long[] {t, d});
        m.put(SingleLayerTransformer.WQ, new long[] {d, d});
        m.put(SingleLayerTransformer.WK, new long[] {d, d});
        m.put(SingleLayerTransformer.WV, new long[] {d, d});
        m.put(SingleLayerTransformer.WO, new long[] {d, d});
        if (c.mlp()) {
            m.put(SingleLayerTransformer.W1, new long[] {d, h});
            m.put(SingleLayerTransformer.W2, new long[] {h, d});
        }
        if (!c.tiedEmbedding()) m.put(SingleLayerTransformer.HEAD_W, new long[] {d, 1});
        m.put(SingleLayerTransformer.HEAD_BIAS, new long[] {1});
        return Collections.unmodifiableMap(m);
    }

    public static List<String> parameterNames(MinimalConfig c) {
        return List.copyOf(shapes(c).keySet());
    }

    /** Initial values for the config's scheme (see {@link Inits}; no one-hot mapping needed here). */
    public static Map<String, double[]> initialParameters(MinimalConfig c, long seed) {
        return Inits.initialize(c.initScheme(), c.initStd(), c.vStd(), shapes(c), false, c.initValues(), seed);
    }

    /** The graph in FLOAT or DOUBLE with the given parameter values. */
    public static SameDiff build(MinimalConfig c, DataType dtype, Map<String, double[]> params) {
        if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
            throw new IllegalArgumentException("dtype must be FLOAT or DOUBLE, got " + dtype);
        }
        final int t = c.seqLen(), d = c.dModel(), nh = c.heads();
        Map<String, long[]> shapes = shapes(c);
        SameDiff sd = SameDiff.create();

        SDVariable x = sd.placeHolder(INPUT, dtype, -1, t);                          // [B,T]
        SDVariable y = sd.placeHolder(TARGET, dtype, -1, t);                         // [B,T]

        SDVariable e = SingleLayerTransformer.param(sd, SingleLayerTransformer.WTE, shapes, params, dtype);  // [1,d]
        SDVariable wpe = SingleLayerTransformer.param(sd, SingleLayerTransformer.WPE, shapes, params, dtype); // [T,d]
        SDVariable wq = SingleLayerTransformer.param(sd, SingleLayerTransformer.WQ, shapes, params, dtype);  // [d,d]
        SDVariable wk = SingleLayerTransformer.param(sd, SingleLayerTransformer.WK, shapes, params, dtype);  // [d,d]
        SDVariable wv = SingleLayerTransformer.param(sd, SingleLayerTransformer.WV, shapes, params, dtype);  // [d,d]
        SDVariable wo = SingleLayerTransformer.param(sd, SingleLayerTransformer.WO, shapes, params, dtype);  // [d,d]
        SDVariable b = SingleLayerTransformer.param(sd, SingleLayerTransformer.HEAD_BIAS, shapes, params, dtype); // [1]

        // embeddings: x·e + wpe
        SDVariable tok = sd.mmul("emb/tok", x.reshape(-1, 1), e);                    // [B*T,1]@[1,d] -> [B*T,d]
        SDVariable h0 = tok.reshape(-1, t, d).add("emb/h0", wpe);                    // [B,T,d]
        SDVariable h0f = h0.reshape(-1, d);                                          // [B*T,d]

        SDVariable ctx = Attention.branch(sd, "layer0/attn", c.attention(), h0f, wq, wk, wv, t, d, nh, dtype); // [B*T,d]
        SDVariable h1 = h0f.add("layer0/h1", sd.mmul("layer0/attn/out", ctx, wo));   // [B*T,d] residual

        SDVariable h2 = h1;                                                          // [B*T,d]
        if (c.mlp()) {
            SDVariable w1 = SingleLayerTransformer.param(sd, SingleLayerTransformer.W1, shapes, params, dtype); // [d,4d]
            SDVariable w2 = SingleLayerTransformer.param(sd, SingleLayerTransformer.W2, shapes, params, dtype); // [4d,d]
            SDVariable u = sd.nn().relu("layer0/mlp/hidden", sd.mmul(h1, w1), 0.0);  // [B*T,4d]
            h2 = h1.add("layer0/h2", sd.mmul("layer0/mlp/out", u, w2));              // [B*T,d]
        }

        SDVariable z;
        if (c.tiedEmbedding()) {
            z = sd.mmul(h2, e, false, true, false);                                  // [B*T,d]@[d,1] -> [B*T,1]
        } else {
            SDVariable hw = SingleLayerTransformer.param(sd, SingleLayerTransformer.HEAD_W, shapes, params, dtype); // [d,1]
            z = sd.mmul(h2, hw);                                                     // [B*T,1]
        }
        SDVariable logits = sd.reshape(LOGITS, z.add(b), -1);                        // [B*T]
        SDVariable yf = y.reshape(-1);                                               // [B*T]
        // per token, stable: max(z,0) − y z + log(1 + exp(−|z|)); forward only (evaluation)
        SDVariable absZ = sd.math().abs(logits);                                     // [B*T]
        sd.nn().relu(logits, 0.0).sub(logits.mul(yf))
                .add(TOKEN_LOSS, sd.nn().softplus(absZ.neg()));                      // [B*T]
        SDVariable loss = sd.loss().sigmoidCrossEntropy(LOSS, yf, logits, null,
                LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0);                       // [] mean over B*T targets
        sd.setLossVariables(loss);
        return sd;
    }
}
