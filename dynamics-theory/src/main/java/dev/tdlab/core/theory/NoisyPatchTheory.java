package dev.tdlab.core.theory;

import dev.tdlab.core.data.NoisyPatchConfig;

/**
 * Bayes error of the noisy-patch data (closed form). The noise patches have a zero first coordinate (they are
 * orthogonal to μ = signal·e_1) while the signal patch is exactly ±signal·e_1, so when signal > 0 the clean label ỹ
 * is a function of the input (the sign of the sum of the first coordinates of all patches): the only error left is
 * the label noise, and the Bayes-optimal prediction of the observed label y is ỹ itself (labelNoise ≤ 1/2).
 * <ul>
 *   <li>Bayes 0-1 error = labelNoise (1/2 when signal = 0: the input then says nothing about ỹ);</li>
 *   <li>Bayes cross-entropy = h(labelNoise) nats (ln 2 when signal = 0).</li>
 * </ul>
 * The difficulty the data poses to a learner (Li et al.: the noise is memorized) is described by the signal-to-noise
 * ratio ‖μ‖ / (σ_p √s), reported alongside.
 */
public final class NoisyPatchTheory {

    private NoisyPatchTheory() {
    }

    public static double bayesError(NoisyPatchConfig c) {
        return c.signal() > 0 ? c.labelNoise() : 0.5;
    }

    public static double bayesLogLoss(NoisyPatchConfig c) {
        return c.signal() > 0 ? Entropies.h(c.labelNoise()) : Math.log(2);
    }

    /** ‖μ‖ / (σ_p √s); 1 with matched norms (the noise patches rescaled to ‖μ‖). */
    public static double snr(NoisyPatchConfig c) {
        if (c.matchNorms()) return 1.0;
        return c.signal() / (c.noiseStd() * Math.sqrt(c.sparsity()));
    }
}
