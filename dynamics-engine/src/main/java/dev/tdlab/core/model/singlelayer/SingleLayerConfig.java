package dev.tdlab.core.model.singlelayer;

import dev.tdlab.core.model.Attention;
import dev.tdlab.core.model.Inits;
import dev.tdlab.core.model.ModelConfig;

import java.util.List;
import java.util.Map;

/**
 * The single-layer transformer of Makkuva et al. 2024 (arXiv 2406.03072), in the style of nanoGPT's GPTConfig.
 *
 * @param vocab         number of token values V (one-hot input width, output classes); 2 for a binary chain
 * @param seqLen        context length T: positions with a learned embedding, and the causal mask size
 * @param dModel        residual width d
 * @param heads         attention heads; d must be divisible by heads (head width d/heads)
 * @param mlp           add the ReLU MLP block (d -> mlpRatio*d -> d) with its residual after attention
 * @param mlpRatio      MLP hidden width as a multiple of d (4 in GPT-2 and in the paper)
 * @param tiedEmbedding logits = h @ wte^T + bias (true), or an untied head h @ head/w + bias (false)
 * @param initScheme    parameter initialization, one of {@link Inits#SCHEMES} (see {@link Inits})
 * @param initStd       standard deviation of the gaussian parts of the init (0.02 in GPT-2 and in the paper)
 * @param attention     attention kernel: "softmax", "gaussian" or "linear" (see {@link Attention})
 * @param vStd          "lowrank" init only: std of the vector v in W_V = v alpha^T (the code's --v_std, default 0)
 * @param initValues    explicit parameter values (row-major, by parameter name) set after the scheme; empty: none
 */
public record SingleLayerConfig(
        int vocab,             // = 2       V, token values (one-hot width, output classes)
        int seqLen,            // = 256     T, context length (positions, causal mask size)
        int dModel,            // = 4       d, residual width
        int heads,             // = 1       attention heads, d % heads == 0
        boolean mlp,           // = true    ReLU MLP block d -> mlpRatio*d -> d, with residual
        int mlpRatio,          // = 4       MLP hidden width / d
        boolean tiedEmbedding, // = true    logits = h @ wte^T + bias; false: untied head/w [d,V] + bias
        String initScheme,     // = "gaussian"  gaussian | base | good | lowrank (Inits)
        double initStd,        // = 0.02    std of the gaussian parts of the init
        String attention,      // = "softmax"   softmax | gaussian | linear
        double vStd,           // = 0       lowrank init: W_V = v alpha^T with v ~ N(0, vStd^2)
        Map<String, double[]> initValues) // = {}  explicit values by parameter name, applied after the scheme
        implements ModelConfig {

    /** Init schemes the factory knows. */
    public static final List<String> INIT_SCHEMES = Inits.SCHEMES;
    /** Attention kernels the factory knows. */
    public static final List<String> ATTENTIONS = Attention.KERNELS;

    public SingleLayerConfig {
        if (vocab < 2 || vocab > 256) throw new IllegalArgumentException("vocab must be in [2,256], got " + vocab);
        if (seqLen < 1) throw new IllegalArgumentException("seqLen must be >= 1, got " + seqLen);
        if (dModel < 1) throw new IllegalArgumentException("dModel must be >= 1, got " + dModel);
        if (heads < 1 || dModel % heads != 0) {
            throw new IllegalArgumentException("heads must be >= 1 and divide dModel=" + dModel + ", got " + heads);
        }
        if (mlp && mlpRatio < 1) throw new IllegalArgumentException("mlpRatio must be >= 1, got " + mlpRatio);
        if (initScheme == null || !INIT_SCHEMES.contains(initScheme)) {
            throw new IllegalArgumentException("initScheme must be one of " + INIT_SCHEMES + ", got " + initScheme);
        }
        if (!initScheme.equals("gaussian") && vocab != 2) {
            throw new IllegalArgumentException("initScheme " + initScheme + " (Makkuva code) needs vocab 2, got " + vocab);
        }
        if (!(initStd >= 0) || !Double.isFinite(initStd)) {
            throw new IllegalArgumentException("initStd must be finite and >= 0, got " + initStd);
        }
        if (attention == null || !ATTENTIONS.contains(attention)) {
            throw new IllegalArgumentException("attention must be one of " + ATTENTIONS + ", got " + attention);
        }
        if (!(vStd >= 0) || !Double.isFinite(vStd)) {
            throw new IllegalArgumentException("vStd must be finite and >= 0, got " + vStd);
        }
        initValues = Inits.copyValues(initValues);
    }

    /** The 9-field form (softmax attention, vStd 0, no explicit values); trainer-service and older code use it. */
    public SingleLayerConfig(int vocab, int seqLen, int dModel, int heads, boolean mlp, int mlpRatio,
                             boolean tiedEmbedding, String initScheme, double initStd) {
        this(vocab, seqLen, dModel, heads, mlp, mlpRatio, tiedEmbedding, initScheme, initStd, "softmax", 0.0, Map.of());
    }

    /** The paper's model: V=2, T=256, d=4, one head, MLP 4d, tied head, gaussian init with std 0.02. */
    public static SingleLayerConfig defaults() {
        return new SingleLayerConfig(2, 256, 4, 1, true, 4, true, "gaussian", 0.02);
    }

    /** The defaults with another vocab, context length and width. */
    public static SingleLayerConfig of(int vocab, int seqLen, int dModel) {
        SingleLayerConfig d = defaults();
        return new SingleLayerConfig(vocab, seqLen, dModel, d.heads, d.mlp, d.mlpRatio, d.tiedEmbedding, d.initScheme,
                d.initStd);
    }

    /** This config with another attention kernel. */
    public SingleLayerConfig withAttention(String kernel) {
        return new SingleLayerConfig(vocab, seqLen, dModel, heads, mlp, mlpRatio, tiedEmbedding, initScheme, initStd,
                kernel, vStd, initValues);
    }

    /** This config with another init scheme, std and lowrank vStd. */
    public SingleLayerConfig withInit(String scheme, double std, double lowrankVStd) {
        return new SingleLayerConfig(vocab, seqLen, dModel, heads, mlp, mlpRatio, tiedEmbedding, scheme, std,
                attention, lowrankVStd, initValues);
    }

    /** This config with explicit parameter values (by name, row-major), applied after the init scheme. */
    public SingleLayerConfig withInitValues(Map<String, double[]> values) {
        return new SingleLayerConfig(vocab, seqLen, dModel, heads, mlp, mlpRatio, tiedEmbedding, initScheme, initStd,
                attention, vStd, values);
    }

    /** Width of one attention head. */
    public int headDim() {
        return dModel / heads;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SingleLayerConfig c && toString().equals(c.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** Every field, explicit values by content (used as the config's identity, e.g. in checkpoints). */
    @Override
    public String toString() {
        return "SingleLayerConfig[vocab=" + vocab + ", seqLen=" + seqLen + ", dModel=" + dModel + ", heads=" + heads
                + ", mlp=" + mlp + ", mlpRatio=" + mlpRatio + ", tiedEmbedding=" + tiedEmbedding + ", initScheme="
                + initScheme + ", initStd=" + initStd + ", attention=" + attention + ", vStd=" + vStd
                + ", initValues=" + Inits.describe(initValues) + "]";
    }
}
