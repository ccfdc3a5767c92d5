package dev.tdlab.analysis.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How verdicts are decided ({@code tdlab.verdict.*}); see {@code Verdicts}. */
@ConfigMapping(prefix = "tdlab.verdict")
public interface VerdictConfig {

    /** Standard errors (of the eval loss, the optimum and the run's end fluctuation, in quadrature) the bands span. */
    @WithDefault("3.0")
    double z();

    /**
     * Optional least half-width of the bands, as a share of (nearest plateau − optimum): a practical-equivalence
     * margin, not statistical, so 0 (off) by default.
     */
    @WithDefault("0")
    double gapFraction();

    /**
     * Rank collapse (verdict/Findings): a deep run counts as collapsed when its last layer's tokens are, at init, within
     * this share of their norm from rank one (‖X − 1x̄ᵀ‖_F / ‖X‖_F). Measured: unscaled L = 32 stacks 0.02–0.03, 1/√L
     * scaled 0.87–0.94 (dynamics-core README).
     */
    @WithDefault("0.1")
    double collapseThreshold();

    /** A classifier's training has converged when its train loss ends (and stays) at or under this share of its start. */
    @WithDefault("0.1")
    double convergedFraction();
}
