package dev.tdlab.core.model.singlelayer;

import dev.tdlab.core.model.Attention;
import dev.tdlab.core.model.Inits;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The single-layer transformer of Makkuva et al. 2024 as one SameDiff graph, built by {@link #build}.
 *
 * <pre>
 * x [B,T,V] one-hot ─@ wte [V,d]─┐
 *                     + wpe [T,d] ┴─ h0 ─ causal attention, kernel softmax|gaussian|linear (wq,wk,wv,wo) ─(+)─ h1 ─ ReLU MLP (w1,w2) ─(+)─ h2
 * logits [B*T,V] = h2 @ wte^T + bias   (tied)   or   h2 @ head/w + bias   (untied)
 * loss = mean over B*T of the softmax cross-entropy(logits, y one-hot) (nats);  tokenLoss [B*T] per token
 * </pre>
 *
 * The batch dimension B is dynamic (placeholders {@code [-1,T,V]}), so one graph serves training batches and
 * evaluation chunks. No layer norm, no biases except the output bias. Tokens enter as one-hot floats through a matmul
 * and the loss is the dense softmax cross-entropy: gather + sparse cross-entropy is orders of magnitude slower in
 * ND4J 1.0.0-M2.1 (its backward pass becomes a graph-level loop over tokens).
 *
 * <p>Parameters are initialized in Java from {@link SplittableRandom}(seed) in the order of {@link #parameterNames},
 * independent of ND4J's random generator: the same (config, seed) gives the same numbers in float32 and float64.
 */
public final class SingleLayerTransformer {

    /** One-hot inputs, placeholder [B,T,V]. */
    public static final String INPUT = "x";
    /** One-hot targets, placeholder [B,T,V]. */
    public static final String TARGET = "y";
    /** Logits, [B*T,V] (row b*T+t). */
    public static final String LOGITS = "logits";
    /** Per-token cross-entropy in nats, [B*T] (row b*T+t). */
    public static final String TOKEN_LOSS = "tokenLoss";
    /** Mean cross-entropy over all B*T targets in nats, scalar; the graph's loss variable. */
    public static final String LOSS = "loss";

    public static final String WTE = "emb/wte";
    public static final String WPE = "emb/wpe";
    public static final String WQ = "layer0/attn/wq";
    public static final String WK = "layer0/attn/wk";
    public static final String WV = "layer0/attn/wv";
    public static final String WO = "layer0/attn/wo";
    public static final String W1 = "layer0/mlp/w1";
    public static final String W2 = "layer0/mlp/w2";
    public static final String HEAD_W = "head/w";
    public static final String HEAD_BIAS = "head/bias";

    /** Mean entropy of the attention rows (nats), scalar; softmax and gaussian kernels only. */
    public static final String ATTN_ENTROPY = "layer0/attn/entropy";

    private SingleLayerTransformer() {
    }

    /** Trainable parameter names in a fixed order (the init order, and the order of optimizer state). */
    public static List<String> parameterNames(SingleLayerConfig c) {
        return List.copyOf(shapes(c).keySet());
    }

    /** Parameter shapes, in {@link #parameterNames} order. */
    public static Map<String, long[]> shapes(SingleLayerConfig c) {
        long v = c.vocab(), t = c.seqLen(), d = c.dModel(), h = (long) c.mlpRatio() * c.dModel();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(WTE, new long[] {v, d});
        m.put(WPE, new long[] {t, d});
        m.put(WQ, new long[] {d, d});
        m.put(WK, new long[] {d, d});
        m.put(WV, new long[] {d, d});
        m.put(WO, new long[] {d, d});
        if (c.mlp()) {
            m.put(W1, new long[] {d, h});
            m.put(W2, new long[] {h, d});
        }
        if (!c.tiedEmbedding()) m.put(HEAD_W, new long[] {d, v});
        m.put(HEAD_BIAS, new long[] {v});
        return Collections.unmodifiableMap(m);
    }

    /** Initial parameter values (row-major, in {@link #parameterNames} order) for the config's init (see {@link Inits}). */
    public static Map<String, double[]> initialParameters(SingleLayerConfig c, long seed) {
        return Inits.initialize(c.initScheme(), c.initStd(), c.vStd(), shapes(c), true, c.initValues(), seed);
    }

    /** The graph in {@code dtype} (FLOAT or DOUBLE), parameters initialized from {@code seed}. */
    public static SameDiff build(SingleLayerConfig c, DataType dtype, long seed) {
        return build(c, dtype, initialParameters(c, seed));
    }

    /** The graph in {@code dtype} (FLOAT or DOUBLE) with the given parameter values (row-major, by name). */
    public static SameDiff build(SingleLayerConfig c, DataType dtype, Map<String, double[]> params) {
        if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
            throw new IllegalArgumentException("dtype must be FLOAT or DOUBLE, got " + dtype);
        }
        final int v = c.vocab(), t = c.seqLen(), d = c.dModel(), nh = c.heads();
        Map<String, long[]> shapes = shapes(c);
        SameDiff sd = SameDiff.create();

        SDVariable x = sd.placeHolder(INPUT, dtype, -1, t, v);                       // [B,T,V]
        SDVariable y = sd.placeHolder(TARGET, dtype, -1, t, v);                      // [B,T,V]

        SDVariable wte = param(sd, WTE, shapes, params, dtype);                      // [V,d]
        SDVariable wpe = param(sd, WPE, shapes, params, dtype);                      // [T,d]
        SDVariable wq = param(sd, WQ, shapes, params, dtype);                        // [d,d]
        SDVariable wk = param(sd, WK, shapes, params, dtype);                        // [d,d]
        SDVariable wv = param(sd, WV, shapes, params, dtype);                        // [d,d]
        SDVariable wo = param(sd, WO, shapes, params, dtype);                        // [d,d]
        SDVariable bias = param(sd, HEAD_BIAS, shapes, params, dtype);               // [V]

        // embeddings
        SDVariable tok = sd.mmul("emb/tok", x.reshape(-1, v), wte);                  // [B*T,V]@[V,d] -> [B*T,d]
        SDVariable h0 = tok.reshape(-1, t, d).add("emb/h0", wpe);                    // [B,T,d] + [T,d] -> [B,T,d]
        SDVariable h0f = h0.reshape(-1, d);                                          // [B*T,d]

        // causal attention with the config's kernel (Attention)
        SDVariable ctx = Attention.branch(sd, "layer0/attn", c.attention(), h0f, wq, wk, wv, t, d, nh, dtype); // [B*T,d]
        SDVariable h1 = h0f.add("layer0/h1", sd.mmul("layer0/attn/out", ctx, wo));   // [B*T,d] residual

        // ReLU MLP with residual
        SDVariable h2 = h1;                                                          // [B*T,d]
        if (c.mlp()) {
            SDVariable w1 = param(sd, W1, shapes, params, dtype);                    // [d,r*d]
            SDVariable w2 = param(sd, W2, shapes, params, dtype);                    // [r*d,d]
            // ReLU as max(x, 0): the same values and gradient (0 at x = 0), but its backward pass is three vectorized
            // ops (x > 0, cast, mul), where relu_bp in ND4J 1.0.0-M2.1 calls a std::function per element (10 ms of a
            // 40 ms step at d=64, T=256, B=16)
            SDVariable u = sd.scalarMax("layer0/mlp/hidden", sd.mmul(h1, w1), 0.0); // [B*T,r*d]
            h2 = h1.add("layer0/h2", sd.mmul("layer0/mlp/out", u, w2));              // [B*T,d]
        }

        // output head and loss
        SDVariable logits;
        if (c.tiedEmbedding()) {
            logits = sd.mmul(h2, wte, false, true, false).add(LOGITS, bias);         // [B*T,d]@[d,V] + [V] -> [B*T,V]
        } else {
            SDVariable hw = param(sd, HEAD_W, shapes, params, dtype);                // [d,V]
            logits = sd.mmul(h2, hw).add(LOGITS, bias);                              // [B*T,V]
        }
        SDVariable y2 = y.reshape(-1, v);                                            // [B*T,V]
        // Two loss ops on the same logits: LOSS (mean, the only loss variable: gradients flow from it alone) and
        // TOKEN_LOSS (per token, for evaluation). Not mean(TOKEN_LOSS): in ND4J 1.0.0-M2.1 the backward pass of
        // softmaxCrossEntropy with LossReduce.NONE ignores the incoming gradient, which would scale every gradient
        // by B*T (GradientCheckTest catches it).
        sd.loss().softmaxCrossEntropy(TOKEN_LOSS, y2, logits, null, LossReduce.NONE, 0.0); // [B*T]
        SDVariable loss = sd.loss().softmaxCrossEntropy(LOSS, y2, logits, null,
                LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0);                       // [] mean over B*T targets
        sd.setLossVariables(loss);
        return sd;
    }

    public static SDVariable param(SameDiff sd, String name, Map<String, long[]> shapes, Map<String, double[]> params,
                                    DataType dtype) {
        long[] shape = shapes.get(name);
        double[] w = params.get(name);
        if (w == null) throw new IllegalArgumentException("missing parameter " + name);
        long n = 1;
        for (long s : shape) n *= s;
        if (w.length != n) {
            throw new IllegalArgumentException("parameter " + name + " needs " + n + " values, got " + w.length);
        }
        INDArray arr = Nd4j.createFromArray(w).castTo(dtype).reshape('c', shape).dup('c'); // own, contiguous buffer
        return sd.var(name, arr);
    }

    /** Standard normal deviates by Box–Muller on SplittableRandom doubles, with StrictMath: identical on every JVM. */
    public static final class GaussianSource {
        private final SplittableRandom rnd;
        private double spare;
        private boolean hasSpare;

        public GaussianSource(long seed) {
            this.rnd = new SplittableRandom(seed);
        }

        public double next() {
            if (hasSpare) {
                hasSpare = false;
                return spare;
            }
            double u1 = 1.0 - rnd.nextDouble(); // (0,1]
            double u2 = rnd.nextDouble();
            double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
            double th = 2.0 * StrictMath.PI * u2;
            spare = r * StrictMath.sin(th);
            hasSpare = true;
            return r * StrictMath.cos(th);
        }
    }
}
