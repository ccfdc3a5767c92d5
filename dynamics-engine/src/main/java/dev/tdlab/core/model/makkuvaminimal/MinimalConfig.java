package dev.tdlab.core.model.makkuvaminimal;

import dev.tdlab.core.model.Attention;
import dev.tdlab.core.model.Inits;
import dev.tdlab.core.model.ModelConfig;

import java.util.List;
import java.util.Map;

/**
 * The exact minimal model of the Makkuva et al. code (Bond1995/Markov, Markov-Simple): binary tokens enter as the
 * scalar x in {0,1} through x·e (e = {@code emb/wte} [1,d]), learned positions, one causal attention layer with
 * residual, an optional ReLU MLP with residual, no layer norm and no biases; one logit per position
 * (tied: h·e + b; untied: h·w + b with {@code head/w} [d,1]), binary cross-entropy with logits. Train it with
 * {@code OptimizerConfig.makkuva()} (AdamW lr 2e-3, betas (0.9, 0.95), weight decay 1e-3, cosine, 2 % warm-up).
 *
 * @param seqLen        context length T
 * @param dModel        residual width d (the code's n_embd, default 8)
 * @param heads         attention heads, d % heads == 0
 * @param mlp           ReLU MLP d -> 4d -> d with residual
 * @param tiedEmbedding logit = h·e + b (true) or h·w + b with an own head/w (false; the code's --no_tying)
 * @param initScheme    "base" | "good" | "lowrank" (the code's --init) or "gaussian" (= base); see {@link Inits}
 * @param initStd       std of the gaussian parts (0.02 in the code)
 * @param vStd          lowrank only: std of v in W_V = v alpha^T (the code's --v_std, default 0)
 * @param attention     attention kernel ("softmax" in the code; "gaussian" and "linear" as in {@link Attention})
 * @param initValues    explicit parameter values (row-major, by name) applied after the scheme; empty: none
 */
public record MinimalConfig(
        int seqLen,            // = 1024    T, context length (the code's sequence_length)
        int dModel,            // = 8       d, residual width (the code's n_embd)
        int heads,             // = 1       attention heads
        boolean mlp,           // = true    ReLU MLP d -> 4d -> d with residual
        boolean tiedEmbedding, // = true    logit = h·e + b; false: h·w + b
        String initScheme,     // = "base"  base | good | lowrank | gaussian
        double initStd,        // = 0.02    std of the gaussian parts
        double vStd,           // = 0       lowrank: W_V = v alpha^T, v ~ N(0, vStd^2)
        String attention,      // = "softmax"  softmax | gaussian | linear
        Map<String, double[]> initValues) // = {}  explicit values by parameter name
        implements ModelConfig {

    /** MLP hidden width / d, fixed at 4 as in the code. */
    public static final int MLP_RATIO = 4;

    public MinimalConfig {
        if (seqLen < 1) throw new IllegalArgumentException("seqLen must be >= 1, got " + seqLen);
        if (dModel < 1) throw new IllegalArgumentException("dModel must be >= 1, got " + dModel);
        if (heads < 1 || dModel % heads != 0) {
            throw new IllegalArgumentException("heads must be >= 1 and divide dModel=" + dModel + ", got " + heads);
        }
        if (initScheme == null || !Inits.SCHEMES.contains(initScheme)) {
            throw new IllegalArgumentException("initScheme must be one of " + Inits.SCHEMES + ", got " + initScheme);
        }
        if (!(initStd >= 0) || !Double.isFinite(initStd)) {
            throw new IllegalArgumentException("initStd must be finite and >= 0, got " + initStd);
        }
        if (!(vStd >= 0) || !Double.isFinite(vStd)) {
            throw new IllegalArgumentException("vStd must be finite and >= 0, got " + vStd);
        }
        if (attention == null || !Attention.KERNELS.contains(attention)) {
            throw new IllegalArgumentException("attention must be one of " + Attention.KERNELS + ", got " + attention);
        }
        initValues = Inits.copyValues(initValues);
    }

    /** The code's defaults at context length T: d=8, one head, MLP, tied, base init (std 0.02), softmax. */
    public static MinimalConfig of(int seqLen, int dModel, String initScheme) {
        return new MinimalConfig(seqLen, dModel, 1, true, true, initScheme, 0.02, 0.0, "softmax", Map.of());
    }

    /** Binary tokens only. */
    @Override
    public int vocab() {
        return 2;
    }

    /** Width of one attention head. */
    public int headDim() {
        return dModel / heads;
    }

    public MinimalConfig withInitValues(Map<String, double[]> values) {
        return new MinimalConfig(seqLen, dModel, heads, mlp, tiedEmbedding, initScheme, initStd, vStd, attention, values);
    }

    public MinimalConfig withAttention(String kernel) {
        return new MinimalConfig(seqLen, dModel, heads, mlp, tiedEmbedding, initScheme, initStd, vStd, kernel, initValues);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MinimalConfig c && toString().equals(c.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "MinimalConfig[seqLen=" + seqLen + ", dModel=" + dModel + ", heads=" + heads + ", mlp=" + mlp
                + ", tiedEmbedding=" + tiedEmbedding + ", initScheme=" + initScheme + ", initStd=" + initStd
                + ", vStd=" + vStd + ", attention=" + attention + ", initValues=" + Inits.describe(initValues) + "]";
    }

    /** Schemes accepted (same list as the single-layer model). */
    public static List<String> initSchemes() {
        return Inits.SCHEMES;
    }
}
