package dev.tdlab.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Typed configuration of the trainer ({@code tdlab.trainer.*}). */
@ConfigMapping(prefix = "tdlab.trainer")
public interface TrainerConfig {

    /** Runs trained at once in this process. */
    @WithDefault("2")
    int workers();

    /** How long a claimed run stays ours without a heartbeat. */
    @WithDefault("60")
    int leaseSeconds();

    /** Seconds between heartbeats (status + lease extension). */
    @WithDefault("2")
    double heartbeatSeconds();

    /** Steps per metrics batch at most (a batch is also sent at every heartbeat). */
    @WithDefault("200")
    int metricsBatchSteps();

    /** Steps between two checkpoints of a run (0 = none); a re-claimed run resumes from its latest. */
    @WithDefault("200")
    int checkpointEvery();

    /** Milliseconds between two polls of the queue when it was empty. */
    @WithDefault("500")
    long pollMillis();
}
