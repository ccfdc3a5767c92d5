package dev.tdlab.core.data;

/**
 * The noisy-patch data of Li et al. 2024 (arXiv 2410.04870), generalized to P patches: each example is
 * {@code patches} vectors of dimension {@code dim}; one of them, at a uniformly random position, is the signal
 * {@code ỹ·μ} with {@code μ = signal·e_1} (ỹ = ±1 the clean label, uniform); every other patch is noise with its first
 * coordinate 0 (orthogonal to μ) and {@code sparsity} of the remaining dim-1 coordinates, chosen uniformly, drawn
 * i.i.d. N(0, noiseStd²) (the rest 0). The observed label is ỹ flipped with probability {@code labelNoise}.
 *
 * @param dim        d, the dimension of a patch (2..4096)
 * @param patches    P, patches per example (2..256; the paper: 2)
 * @param signal     ‖μ‖, the signal strength (≥ 0)
 * @param noiseStd   σ_p, the std of each non-zero noise coordinate (> 0)
 * @param sparsity   s, non-zero noise coordinates per noise patch (1..dim-1; dim-1 = dense)
 * @param labelNoise η, the probability that the observed label is flipped (0..0.5)
 * @param matchNorms  every noise patch rescaled to norm ‖μ‖ = signal after sampling (its direction kept), so that
 *                    signal and noise patches differ in direction only (needs signal > 0)
 */
public record NoisyPatchConfig(int dim, int patches, double signal, double noiseStd, int sparsity, double labelNoise,
                               boolean matchNorms) {

    public NoisyPatchConfig {
        if (dim < 2 || dim > 4096) throw new IllegalArgumentException("dim must be in [2,4096], got " + dim);
        if (patches < 2 || patches > 256) throw new IllegalArgumentException("patches must be in [2,256], got " + patches);
        if (!(signal >= 0) || Double.isInfinite(signal)) throw new IllegalArgumentException("signal must be finite and >= 0, got " + signal);
        if (!(noiseStd > 0) || Double.isInfinite(noiseStd)) throw new IllegalArgumentException("noiseStd must be finite and > 0, got " + noiseStd);
        if (sparsity < 1 || sparsity > dim - 1) throw new IllegalArgumentException("sparsity must be in [1," + (dim - 1) + "], got " + sparsity);
        if (!(labelNoise >= 0 && labelNoise <= 0.5)) throw new IllegalArgumentException("labelNoise must be in [0,0.5], got " + labelNoise);
        if (matchNorms && !(signal > 0)) throw new IllegalArgumentException("matchNorms needs signal > 0, got " + signal);
    }

    /** Noise patches at their sampled norms. */
    public NoisyPatchConfig(int dim, int patches, double signal, double noiseStd, int sparsity, double labelNoise) {
        this(dim, patches, signal, noiseStd, sparsity, labelNoise, false);
    }

    /** Dense noise (sparsity = dim - 1), no label noise. */
    public static NoisyPatchConfig dense(int dim, int patches, double signal, double noiseStd) {
        return new NoisyPatchConfig(dim, patches, signal, noiseStd, dim - 1, 0.0);
    }
}
