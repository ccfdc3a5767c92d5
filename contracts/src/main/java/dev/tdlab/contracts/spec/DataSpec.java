package dev.tdlab.contracts.spec;

import java.util.List;

/**
 * What data a run trains on. Absent fields (null) take the defaults of {@link #withDefaults()}, which depend on the
 * family; fields that do not belong to the family must be absent (the validator names them).
 *
 * <p>Families:
 * <ul>
 *   <li>{@code markov}: sequences of {@code seqLen + 1} tokens from an order-{@code order} chain on {@code vocab}
 *       tokens, given by one of {@code p}/{@code q} (binary, first order), {@code transition} (V^k rows) or
 *       {@code dirichlet} (a random table drawn from the run's seed). With {@code inContext: true} (and
 *       {@code dirichlet}) every sequence draws its own chain from the Dirichlet prior.</li>
 *   <li>{@code sequence-classification}: label = which of two sources (order-k chains: {@code sources}, or two random
 *       tables from {@code dirichlet}) made the sequence.</li>
 *   <li>{@code noisy-patch} (Li et al. 2024): {@code patches} vectors of dimension {@code dim}, one the signal
 *       ±{@code signal}·e₁, the others Gaussian noise ({@code noiseStd}, {@code sparsity} non-zero coordinates);
 *       label noise {@code labelNoise}.</li>
 *   <li>{@code patch-image}: an {@code imageSize}² noisy image ({@code noiseStd}) with a horizontal or vertical bar
 *       of {@code barLength} pixels and brightness {@code signal}, cut into {@code patchSize}² patches; label = the
 *       bar's orientation.</li>
 * </ul>
 * For the two patch families {@code trainSequences}/{@code evalSequences} count examples.
 *
 * @param family         data family: {@code markov}, {@code sequence-classification}, {@code noisy-patch}, {@code patch-image}
 * @param order          Markov order k (markov, sequence-classification)
 * @param vocab          vocabulary size V (markov, sequence-classification)
 * @param p              binary first-order chain: P(x_{t+1}=1 | x_t=0)
 * @param q              binary first-order chain: P(x_{t+1}=0 | x_t=1)
 * @param transition     V^k rows of V probabilities (row index = previous k tokens, base V, oldest first)
 * @param dirichlet      concentration α of random transition tables drawn from the seed (every row Dirichlet(α,…,α))
 * @param seqLen         context length T; each stored sequence holds T+1 tokens (inputs and shifted targets)
 * @param trainSequences sequences (examples) in the training split
 * @param evalSequences  sequences (examples) in the held-out evaluation split
 * @param inContext      markov only: every sequence draws its own chain from Dirichlet({@code dirichlet}); default false
 * @param sources        sequence-classification: the two sources' transition tables (each V^k rows of V)
 * @param dim            noisy-patch: dimension d of a patch
 * @param patches        noisy-patch: patches per example P
 * @param signal         noisy-patch: ‖μ‖; patch-image: the bar's brightness
 * @param noiseStd       noisy-patch: σ_p of the noise coordinates; patch-image: std of the pixel noise
 * @param sparsity       noisy-patch: non-zero noise coordinates per noise patch (default dim−1: dense)
 * @param labelNoise     noisy-patch: probability that the observed label is flipped (default 0)
 * @param imageSize      patch-image: side of the image in pixels
 * @param patchSize      patch-image: side of a patch in pixels (divides imageSize)
 * @param barLength      patch-image: length of the bar in pixels
 * @param matchNorms     noisy-patch: every noise patch rescaled to the signal's norm ‖μ‖ (default false), so that a
 *                       kernel's norm terms (the Gaussian score's −‖k‖²/2) cannot tell signal from noise by norm alone
 */
public record DataSpec(
        String family,
        Integer order,
        Integer vocab,
        Double p,
        Double q,
        List<List<Double>> transition,
        Double dirichlet,
        Integer seqLen,
        Integer trainSequences,
        Integer evalSequences,
        Boolean inContext,
        List<List<List<Double>>> sources,
        Integer dim,
        Integer patches,
        Double signal,
        Double noiseStd,
        Integer sparsity,
        Double labelNoise,
        Integer imageSize,
        Integer patchSize,
        Integer barLength,
        Boolean matchNorms) {

    public static final String MARKOV = "markov";
    public static final String SEQUENCE_CLASSIFICATION = "sequence-classification";
    public static final String NOISY_PATCH = "noisy-patch";
    public static final String PATCH_IMAGE = "patch-image";

    /** The fields of the first version (a markov chain); the others absent. */
    public DataSpec(String family, Integer order, Integer vocab, Double p, Double q, List<List<Double>> transition,
                    Double dirichlet, Integer seqLen, Integer trainSequences, Integer evalSequences) {
        this(family, order, vocab, p, q, transition, dirichlet, seqLen, trainSequences, evalSequences,
                null, null, null, null, null, null, null, null, null, null, null);
    }

    /** The fields before {@code matchNorms}; it absent. */
    public DataSpec(String family, Integer order, Integer vocab, Double p, Double q, List<List<Double>> transition,
                    Double dirichlet, Integer seqLen, Integer trainSequences, Integer evalSequences, Boolean inContext,
                    List<List<List<Double>>> sources, Integer dim, Integer patches, Double signal, Double noiseStd,
                    Integer sparsity, Double labelNoise, Integer imageSize, Integer patchSize, Integer barLength) {
        this(family, order, vocab, p, q, transition, dirichlet, seqLen, trainSequences, evalSequences, inContext, sources,
                dim, patches, signal, noiseStd, sparsity, labelNoise, imageSize, patchSize, barLength, null);
    }

    /** Defaults of the spec's family; fields of other families are left as given (the validator rejects them). */
    public DataSpec withDefaults() {
        String f = family == null ? MARKOV : family;
        int train = trainSequences == null ? 4096 : trainSequences;
        int eval = evalSequences == null ? 256 : evalSequences;
        return switch (f) {
            case NOISY_PATCH -> {
                int d = dim == null ? 64 : dim;
                yield new DataSpec(f, order, vocab, p, q, transition, dirichlet, seqLen, train, eval, inContext,
                        sources, d, patches == null ? 2 : patches, signal == null ? 1.0 : signal,
                        noiseStd == null ? 1.0 : noiseStd, sparsity == null ? d - 1 : sparsity,
                        labelNoise == null ? 0.0 : labelNoise, imageSize, patchSize, barLength,
                        matchNorms == null ? Boolean.FALSE : matchNorms);
            }
            case PATCH_IMAGE -> new DataSpec(f, order, vocab, p, q, transition, dirichlet, seqLen, train, eval,
                    inContext, sources, dim, patches, signal == null ? 1.0 : signal, noiseStd == null ? 1.0 : noiseStd,
                    sparsity, labelNoise, imageSize == null ? 16 : imageSize, patchSize == null ? 4 : patchSize,
                    barLength == null ? 4 : barLength, matchNorms);
            default -> new DataSpec(f, order == null ? 1 : order, vocab == null ? inferVocab() : vocab, p, q,
                    transition, dirichlet, seqLen == null ? 256 : seqLen, train, eval,
                    MARKOV.equals(f) ? (inContext == null ? Boolean.FALSE : inContext) : inContext, sources, dim,
                    patches, signal, noiseStd, sparsity, labelNoise, imageSize, patchSize, barLength, matchNorms);
        };
    }

    private int inferVocab() {
        if (transition != null && !transition.isEmpty() && transition.get(0) != null) {
            return transition.get(0).size();
        }
        if (sources != null && !sources.isEmpty() && sources.get(0) != null && !sources.get(0).isEmpty()
                && sources.get(0).get(0) != null) {
            return sources.get(0).get(0).size();
        }
        return 2;
    }
}
