package dev.tdlab.analysis.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * {@code tdlab.limits.*}: the size and shape of one request, checked before the spec is validated or expanded
 * (the body's size is {@code quarkus.http.limits.max-body-size}; the parser's own limits are in SpecParser).
 */
@ConfigMapping(prefix = "tdlab.limits")
public interface LimitsConfig {

    /** Cells × seeds of one sweep (at most the contracts' hard limit of 10,000). */
    @WithDefault("10000")
    int maxSweepRuns();

    /** Swept fields (the sweep's depth: each axis multiplies the cells). */
    @WithDefault("6")
    int maxSweepAxes();

    /** Values listed on one axis. */
    @WithDefault("1000")
    int maxSweepValues();

    /** Seeds of one experiment. */
    @WithDefault("1000")
    int maxSeeds();
}
