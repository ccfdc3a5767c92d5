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
     * Least half-width of the bands, as a share of (nearest plateau − optimum): a declared practical-equivalence margin
     * (not statistical). The lab's question is which minimum a run reached; with the exact-conditional metrics the
     * statistical band shrinks to 1e-4–1e-3 nats, below what an optimizer leaves after a finite budget, so without a
     * margin a run 1e-3 nats above H with the plateau 0.13 nats above would be NOT_CONVERGED. 5 % of the distance to
     * the nearest plateau keeps the two minima far apart (the bands meet only at 50 %). 0 turns it off (strict:
     * converged to measurement precision). The band's source is reported with each verdict.
     */
    @WithDefault("0.05")
    double gapFraction();

    /**
     * Rank collapse (verdict/Findings): a deep run counts as collapsed when its last layer's tokens are, at init, within
     * this share of their norm from rank one (‖X − 1x̄ᵀ‖_F / ‖X‖_F). Measured: unscaled L = 32 stacks 0.02–0.03, 1/√L
     * scaled 0.87–0.94 (docs/engine-notes.md).
     */
    @WithDefault("0.1")
    double collapseThreshold();

    /** A classifier's training has converged when its train loss ends (and stays) at or under this share of its start. */
    @WithDefault("0.1")
    double convergedFraction();
}
