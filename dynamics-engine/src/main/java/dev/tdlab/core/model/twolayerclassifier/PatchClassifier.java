package dev.tdlab.core.model.twolayerclassifier;

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
import org.nd4j.linalg.factory.Nd4j;

/**
 * The {@code two-layer-classifier} ({@link ClassifierConfig}) as one SameDiff graph, built by {@link #build}.
 *
 * <pre>
 * patches: x [B,n,D] ───────────────────────────────────────────────┐
 * tokens:  x [B,n,V] one-hot ─@ wte [V,d]─ + wpe [n,d] ───────────────┴─ h [B*n,w]
 * h ─ attention over all n positions, kernel softmax|gaussian|gaussian-unnormalized (wq [w,dk], wk [w,dk], wv [w,dv])
 *   ─ ctx [B,n,dv] ─ sum|mean over n ─ pooled [B,dv] ─@ readout [dv,1] ─ logits [B]
 * readout: head/w (linear, trained) or the constant ±1/m_v halves (fixed, Li et al.)
 * loss = mean over B of BCE-with-logits(logit, y) or (squared) of (logit − y')²;  tokenLoss [B] per example;
 * errors [B] = 1[y' · logit ≤ 0]
 * </pre>
 * n = P patches or T + 1 tokens; w = D (patches) or d (tokens); y ∈ {0,1} and y' = 2y − 1. No biases, no residual,
 * no MLP: the "two layers" are attention and the readout. The batch dimension is dynamic.
 *
 * <p>Parameters are initialized in Java from SplittableRandom(seed) in {@link #parameterNames} order (as
 * {@link SingleLayerTransformer}): the same (config, seed) gives the same numbers in float32 and float64.
 */
public final class PatchClassifier {

    /** Inputs: patches [B,n,D] or one-hot tokens [B,n,V]. */
    public static final String INPUT = "x";
    /** Class labels as 0/1 floats, placeholder [B]. */
    public static final String TARGET = "y";
    /** One logit per example, [B]: log P(class 1) / P(class 0). */
    public static final String LOGITS = "logits";
    /** Per-example logistic loss in nats, [B] (the name the token models use for their per-target losses). */
    public static final String TOKEN_LOSS = "tokenLoss";
    /** Mean logistic loss over the B examples, scalar; the graph's loss variable. */
    public static final String LOSS = "loss";
    /** Per-example 0-1 error, [B]: 1 where the logit's sign is not the label's (a logit of exactly 0 counts wrong). */
    public static final String ERRORS = "errors";
    /** Mean 0-1 error over the B examples, scalar. */
    public static final String ERROR = "error";
    /** Attention weights, [B,n,n] (one head) or [B,H,n,n]; row = query. */
    public static final String ATTN_PROBS = "layer0/attn/probs";
    /** Mean attention-row entropy (nats), scalar; normalized kernels only. */
    public static final String ATTN_ENTROPY = "layer0/attn/entropy";

    public static final String WTE = SingleLayerTransformer.WTE;
    public static final String WPE = SingleLayerTransformer.WPE;
    public static final String WQ = SingleLayerTransformer.WQ;
    public static final String WK = SingleLayerTransformer.WK;
    public static final String WV = SingleLayerTransformer.WV;
    public static final String HEAD_W = SingleLayerTransformer.HEAD_W;
    /** The fixed readout, a constant [dv,1] (readout "fixed"). */
    public static final String HEAD_FIXED = "head/fixed";

    private PatchClassifier() {
    }

    /** Trainable parameter names in a fixed order (the init order, and the order of optimizer state). */
    public static List<String> parameterNames(ClassifierConfig c) {
        return List.copyOf(shapes(c).keySet());
    }

    /** Parameter shapes, in {@link #parameterNames} order. */
    public static Map<String, long[]> shapes(ClassifierConfig c) {
        long w = c.width(), n = c.positions();
        Map<String, long[]> m = new LinkedHashMap<>();
        if (c.tokenInput()) {
            m.put(WTE, new long[] {c.inputDim(), c.dModel()});
            m.put(WPE, new long[] {n, c.dModel()});
        }
        m.put(WQ, new long[] {w, c.qkDim()});
        m.put(WK, new long[] {w, c.qkDim()});
        m.put(WV, new long[] {w, c.valueDim()});
        if (c.readout().equals("linear")) m.put(HEAD_W, new long[] {c.valueDim(), 1});
        return Collections.unmodifiableMap(m);
    }

    /**
     * Initial values by name: every parameter N(0, s²) in {@link #parameterNames} order, s = valueStd for wv and
     * initStd for the others, divided by √rows for the matrices other than the embeddings under "fan-in"; then the
     * config's explicit values.
     */
    public static Map<String, double[]> initialParameters(ClassifierConfig c, long seed) {
        SingleLayerTransformer.GaussianSource g = new SingleLayerTransformer.GaussianSource(seed);
        Map<String, long[]> shapes = shapes(c);
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String name = e.getKey();
            double s = name.equals(WV) ? c.valueStd() : c.initStd();
            if (c.initScheme().equals("fan-in") && !name.startsWith("emb/")) s /= Math.sqrt(e.getValue()[0]);
            double[] w = new double[Inits.size(e.getValue())];
            for (int i = 0; i < w.length; i++) w[i] = s * g.next();
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

    /** The fixed readout r [dv]: +1/m_v on the first m_v value units, −1/m_v on the last m_v (m_v = dv/2). */
    public static double[] fixedReadout(ClassifierConfig c) {
        int dv = c.valueDim(), mv = dv / 2;
        double[] r = new double[dv];
        for (int i = 0; i < dv; i++) r[i] = i < mv ? 1.0 / mv : -1.0 / mv;
        return r;
    }

    /** The graph in {@code dtype} (FLOAT or DOUBLE), parameters initialized from {@code seed}. */
    public static SameDiff build(ClassifierConfig c, DataType dtype, long seed) {
        return build(c, dtype, initialParameters(c, seed));
    }

    /** The graph in {@code dtype} (FLOAT or DOUBLE) with the given parameter values (row-major, by name). */
    public static SameDiff build(ClassifierConfig c, DataType dtype, Map<String, double[]> params) {
        if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
            throw new IllegalArgumentException("dtype must be FLOAT or DOUBLE, got " + dtype);
        }
        final int n = c.positions(), w = c.width(), dk = c.qkDim(), dv = c.valueDim(), nh = c.heads();
        Map<String, long[]> shapes = shapes(c);
        SameDiff sd = SameDiff.create();

        SDVariable x = sd.placeHolder(INPUT, dtype, -1, n, c.inputDim());            // [B,n,D] or [B,n,V]
        SDVariable y = sd.placeHolder(TARGET, dtype, -1);                            // [B] 0/1

        SDVariable h;
        if (c.tokenInput()) {
            SDVariable wte = SingleLayerTransformer.param(sd, WTE, shapes, params, dtype); // [V,d]
            SDVariable wpe = SingleLayerTransformer.param(sd, WPE, shapes, params, dtype); // [n,d]
            SDVariable tok = sd.mmul("emb/tok", x.reshape(-1, c.inputDim()), wte);   // [B*n,V]@[V,d] -> [B*n,d]
            h = tok.reshape(-1, n, w).add("emb/h0", wpe).reshape(-1, w);             // [B,n,d] + [n,d] -> [B*n,d]
        } else {
            h = x.reshape(-1, w);                                                    // [B*n,D]
        }
        SDVariable wq = SingleLayerTransformer.param(sd, WQ, shapes, params, dtype); // [w,dk]
        SDVariable wk = SingleLayerTransformer.param(sd, WK, shapes, params, dtype); // [w,dk]
        SDVariable wv = SingleLayerTransformer.param(sd, WV, shapes, params, dtype); // [w,dv]

        // attention over all n positions (no causal mask)
        SDVariable ctx = Attention.bidirectional(sd, "layer0/attn", c.attention(), h, wq, wk, wv, n, dk, dv, nh,
                c.scoreScale(), true);                                               // [B*n,dv]
        SDVariable ctx3 = ctx.reshape(-1, n, dv);                                    // [B,n,dv]
        SDVariable pooled = c.pool().equals("sum")
                ? ctx3.sum("pool", 1) : ctx3.mean("pool", 1);                        // [B,dv]

        // readout to one logit
        SDVariable r;
        if (c.readout().equals("linear")) {
            r = SingleLayerTransformer.param(sd, HEAD_W, shapes, params, dtype);     // [dv,1]
        } else {
            r = sd.constant(HEAD_FIXED, Nd4j.createFromArray(fixedReadout(c)).reshape('c', dv, 1).castTo(dtype)); // [dv,1]
        }
        SDVariable logits = sd.reshape(LOGITS, sd.mmul(pooled, r), -1);              // [B,dv]@[dv,1] -> [B]

        SDVariable loss;
        if (c.loss().equals("squared")) {
            // squared loss on the ±1 label y' = 2y − 1: LOSS = mean over B of (z − y')² from the loss op; TOKEN_LOSS
            // per example, forward only
            SDVariable ypm = y.mul(2.0).sub(1.0);                                    // [B] ±1
            SDVariable diff = logits.sub(ypm);                                       // [B]
            diff.mul(TOKEN_LOSS, diff);                                              // [B]
            loss = sd.loss().meanSquaredError(LOSS, ypm, logits, null,
                    LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT);                        // [] mean over B
        } else {
            // logistic loss: LOSS (mean, the only loss variable) from the loss op, whose backward pass is right with a
            // mean reduction; TOKEN_LOSS per example, forward only, stable: max(z,0) − y z + log(1 + exp(−|z|))
            SDVariable absZ = sd.math().abs(logits);                                 // [B]
            sd.nn().relu(logits, 0.0).sub(logits.mul(y))
                    .add(TOKEN_LOSS, sd.nn().softplus(absZ.neg()));                  // [B]
            loss = sd.loss().sigmoidCrossEntropy(LOSS, y, logits, null,
                    LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0);                   // [] mean over B
        }
        sd.setLossVariables(loss);

        // 0-1 error: margin = (2y − 1)·z; error where margin ≤ 0
        SDVariable margin = logits.mul(y.mul(2.0).sub(1.0));                         // [B]
        SDVariable errors = sd.math().step(margin, 0.0).rsub(ERRORS, 1.0);           // [B] 1 − [margin > 0]
        errors.mean(ERROR);                                                          // [] mean 0-1 error
        return sd;
    }
}
