package dev.tdlab.analysis.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How verdicts are decided ({@code tdlab.verdict.*}); see {@code Verdicts}. */
@ConfigMapping(prefix = "tdlab.verdict")
public interface VerdictConfig {

    /** Standard errors of the eval loss that the GLOBAL/LOCAL bands span at least. */
    @WithDefault("3.0")
    double z();

    /** Least half-width of the bands, as a share of (unigram entropy − entropy rate). */
    @WithDefault("0.05")
    double gapFraction();
}
