package dev.tdlab.core.model.twolayerclassifier;

import dev.tdlab.core.model.Attention;
import dev.tdlab.core.model.Inits;
import dev.tdlab.core.model.ModelConfig;

import java.util.List;
import java.util.Map;

/**
 * The {@code two-layer-classifier} family: one attention layer over a whole example (no causal mask), then a linear
 * readout to one logit of a binary class, trained with the logistic loss. It covers
 * <ul>
 *   <li>Li et al. 2024 (arXiv 2410.04870): patches X = [x₁..x_P] (P = 2 in the paper), softmax attention with
 *       trainable W_Q, W_K, W_V and no 1/√d on the scores, and a fixed second layer:
 *       f(X) = F₊₁(X) − F₋₁(X), F_j(X) = (1/m_v) Σ_l 1ᵀ W_{V,j} X softmax(Xᵀ W_Kᵀ W_Q x_l): here
 *       {@code valueDim} = 2·m_v value units, {@code readout = "fixed"} puts +1/m_v on the first m_v and −1/m_v on the
 *       last m_v (never trained), {@code pool = "sum"} sums over the query positions l, {@code scaleScores = false};
 *       all weights N(0, σ₀²) ({@code initScheme = "gaussian"}, {@code initStd = valueStd = σ₀});</li>
 *   <li>Song et al. 2024 (arXiv 2411.07538): the same layer with the softmax or the Gaussian kernel, a trained linear
 *       readout ({@code readout = "linear"}), scores scaled by 1/√(head width), and trainable subsets all / v / q
 *       (TrainConfig.trainable); on patches (patch-image, noisy-patch) or on one-hot tokens with learned positions
 *       (sequence-classification, {@code input = "tokens"}).</li>
 * </ul>
 * The graph is built by {@link PatchClassifier}. {@link ModelConfig#vocab()} is the token vocabulary for
 * {@code input = "tokens"} and 2 (the classes) for patches.
 *
 * @param input       "patches": each position is a real vector of {@code inputDim} = D (PatchDataset);
 *                    "tokens": each position a token of {@code inputDim} = V values, embedded one-hot @ emb/wte plus a
 *                    learned position emb/wpe (LabeledSequences)
 * @param seqLen      patches: P, the patches per example; tokens: T, the data's seqLen (the model reads all T + 1
 *                    stored tokens of a sequence, as the Bayes classifier does)
 * @param inputDim    patches: D, the dimension of a patch; tokens: V, the vocabulary (2..256)
 * @param dModel      tokens: the embedding width d; patches: 0 (no embedding: attention reads the patches) or D
 * @param heads       attention heads; divides qkDim and valueDim
 * @param qkDim       query/key width summed over heads (Li: m_k for one head)
 * @param valueDim    value width summed over heads (Li: 2·m_v, the F₊₁ and F₋₁ units)
 * @param attention   "softmax"; "gaussian" (exp(−‖q−k‖²·c/2) normalized over the keys: {@link Attention});
 *                    "gaussian-unnormalized" (exp(−‖q−k‖²·c/2), not normalized; weights in (0, 1])
 * @param scaleScores c = 1/√(qkDim/heads) on the scores (true, standard) or c = 1 (false, Li)
 * @param pool        "sum" over the query positions (Li) or "mean"
 * @param readout     "fixed": logit = pooled · r with r = (+1/m_v)×m_v ++ (−1/m_v)×m_v, not a parameter (Li; needs an
 *                    even valueDim); "linear": a trained head/w [valueDim, 1] (no bias)
 * @param initScheme  "gaussian": every weight N(0, std²); "fan-in": weights N(0, std²/rows) (rows = input width of
 *                    the matrix), embeddings N(0, std²)
 * @param initStd     std of wq, wk, the embeddings and a linear head/w
 * @param valueStd    std of wv (Song's initial condition is about the ratio of the Q/K to the V scale)
 * @param initValues  explicit parameter values (row-major, by name) applied after the scheme; empty: none
 * @param loss        "logistic": BCE with logits (default); "squared": mean over the examples of (z − y')², y' = ±1 the
 *                    label (Song et al.'s loss: with W_V and the readout frozen its optimum 0 is reachable by moving
 *                    the attention alone, where the logistic loss's is not)
 */
public record ClassifierConfig(
        String input,          // = "patches"   patches | tokens
        int seqLen,            // = 2           P patches; tokens: T (reads the T+1 stored tokens)
        int inputDim,          // = 64          D patch dimension; tokens: V vocabulary
        int dModel,            // = 0           tokens: embedding width d; patches: 0 (= D, no embedding)
        int heads,             // = 1           attention heads, divide qkDim and valueDim
        int qkDim,             // = 16          query/key width over all heads (Li: m_k)
        int valueDim,          // = 32          value width over all heads (Li: 2 m_v)
        String attention,      // = "softmax"   softmax | gaussian | gaussian-unnormalized
        boolean scaleScores,   // = false       scores * 1/sqrt(head qk width) (true) or * 1 (false, Li)
        String pool,           // = "sum"       sum (Li) | mean over the query positions
        String readout,        // = "fixed"     fixed ±1/m_v halves (Li) | linear (trained head/w)
        String initScheme,     // = "gaussian"  gaussian N(0,std²) | fan-in N(0,std²/rows)
        double initStd,        // = 0.01        std of wq, wk, embeddings, linear head
        double valueStd,       // = 0.01        std of wv
        Map<String, double[]> initValues, // = {}  explicit values by parameter name, applied after the scheme
        String loss)           // = "logistic"  logistic | squared
        implements ModelConfig {

    public static final List<String> INPUTS = List.of("patches", "tokens");
    public static final List<String> ATTENTIONS = List.of("softmax", "gaussian", "gaussian-unnormalized");
    public static final List<String> POOLS = List.of("sum", "mean");
    public static final List<String> READOUTS = List.of("fixed", "linear");
    public static final List<String> INIT_SCHEMES = List.of("gaussian", "fan-in");
    public static final List<String> LOSSES = List.of("logistic", "squared");

    public ClassifierConfig {
        if (input == null || !INPUTS.contains(input)) {
            throw new IllegalArgumentException("input must be one of " + INPUTS + ", got " + input);
        }
        boolean tokens = input.equals("tokens");
        if (seqLen < 1 || seqLen > (tokens ? 65535 : 256)) {
            throw new IllegalArgumentException("seqLen must be in [1," + (tokens ? 65535 : 256) + "], got " + seqLen);
        }
        if (tokens && (inputDim < 2 || inputDim > 256)) {
            throw new IllegalArgumentException("inputDim (the vocabulary of tokens input) must be in [2,256], got "
                    + inputDim);
        }
        if (!tokens && inputDim < 1) throw new IllegalArgumentException("inputDim must be >= 1, got " + inputDim);
        if (tokens && dModel < 1) throw new IllegalArgumentException("dModel must be >= 1 for tokens input, got " + dModel);
        if (!tokens && dModel != 0 && dModel != inputDim) {
            throw new IllegalArgumentException("dModel must be 0 or inputDim (" + inputDim
                    + ") for patches input (no embedding), got " + dModel);
        }
        if (heads < 1) throw new IllegalArgumentException("heads must be >= 1, got " + heads);
        if (qkDim < 1 || qkDim % heads != 0) {
            throw new IllegalArgumentException("qkDim must be >= 1 and divisible by heads=" + heads + ", got " + qkDim);
        }
        if (valueDim < 1 || valueDim % heads != 0) {
            throw new IllegalArgumentException("valueDim must be >= 1 and divisible by heads=" + heads + ", got "
                    + valueDim);
        }
        if (attention == null || !ATTENTIONS.contains(attention)) {
            throw new IllegalArgumentException("attention must be one of " + ATTENTIONS + ", got " + attention);
        }
        if (pool == null || !POOLS.contains(pool)) {
            throw new IllegalArgumentException("pool must be one of " + POOLS + ", got " + pool);
        }
        if (readout == null || !READOUTS.contains(readout)) {
            throw new IllegalArgumentException("readout must be one of " + READOUTS + ", got " + readout);
        }
        if (readout.equals("fixed") && valueDim % 2 != 0) {
            throw new IllegalArgumentException("valueDim must be even for the fixed readout (two halves of m_v), got "
                    + valueDim);
        }
        if (initScheme == null || !INIT_SCHEMES.contains(initScheme)) {
            throw new IllegalArgumentException("initScheme must be one of " + INIT_SCHEMES + ", got " + initScheme);
        }
        if (!(initStd >= 0) || !Double.isFinite(initStd)) {
            throw new IllegalArgumentException("initStd must be finite and >= 0, got " + initStd);
        }
        if (!(valueStd >= 0) || !Double.isFinite(valueStd)) {
            throw new IllegalArgumentException("valueStd must be finite and >= 0, got " + valueStd);
        }
        if (loss == null || !LOSSES.contains(loss)) {
            throw new IllegalArgumentException("loss must be one of " + LOSSES + ", got " + loss);
        }
        if (!tokens) dModel = 0;
        initValues = Inits.copyValues(initValues);
    }

    /** The logistic loss. */
    public ClassifierConfig(String input, int seqLen, int inputDim, int dModel, int heads, int qkDim, int valueDim,
                            String attention, boolean scaleScores, String pool, String readout, String initScheme,
                            double initStd, double valueStd, Map<String, double[]> initValues) {
        this(input, seqLen, inputDim, dModel, heads, qkDim, valueDim, attention, scaleScores, pool, readout, initScheme,
                initStd, valueStd, initValues, "logistic");
    }

    public ClassifierConfig withLoss(String l) {
        return new ClassifierConfig(input, seqLen, inputDim, dModel, heads, qkDim, valueDim, attention, scaleScores,
                pool, readout, initScheme, initStd, valueStd, initValues, l);
    }

    /**
     * Li et al.'s model on P patches of dimension D: softmax, unscaled scores, m_k = qkDim, m_v = valueDim / 2, fixed
     * ±1/m_v readout, sum over queries, every weight N(0, σ₀²).
     */
    public static ClassifierConfig li(int patches, int dim, int qkDim, int mv, double sigma0) {
        return new ClassifierConfig("patches", patches, dim, 0, 1, qkDim, 2 * mv, "softmax", false, "sum", "fixed",
                "gaussian", sigma0, sigma0, Map.of());
    }

    /** Li's model with P = 2, D = 64, m_k = 16, m_v = 16, σ₀ = 0.01. */
    public static ClassifierConfig defaults() {
        return li(2, 64, 16, 16, 0.01);
    }

    /**
     * Song et al.'s layer on P patches of dimension D: the given kernel, scores scaled by 1/√(head width), a trained
     * linear readout, mean over queries, q/k/v of width d each, LeCun (fan-in) init with std 1 for q, k, head and
     * {@code valueStd} for v.
     */
    public static ClassifierConfig song(int patches, int dim, int d, int heads, String kernel, double valueStd) {
        return new ClassifierConfig("patches", patches, dim, 0, heads, d, d, kernel, true, "mean", "linear", "fan-in",
                1.0, valueStd, Map.of());
    }

    /** Sequence classification: tokens of {@code vocab} values, T + 1 positions, embedding width d, linear readout. */
    public static ClassifierConfig tokens(int vocab, int seqLen, int d, int heads, String kernel) {
        return new ClassifierConfig("tokens", seqLen, vocab, d, heads, d, d, kernel, true, "mean", "linear", "fan-in",
                1.0, 1.0, Map.of());
    }

    public ClassifierConfig withAttention(String kernel) {
        return new ClassifierConfig(input, seqLen, inputDim, dModel, heads, qkDim, valueDim, kernel, scaleScores, pool,
                readout, initScheme, initStd, valueStd, initValues, loss);
    }

    public ClassifierConfig withHeads(int h) {
        return new ClassifierConfig(input, seqLen, inputDim, dModel, h, qkDim, valueDim, attention, scaleScores, pool,
                readout, initScheme, initStd, valueStd, initValues, loss);
    }

    public ClassifierConfig withReadout(String r) {
        return new ClassifierConfig(input, seqLen, inputDim, dModel, heads, qkDim, valueDim, attention, scaleScores,
                pool, r, initScheme, initStd, valueStd, initValues, loss);
    }

    public ClassifierConfig withInit(String scheme, double std, double vStd) {
        return new ClassifierConfig(input, seqLen, inputDim, dModel, heads, qkDim, valueDim, attention, scaleScores,
                pool, readout, scheme, std, vStd, initValues, loss);
    }

    public ClassifierConfig withInitValues(Map<String, double[]> values) {
        return new ClassifierConfig(input, seqLen, inputDim, dModel, heads, qkDim, valueDim, attention, scaleScores,
                pool, readout, initScheme, initStd, valueStd, values, loss);
    }

    /** True for one-hot token input. */
    public boolean tokenInput() {
        return input.equals("tokens");
    }

    /** Attention positions: P for patches, T + 1 for tokens. */
    public int positions() {
        return tokenInput() ? seqLen + 1 : seqLen;
    }

    /** Width of the vectors attention reads: D for patches, d for tokens. */
    public int width() {
        return tokenInput() ? dModel : inputDim;
    }

    /** Token vocabulary V for tokens input; 2 (the classes) for patches. */
    @Override
    public int vocab() {
        return tokenInput() ? inputDim : 2;
    }

    /** The multiplier c of the scores: 1/√(qkDim/heads) or 1. */
    public double scoreScale() {
        return scaleScores ? 1.0 / Math.sqrt((double) qkDim / heads) : 1.0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassifierConfig c && toString().equals(c.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** Every field, explicit values by content (the config's identity, e.g. in checkpoints). */
    @Override
    public String toString() {
        return "ClassifierConfig[input=" + input + ", seqLen=" + seqLen + ", inputDim=" + inputDim + ", dModel="
                + dModel + ", heads=" + heads + ", qkDim=" + qkDim + ", valueDim=" + valueDim + ", attention="
                + attention + ", scaleScores=" + scaleScores + ", pool=" + pool + ", readout=" + readout
                + ", initScheme=" + initScheme + ", initStd=" + initStd + ", valueStd=" + valueStd + ", initValues="
                + Inits.describe(initValues) + (loss.equals("logistic") ? "" : ", loss=" + loss) + "]";
    }
}
