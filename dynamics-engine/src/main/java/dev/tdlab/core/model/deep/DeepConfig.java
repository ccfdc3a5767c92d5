package dev.tdlab.core.model.deep;

import dev.tdlab.core.model.Attention;
import dev.tdlab.core.model.Inits;
import dev.tdlab.core.model.ModelConfig;

import java.util.List;
import java.util.Map;

/**
 * The {@code deep} family: an L-block causal transformer on one-hot tokens, for rank collapse at depth (Noci et al.
 * 2022, arXiv 2206.03126) and for width/heads/depth parameterizations (Bordelon et al. 2024, arXiv 2405.15712).
 * Built by {@link DeepTransformer}. Every block is
 * <pre>
 *   h = h + r · Attn(LN(h)) · c_o          (attention branch, H heads of width N = d/H)
 *   h = h + r · MLP(LN(h))                 (optional ReLU MLP branch)
 * </pre>
 * with LN the parameter-free pre-layer-norm (identity when {@code layerNorm} is false), r the residual multiplier and
 * c_o the output-projection multiplier of the parameterization. After the last block: LN (when {@code layerNorm}),
 * then the tied or untied head, times the readout multiplier.
 *
 * <p><b>Residual multiplier r</b> ({@link #residualMultiplier}): {@code none} r = 1; {@code inv-sqrt-depth}
 * r = β/√L (Noci's 1/√L at β = 1; Bordelon's α_L = ½); {@code beta-over-depth} r = β/L (Bordelon's α_L = 1, the
 * form of their public code, whose default is β = 4). L counts blocks: Bordelon's β₀·(L/2)^{−α_L}, where L counts
 * both branches of every block as layers, is β₀·depth^{−α_L} here.
 *
 * <p><b>Parameterizations</b> (d = N·H the residual width, N the head width, H the heads):
 * <ul>
 *   <li>{@code standard} (GPT-2 style, "SP"): y = x W for every matrix; attention logits q·k/√N (α_A = ½); logits
 *       = h W_head (tied: h wteᵀ). The init scheme carries all the scale.</li>
 *   <li>{@code mup} (Bordelon's public code, SGD form): every hidden matrix (wq, wk, wv, wo, mlp w1, w2) has the
 *       forward multiplier 1/√fan_in, so with {@code initStd} 1 its entries are O(1) and its output O(1) at any
 *       width; attention logits q·k/N (α_A = 1); readout multiplier 1/d = 1/(N·H) (mean-field output). Embeddings
 *       (one-hot fan-in) have no multiplier. Use it with the {@code gaussian} scheme and initStd 1. The 1/N logit
 *       scale is implemented by scaling W_Q and W_K by N^{−¼} each inside the graph (Attention.branch keeps its
 *       1/√N), which is the same function for every kernel: q·k, ‖q−k‖² and ‖k‖² all pick up N^{−½}.</li>
 *   <li>{@code depth-mup}: {@code mup} plus a depth-scaled residual: it requires {@code residualScaling}
 *       inv-sqrt-depth (α_L = ½, the depth-μP choice; β₀/√L) or beta-over-depth (α_L = 1), and its learning-rate
 *       rule carries the depth factor (see {@link #lrMultiplier(String)}). {@code mup} with a depth-scaled residual
 *       has the same graph; only the learning-rate rule differs (width factor only).</li>
 * </ul>
 * <b>μP for Adam</b> ({@code mupOptimizer} adam, with mup or depth-mup; the trainer sets it for Adam-like optimizers):
 * the SGD form above with one global Adam rate η₀/√(N·H) moves the embeddings and the readout √(N·H) times too slowly
 * (an Adam step changes every entry by about η whatever the gradient's scale). The Adam form moves a factor √d
 * (d = N·H) from the init into the forward multiplier of those layers, as Bordelon et al.'s Adam variant does and as
 * Yang et al.'s Tensor Programs V (arXiv 2203.03466, Table 3, μP for Adam) prescribes: embeddings wte, wpe and the head
 * bias get the multiplier √d (wte, wpe init std / √d), the readout head/w the multiplier 1/√d instead of 1/d (init
 * std / √d). The function at init is the same; under the rate η₀/√d each layer's output then moves by O(η₀) per step:
 * <pre>
 *   layer              forward multiplier   init std (initStd = 1)   Adam rate   output change per step
 *   wte, wpe           √d                   1/√d                     η₀/√d       √d · η₀/√d = η₀
 *   hidden (fan-in n)  1/√n                 1                        η₀/√d       n · η₀/√d / √n = O(η₀)
 *   W_Q, W_K           N^(−¼)/√d            1 (× qkInitScale)        η₀/√d       logit change O(η₀) with q·k/√N
 *   head/w             1/√d                 1/√d                     η₀/√d       d · η₀/√d / √d = η₀
 *   head/bias          √d                   0                        η₀/√d       η₀
 * </pre>
 * (Tensor Programs V, Table 3, in this multiplier form: input weights and biases lr O(1), hidden and output weights lr
 * 1/fan_in on weights of scale 1/√fan_in and 1/fan_in respectively.) A tied head reuses the embedding's multiplier.
 * Under SGD-like optimizers the SGD form is used (the Adam form would change the SGD dynamics).
 *
 * <p><b>Noci et al.'s options</b>: {@code layerNormPosition} pre (h = h + r·f(LN(h)), LN before the head) or post
 * (h = LN(h + r·f(h)), no LN before the head: it is already normalized); {@code causal} false for bidirectional
 * attention (every position attends to every position; for signal propagation at init: trained on next-token
 * prediction it can read the target); {@code qkInitScale} multiplies the init std of W_Q and W_K: small values make
 * the attention near-uniform at init, the paper's assumption.
 *
 * <p><b>Init schemes</b> (every weight drawn from SplittableRandom(seed), Box–Muller, in parameter order):
 * {@code gaussian}: every weight N(0, initStd²); {@code gpt2}: the same but the residual output projections
 * (attn/wo, mlp/w2) N(0, initStd²/(2L)) (GPT-2; at L = 1 it is SingleLayerConfig's "gaussian"); {@code xavier}:
 * embeddings N(0, initStd²), every other matrix N(0, initStd²/fan_in) (Noci's σ²/d init at initStd = 1). Biases 0.
 *
 * @param vocab           number of token values V (one-hot width, output classes)
 * @param seqLen          context length T (learned positions, causal mask size)
 * @param dModel          residual width d = N·H
 * @param heads           attention heads H per block; must divide dModel (head width N = d/H)
 * @param depth           number of blocks L (≥ 1)
 * @param residualScaling residual-branch multiplier: "none" (1), "inv-sqrt-depth" (β/√L), "beta-over-depth" (β/L)
 * @param beta            β of the scaled residuals (1: Noci's 1/√L; Bordelon's code uses 4 with β/L)
 * @param layerNorm       parameter-free pre-layer-norm before every branch and before the head (eps 1e-5)
 * @param mlp             add the ReLU MLP branch (d -> mlpRatio·d -> d) after attention in every block
 * @param mlpRatio        MLP hidden width as a multiple of d
 * @param tiedEmbedding   logits from h @ wteᵀ (true) or an untied head h @ head/w (false), plus head/bias
 * @param attention       attention kernel: "softmax", "gaussian" or "linear" (see {@link Attention})
 * @param parameterization "standard", "mup" or "depth-mup" (see above)
 * @param initScheme      "gaussian", "gpt2" or "xavier" (see above)
 * @param initStd         std (or gain, for xavier) of the init
 * @param initValues      explicit parameter values (row-major, by name) set after the scheme; empty: none
 * @param layerNormPosition "pre" or "post" (read when {@code layerNorm})
 * @param causal          causal mask (true) or bidirectional attention (false; softmax and gaussian kernels)
 * @param qkInitScale     multiplier on the init std of W_Q and W_K (1: the scheme's; small: near-uniform attention)
 * @param mupOptimizer    "sgd" or "adam": the form of mup's embedding and readout multipliers (see above)
 */
public record DeepConfig(
        int vocab,               // = 2        V, token values (one-hot width, output classes)
        int seqLen,              // = 64       T, context length (positions, causal mask size)
        int dModel,              // = 16       d = N·H, residual width
        int heads,               // = 2        H, attention heads per block, d % H == 0
        int depth,               // = 4        L, blocks
        String residualScaling,  // = "inv-sqrt-depth"  none (1) | inv-sqrt-depth (β/√L) | beta-over-depth (β/L)
        double beta,             // = 1        β of the scaled residuals
        boolean layerNorm,       // = true     parameter-free pre-LN before each branch and before the head
        boolean mlp,             // = true     ReLU MLP branch d -> mlpRatio·d -> d in every block
        int mlpRatio,            // = 4        MLP hidden width / d
        boolean tiedEmbedding,   // = true     logits = h @ wte^T + bias; false: untied head/w [d,V] + bias
        String attention,        // = "softmax"   softmax | gaussian | linear
        String parameterization, // = "standard"  standard | mup | depth-mup
        String initScheme,       // = "gpt2"   gaussian | gpt2 | xavier
        double initStd,          // = 0.02     std of the init (gain for xavier)
        Map<String, double[]> initValues, // = {}  explicit values by parameter name, applied after the scheme
        String layerNormPosition, // = "pre"  pre (LN before each branch and the head) | post (LN after each residual add)
        boolean causal,          // = true     causal mask; false: every position attends to every position
        double qkInitScale,      // = 1        multiplier on the init std of W_Q and W_K (small: near-uniform attention)
        String mupOptimizer)     // = "sgd"    sgd | adam: which form of mup's embedding/readout multipliers (see above)
        implements ModelConfig {

    /** Residual scalings the factory knows. */
    public static final List<String> RESIDUAL_SCALINGS = List.of("none", "inv-sqrt-depth", "beta-over-depth");
    /** Parameterizations the factory knows. */
    public static final List<String> PARAMETERIZATIONS = List.of("standard", "mup", "depth-mup");
    /** Init schemes the factory knows. */
    public static final List<String> INIT_SCHEMES = List.of("gaussian", "gpt2", "xavier");
    /** Attention kernels the factory knows. */
    public static final List<String> ATTENTIONS = Attention.KERNELS;
    /** Optimizers {@link #lrMultiplier} knows: SGD-like (sgd, gd) and Adam-like (adam, adamw, signgd). */
    public static final List<String> OPTIMIZERS = List.of("sgd", "gd", "adam", "adamw", "signgd");
    /** Layer-norm positions the factory knows. */
    public static final List<String> LAYER_NORM_POSITIONS = List.of("pre", "post");
    /** Forms of mup's embedding and readout multipliers: for SGD-like or for Adam-like optimizers. */
    public static final List<String> MUP_OPTIMIZERS = List.of("sgd", "adam");
    /** Most blocks accepted. */
    public static final int MAX_DEPTH = 1024;

    public DeepConfig {
        if (vocab < 2 || vocab > 256) throw new IllegalArgumentException("vocab must be in [2,256], got " + vocab);
        if (seqLen < 1) throw new IllegalArgumentException("seqLen must be >= 1, got " + seqLen);
        if (dModel < 1) throw new IllegalArgumentException("dModel must be >= 1, got " + dModel);
        if (heads < 1 || dModel % heads != 0) {
            throw new IllegalArgumentException("heads must be >= 1 and divide dModel=" + dModel + ", got " + heads);
        }
        if (depth < 1 || depth > MAX_DEPTH) {
            throw new IllegalArgumentException("depth must be in [1," + MAX_DEPTH + "], got " + depth);
        }
        if (residualScaling == null || !RESIDUAL_SCALINGS.contains(residualScaling)) {
            throw new IllegalArgumentException("residualScaling must be one of " + RESIDUAL_SCALINGS + ", got "
                    + residualScaling);
        }
        if (!(beta > 0) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException("beta must be finite and > 0, got " + beta);
        }
        if (layerNorm && dModel < 2) {
            throw new IllegalArgumentException("dModel must be >= 2 with layerNorm (a 1-wide layer norm is 0), got "
                    + dModel);
        }
        if (mlp && mlpRatio < 1) throw new IllegalArgumentException("mlpRatio must be >= 1, got " + mlpRatio);
        if (attention == null || !ATTENTIONS.contains(attention)) {
            throw new IllegalArgumentException("attention must be one of " + ATTENTIONS + ", got " + attention);
        }
        if (parameterization == null || !PARAMETERIZATIONS.contains(parameterization)) {
            throw new IllegalArgumentException("parameterization must be one of " + PARAMETERIZATIONS + ", got "
                    + parameterization);
        }
        if (parameterization.equals("depth-mup") && residualScaling.equals("none")) {
            throw new IllegalArgumentException("residualScaling must be inv-sqrt-depth or beta-over-depth with"
                    + " parameterization depth-mup, got none");
        }
        if (initScheme == null || !INIT_SCHEMES.contains(initScheme)) {
            throw new IllegalArgumentException("initScheme must be one of " + INIT_SCHEMES + ", got " + initScheme);
        }
        if (!(initStd >= 0) || !Double.isFinite(initStd)) {
            throw new IllegalArgumentException("initStd must be finite and >= 0, got " + initStd);
        }
        if (layerNormPosition == null || !LAYER_NORM_POSITIONS.contains(layerNormPosition)) {
            throw new IllegalArgumentException("layerNormPosition must be one of " + LAYER_NORM_POSITIONS + ", got "
                    + layerNormPosition);
        }
        if (!causal && attention.equals("linear")) {
            throw new IllegalArgumentException("causal must be true with attention linear (no bidirectional linear kernel)");
        }
        if (!(qkInitScale >= 0) || !Double.isFinite(qkInitScale)) {
            throw new IllegalArgumentException("qkInitScale must be finite and >= 0, got " + qkInitScale);
        }
        if (mupOptimizer == null || !MUP_OPTIMIZERS.contains(mupOptimizer)) {
            throw new IllegalArgumentException("mupOptimizer must be one of " + MUP_OPTIMIZERS + ", got " + mupOptimizer);
        }
        initValues = Inits.copyValues(initValues);
    }

    /** The first version's fields; the later ones at their defaults (pre-LN, causal, qkInitScale 1, mupOptimizer sgd). */
    public DeepConfig(int vocab, int seqLen, int dModel, int heads, int depth, String residualScaling, double beta,
                      boolean layerNorm, boolean mlp, int mlpRatio, boolean tiedEmbedding, String attention,
                      String parameterization, String initScheme, double initStd, Map<String, double[]> initValues) {
        this(vocab, seqLen, dModel, heads, depth, residualScaling, beta, layerNorm, mlp, mlpRatio, tiedEmbedding,
                attention, parameterization, initScheme, initStd, initValues, "pre", true, 1.0, "sgd");
    }

    /** A GPT-2-like pre-LN stack: V=2, T=64, d=16, 2 heads, L=4, r=1/√L, MLP 4d, tied, softmax, standard, gpt2 0.02. */
    public static DeepConfig defaults() {
        return new DeepConfig(2, 64, 16, 2, 4, "inv-sqrt-depth", 1.0, true, true, 4, true, "softmax", "standard",
                "gpt2", 0.02, Map.of());
    }

    /**
     * Noci et al.'s setting: standard parameterization, no layer norm, attention-only blocks (no MLP), xavier init
     * with gain 1 (W ~ N(0, 1/fan_in), embeddings N(0,1)), softmax, untied head; the residual scaling as given.
     */
    public static DeepConfig noci(int vocab, int seqLen, int dModel, int heads, int depth, String residualScaling) {
        return new DeepConfig(vocab, seqLen, dModel, heads, depth, residualScaling, 1.0, false, false, 4, false,
                "softmax", "standard", "xavier", 1.0, Map.of());
    }

    /**
     * Bordelon et al.'s setting: head width N, H heads (d = N·H), L blocks, depth-μP (r = 1/√L, α_L = ½), α_A = 1,
     * readout 1/(N·H), parameter-free pre-LN, ReLU MLP with ratio 1, untied head, gaussian init with std 1.
     */
    public static DeepConfig bordelon(int vocab, int seqLen, int headDim, int heads, int depth) {
        return new DeepConfig(vocab, seqLen, headDim * heads, heads, depth, "inv-sqrt-depth", 1.0, true, true, 1,
                false, "softmax", "depth-mup", "gaussian", 1.0, Map.of());
    }

    /** This config with another depth. */
    public DeepConfig withDepth(int l) {
        return new DeepConfig(vocab, seqLen, dModel, heads, l, residualScaling, beta, layerNorm, mlp, mlpRatio,
                tiedEmbedding, attention, parameterization, initScheme, initStd, initValues,
                layerNormPosition, causal, qkInitScale, mupOptimizer);
    }

    /** This config with another width and head count. */
    public DeepConfig withWidth(int d, int h) {
        return new DeepConfig(vocab, seqLen, d, h, depth, residualScaling, beta, layerNorm, mlp, mlpRatio,
                tiedEmbedding, attention, parameterization, initScheme, initStd, initValues,
                layerNormPosition, causal, qkInitScale, mupOptimizer);
    }

    /** This config with another residual scaling and β. */
    public DeepConfig withResidual(String scaling, double b) {
        return new DeepConfig(vocab, seqLen, dModel, heads, depth, scaling, b, layerNorm, mlp, mlpRatio,
                tiedEmbedding, attention, parameterization, initScheme, initStd, initValues,
                layerNormPosition, causal, qkInitScale, mupOptimizer);
    }

    /** This config with layer norm and the MLP switched as given. */
    public DeepConfig withBlocks(boolean ln, boolean withMlp) {
        return new DeepConfig(vocab, seqLen, dModel, heads, depth, residualScaling, beta, ln, withMlp, mlpRatio,
                tiedEmbedding, attention, parameterization, initScheme, initStd, initValues,
                layerNormPosition, causal, qkInitScale, mupOptimizer);
    }

    /** This config with another attention kernel. */
    public DeepConfig withAttention(String kernel) {
        return new DeepConfig(vocab, seqLen, dModel, heads, depth, residualScaling, beta, layerNorm, mlp, mlpRatio,
                tiedEmbedding, kernel, parameterization, initScheme, initStd, initValues,
                layerNormPosition, causal, qkInitScale, mupOptimizer);
    }

    /** This config with another parameterization. */
    public DeepConfig withParameterization(String p) {
        return new DeepConfig(vocab, seqLen, dModel, heads, depth, residualScaling, beta, layerNorm, mlp, mlpRatio,
                tiedEmbedding, attention, p, initScheme, initStd, initValues,
                layerNormPosition, causal, qkInitScale, mupOptimizer);
    }

    /** This config with another init scheme and std. */
    public DeepConfig withInit(String scheme, double std) {
        return new DeepConfig(vocab, seqLen, dModel, heads, depth, residualScaling, beta, layerNorm, mlp, mlpRatio,
                tiedEmbedding, attention, parameterization, scheme, std, initValues,
                layerNormPosition, causal, qkInitScale, mupOptimizer);
    }

    /** This config with explicit parameter values (by name, row-major), applied after the init scheme. */
    public DeepConfig withInitValues(Map<String, double[]> values) {
        return new DeepConfig(vocab, seqLen, dModel, heads, depth, residualScaling, beta, layerNorm, mlp, mlpRatio,
                tiedEmbedding, attention, parameterization, initScheme, initStd, values,
                layerNormPosition, causal, qkInitScale, mupOptimizer);
    }

    /** This config with a tied (true) or untied head. */
    public DeepConfig withTiedEmbedding(boolean tied) {
        return new DeepConfig(vocab, seqLen, dModel, heads, depth, residualScaling, beta, layerNorm, mlp, mlpRatio,
                tied, attention, parameterization, initScheme, initStd, initValues,
                layerNormPosition, causal, qkInitScale, mupOptimizer);
    }

    /** This config with layer norm on or off at a position ("pre" or "post"). */
    public DeepConfig withLayerNorm(boolean ln, String position) {
        return new DeepConfig(vocab, seqLen, dModel, heads, depth, residualScaling, beta, ln, mlp, mlpRatio,
                tiedEmbedding, attention, parameterization, initScheme, initStd, initValues, position, causal,
                qkInitScale, mupOptimizer);
    }

    /** This config with causal (true) or bidirectional attention. */
    public DeepConfig withCausal(boolean c) {
        return new DeepConfig(vocab, seqLen, dModel, heads, depth, residualScaling, beta, layerNorm, mlp, mlpRatio,
                tiedEmbedding, attention, parameterization, initScheme, initStd, initValues, layerNormPosition, c,
                qkInitScale, mupOptimizer);
    }

    /** This config with another multiplier on the Q/K init std. */
    public DeepConfig withQkInitScale(double scale) {
        return new DeepConfig(vocab, seqLen, dModel, heads, depth, residualScaling, beta, layerNorm, mlp, mlpRatio,
                tiedEmbedding, attention, parameterization, initScheme, initStd, initValues, layerNormPosition, causal,
                scale, mupOptimizer);
    }

    /** This config with mup's multipliers in the form for "sgd" or "adam". */
    public DeepConfig withMupOptimizer(String form) {
        return new DeepConfig(vocab, seqLen, dModel, heads, depth, residualScaling, beta, layerNorm, mlp, mlpRatio,
                tiedEmbedding, attention, parameterization, initScheme, initStd, initValues, layerNormPosition, causal,
                qkInitScale, form);
    }

    /** Whether mup's Adam form applies: a mup-like parameterization with {@code mupOptimizer} adam. */
    public boolean mupAdam() {
        return mupLike() && mupOptimizer.equals("adam");
    }

    /**
     * The forward multiplier of the embeddings (wte, wpe) and of the head bias: √d under {@link #mupAdam}, else 1. The
     * init std of wte and wpe is divided by the same factor, so the function at init is unchanged.
     */
    public double embeddingMultiplier() {
        return mupAdam() ? Math.sqrt(dModel) : 1.0;
    }

    /** Uniform attention's mean row entropy over the T queries: mean of ln(t+1) (causal) or ln T (bidirectional). */
    public double uniformAttentionEntropy() {
        if (!causal) return Math.log(seqLen);
        double s = 0;
        for (int t = 0; t < seqLen; t++) s += Math.log(t + 1);
        return s / seqLen;
    }

    /** Head width N = d/H. */
    public int headDim() {
        return dModel / heads;
    }

    /** The residual-branch multiplier r: 1, β/√L or β/L. */
    public double residualMultiplier() {
        return switch (residualScaling) {
            case "none" -> 1.0;
            case "inv-sqrt-depth" -> beta / Math.sqrt(depth);
            case "beta-over-depth" -> beta / depth;
            default -> throw new IllegalStateException(residualScaling);
        };
    }

    /** Bordelon's α_L of the residual scaling: r ∝ L^{−α_L}; 0 for none, ½ for inv-sqrt-depth, 1 for beta-over-depth. */
    public double depthExponent() {
        return depthExponent(residualScaling);
    }

    /** α_L of a residual scaling name. */
    public static double depthExponent(String residualScaling) {
        return switch (residualScaling) {
            case "none" -> 0.0;
            case "inv-sqrt-depth" -> 0.5;
            case "beta-over-depth" -> 1.0;
            default -> throw new IllegalArgumentException("residualScaling must be one of " + RESIDUAL_SCALINGS
                    + ", got " + residualScaling);
        };
    }

    /** Bordelon's α_A: attention logits q·k/N^{α_A}; ½ for standard, 1 for mup and depth-mup. */
    public double attentionExponent() {
        return parameterization.equals("standard") ? 0.5 : 1.0;
    }

    /** True for mup and depth-mup: 1/√fan_in on hidden matrices, logits q·k/N, readout 1/d. */
    public boolean mupLike() {
        return !parameterization.equals("standard");
    }

    /**
     * The readout multiplier: 1 (standard), 1/d = 1/(N·H) (mup, depth-mup), 1/√d under {@link #mupAdam} (whose head/w
     * init std is divided by √d: the same function at init).
     */
    public double readoutMultiplier() {
        return mupAdam() ? 1.0 / Math.sqrt(dModel) : mupLike() ? 1.0 / dModel : 1.0;
    }

    /** The forward multiplier of a hidden matrix with this fan-in: 1 (standard) or 1/√fanIn (mup, depth-mup). */
    public double hiddenMultiplier(int fanIn) {
        return mupLike() ? 1.0 / Math.sqrt(fanIn) : 1.0;
    }

    /** {@link #lrMultiplier(String, String, int, int, int, String)} for this config. */
    public double lrMultiplier(String optimizer) {
        return lrMultiplier(parameterization, optimizer, headDim(), heads, depth, residualScaling);
    }

    /**
     * The factor by which a base learning rate η₀ is multiplied under a parameterization (Bordelon et al. 2024,
     * their public code and the depth-μP argument), with N the head width, H the heads, L the blocks and α_L the
     * {@link #depthExponent} of the residual scaling:
     * <pre>
     *   standard            1                          (any optimizer)
     *   mup        SGD-like N·H                        Adam-like (N·H)^{−½}
     *   depth-mup  SGD-like N·H·L^{2α_L−1}             Adam-like (N·H)^{−½}·L^{α_L−1}
     * </pre>
     * SGD-like: sgd, gd; Adam-like: adam, adamw, signgd (per-coordinate normalized updates scale like Adam's).
     * The SGD rule and the Adam width factor are Bordelon's (papers.md: SGD η₀·γ₀²·N·H·L^{2α_L−1} with γ₀ = 1 here;
     * Adam η₀/√(N·H)). The Adam depth factor L^{α_L−1} is derived, not read: with branch multiplier L^{−α_L}, an
     * update of size η per coordinate moves each branch by η·L^{−α_L}·√(N·H) and L branches add up coherently, so
     * η ∝ L^{α_L−1}/√(N·H) keeps the total change O(1); it is 1 for α_L = 1, the case of their code.
     *
     * @throws IllegalArgumentException naming the argument, for an unknown name or a size below 1
     */
    public static double lrMultiplier(String parameterization, String optimizer, int headDim, int heads, int depth,
                                      String residualScaling) {
        if (parameterization == null || !PARAMETERIZATIONS.contains(parameterization)) {
            throw new IllegalArgumentException("parameterization must be one of " + PARAMETERIZATIONS + ", got "
                    + parameterization);
        }
        if (optimizer == null || !OPTIMIZERS.contains(optimizer)) {
            throw new IllegalArgumentException("optimizer must be one of " + OPTIMIZERS + ", got " + optimizer);
        }
        if (headDim < 1) throw new IllegalArgumentException("headDim must be >= 1, got " + headDim);
        if (heads < 1) throw new IllegalArgumentException("heads must be >= 1, got " + heads);
        if (depth < 1) throw new IllegalArgumentException("depth must be >= 1, got " + depth);
        double alphaL = depthExponent(residualScaling);
        boolean sgd = optimizer.equals("sgd") || optimizer.equals("gd");
        double width = (double) headDim * heads;
        return switch (parameterization) {
            case "standard" -> 1.0;
            case "mup" -> sgd ? width : 1.0 / Math.sqrt(width);
            case "depth-mup" -> sgd ? width * Math.pow(depth, 2 * alphaL - 1)
                    : Math.pow(depth, alphaL - 1) / Math.sqrt(width);
            default -> throw new IllegalStateException(parameterization);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeepConfig c && toString().equals(c.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** Every field, explicit values by content (used as the config's identity, e.g. in checkpoints). */
    @Override
    public String toString() {
        return "DeepConfig[vocab=" + vocab + ", seqLen=" + seqLen + ", dModel=" + dModel + ", heads=" + heads
                + ", depth=" + depth + ", residualScaling=" + residualScaling + ", beta=" + beta + ", layerNorm="
                + layerNorm + ", mlp=" + mlp + ", mlpRatio=" + mlpRatio + ", tiedEmbedding=" + tiedEmbedding
                + ", attention=" + attention + ", parameterization=" + parameterization + ", initScheme=" + initScheme
                + ", initStd=" + initStd + ", initValues=" + Inits.describe(initValues)
                // the later fields only when not at their defaults: configs of the first version keep their identity
                + (layerNormPosition.equals("pre") ? "" : ", layerNormPosition=" + layerNormPosition)
                + (causal ? "" : ", causal=false")
                + (qkInitScale == 1.0 ? "" : ", qkInitScale=" + qkInitScale)
                + (mupOptimizer.equals("sgd") ? "" : ", mupOptimizer=" + mupOptimizer) + "]";
    }
}
