package dev.tdlab.analysis.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * {@code tdlab.quota.*}: each tenant's quotas unless its row in {@code tenants} overrides them
 * ({@code PUT /api/v1/tenants/{t}}).
 */
@ConfigMapping(prefix = "tdlab.quota")
public interface QuotaConfig {

    /** Σ over the experiment's runs of optimizer steps × model parameters. */
    @WithDefault("10000000000000")
    long stepParametersPerExperiment();

    /** Runs (cells × seeds) of one experiment. */
    @WithDefault("10000")
    int runsPerExperiment();

    /** Runs of the tenant not yet ended (PLANNED, DATA_READY, RUNNING), across its experiments. */
    @WithDefault("2000")
    int concurrentRuns();

    /** Sequences × sequence length of one run's dataset (train + eval). */
    @WithDefault("200000000")
    long datasetSize();
}
