package dev.tdlab.core.model;

import java.util.List;

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
 * @param initScheme    parameter initialization; "gaussian": N(0, initStd^2), output projections N(0, initStd^2/2), bias 0
 * @param initStd       standard deviation of the gaussian init (0.02 in GPT-2 and in the paper)
 */
public record SingleLayerConfig(
        int vocab,             // = 2       V, token values (one-hot width, output classes)
        int seqLen,            // = 256     T, context length (positions, causal mask size)
        int dModel,            // = 4       d, residual width
        int heads,             // = 1       attention heads, d % heads == 0
        boolean mlp,           // = true    ReLU MLP block d -> mlpRatio*d -> d, with residual
        int mlpRatio,          // = 4       MLP hidden width / d
        boolean tiedEmbedding, // = true    logits = h @ wte^T + bias; false: untied head/w [d,V] + bias
        String initScheme,     // = "gaussian"  N(0, initStd^2); wo and mlp w2 N(0, initStd^2/2); bias 0
        double initStd) {      // = 0.02    std of the gaussian init

    /** Init schemes the factory knows. */
    public static final List<String> INIT_SCHEMES = List.of("gaussian");

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
        if (!(initStd >= 0) || !Double.isFinite(initStd)) {
            throw new IllegalArgumentException("initStd must be finite and >= 0, got " + initStd);
        }
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

    /** Width of one attention head. */
    public int headDim() {
        return dModel / heads;
    }
}
