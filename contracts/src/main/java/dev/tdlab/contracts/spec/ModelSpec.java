package dev.tdlab.contracts.spec;

/**
 * Which model a run trains. Absent fields (null) take the family's defaults ({@link #withDefaults()}); fields that the
 * family does not read must be absent or at their default (the validator names them).
 *
 * <p>Families:
 * <ul>
 *   <li>{@code single-layer} (Makkuva et al.): one-hot tokens, learned positions, one attention layer, ReLU MLP,
 *       tied head; next-token cross-entropy on {@code markov} data.</li>
 *   <li>{@code makkuva-minimal}: the exact minimal model of the Makkuva code (scalar binary tokens, one logit).</li>
 *   <li>{@code deep} (Noci et al.; Bordelon et al.): {@code depth} blocks with residual-branch scaling
 *       ({@code residualScaling}, {@code beta}), optional parameter-free layer norm, and the {@code standard},
 *       {@code mup} or {@code depth-mup} parameterization; next-token cross-entropy on {@code markov} data.</li>
 *   <li>{@code two-layer-classifier} (Li et al.; Song et al.): attention over the patches (or tokens) of one example,
 *       then a readout to one logit; logistic loss on {@code noisy-patch}, {@code patch-image} or
 *       {@code sequence-classification} data.</li>
 * </ul>
 *
 * @param family           {@code single-layer}, {@code makkuva-minimal}, {@code deep} or {@code two-layer-classifier}
 * @param dModel           embedding (residual) width d; for the classifier the attention width
 * @param heads            attention heads (must divide dModel)
 * @param attention        attention kernel: {@code softmax}, {@code gaussian} or {@code linear} (not for the classifier)
 * @param mlp              whether each block has its ReLU MLP (d → 4d → d); not read by the classifier
 * @param tiedEmbedding    whether the output layer reuses the token embedding (token families)
 * @param init             initialization
 * @param parameterization {@code standard}; {@code mup} or {@code depth-mup} for {@code deep} (Bordelon et al.)
 * @param depth            {@code deep}: number of blocks L (default 4); the other families have one layer
 * @param residualScaling  {@code deep}: scaling of each residual branch: {@code none}, {@code inv-sqrt-depth} (1/√L)
 *                         or {@code beta-over-depth} (β/L); default none
 * @param beta             {@code deep}: β of {@code beta-over-depth} and the β₀ of depth-μP (default 1)
 * @param layerNorm        {@code deep}: parameter-free pre-layer-norm on each branch (default false)
 * @param readout          {@code two-layer-classifier}: {@code linear} (trained) or {@code fixed} (Li et al.'s ±1
 *                         second layer); default linear
 * @param loss             {@code two-layer-classifier}: {@code logistic} (default) or {@code squared} ((z − y')² on the
 *                         ±1 label, Song et al.'s loss)
 * @param layerNormPosition {@code deep}: {@code pre} (LN before each branch and before the head) or {@code post} (LN
 *                         after each residual add); read with {@code layerNorm}; default pre
 * @param causal           {@code deep}: causal attention (default true); false: bidirectional (Noci et al.'s
 *                         encoder setting; for signal propagation: trained on next-token data it can read the target)
 * @param qkInitScale      {@code deep}: multiplier on the init std of W_Q and W_K (default 1); small values give
 *                         near-uniform attention at init (Noci et al.'s assumption)
 * @param headDim          {@code deep}: head width N; when set, dModel = headDim · heads (so sweeping heads at a fixed
 *                         headDim sweeps H at fixed N, and sweeping headDim sweeps N at fixed H); default absent
 */
public record ModelSpec(
        String family,
        Integer dModel,
        Integer heads,
        String attention,
        Boolean mlp,
        Boolean tiedEmbedding,
        InitSpec init,
        String parameterization,
        Integer depth,
        String residualScaling,
        Double beta,
        Boolean layerNorm,
        String readout,
        String loss,
        String layerNormPosition,
        Boolean causal,
        Double qkInitScale,
        Integer headDim) {

    public static final String SINGLE_LAYER = "single-layer";
    public static final String MAKKUVA_MINIMAL = "makkuva-minimal";
    public static final String DEEP = "deep";
    public static final String CLASSIFIER = "two-layer-classifier";

    /** The fields of the first version (one-layer families); the others absent. */
    public ModelSpec(String family, Integer dModel, Integer heads, String attention, Boolean mlp, Boolean tiedEmbedding,
                     InitSpec init, String parameterization) {
        this(family, dModel, heads, attention, mlp, tiedEmbedding, init, parameterization, null, null, null, null, null);
    }

    /** The fields up to {@code readout}; the later ones absent. */
    public ModelSpec(String family, Integer dModel, Integer heads, String attention, Boolean mlp, Boolean tiedEmbedding,
                     InitSpec init, String parameterization, Integer depth, String residualScaling, Double beta,
                     Boolean layerNorm, String readout) {
        this(family, dModel, heads, attention, mlp, tiedEmbedding, init, parameterization, depth, residualScaling, beta,
                layerNorm, readout, null, null, null, null, null);
    }

    /** Whether the family predicts the next token (markov data) rather than a label. */
    public boolean languageModel() {
        return !CLASSIFIER.equals(family);
    }

    public ModelSpec withDefaults() {
        String f = family == null ? SINGLE_LAYER : family;
        boolean deep = DEEP.equals(f), classifier = CLASSIFIER.equals(f);
        int h = heads == null ? 1 : heads;
        return new ModelSpec(
                f,
                headDim != null && deep ? Integer.valueOf(headDim * h) : dModel == null ? (classifier ? 16 : 4) : dModel,
                h,
                attention == null ? "softmax" : attention,
                mlp == null ? Boolean.valueOf(!classifier) : mlp,
                tiedEmbedding == null ? Boolean.valueOf(!classifier) : tiedEmbedding,
                init == null ? new InitSpec(null, null).withDefaults() : init.withDefaults(),
                parameterization == null ? "standard" : parameterization,
                depth == null ? (deep ? 4 : 1) : depth,
                residualScaling == null ? "none" : residualScaling,
                beta == null ? 1.0 : beta,
                layerNorm == null ? Boolean.FALSE : layerNorm,
                readout == null ? "linear" : readout,
                loss == null && classifier ? "logistic" : loss,
                layerNormPosition == null ? "pre" : layerNormPosition,
                causal == null ? Boolean.TRUE : causal,
                qkInitScale == null ? 1.0 : qkInitScale,
                headDim);
    }
}
