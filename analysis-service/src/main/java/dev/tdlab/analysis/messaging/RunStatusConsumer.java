package dev.tdlab.analysis.messaging;

import dev.tdlab.analysis.service.RunLifecycle;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.RunStatus;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * {@code runs.status} into the run lifecycle, committed before the offset; unreadable events (or one without a state)
 * go to {@code runs.status.dlq}; a database outage is waited out and other transient database errors are retried
 * ({@link StoreRetry}), so a valid event never lands in the DLQ for them.
 */
@ApplicationScoped
class RunStatusConsumer {

    @Inject
    EventReader reader;
    @Inject
    RunLifecycle lifecycle;

    @Incoming(Topics.Channels.RUNS_STATUS)
    @Blocking
    public void consume(String json) {
        RunStatus s = reader.read(json, RunStatus.class, RunStatus::runId);
        if (s.state() == null) {
            throw new IllegalArgumentException("RunStatus without state");
        }
        StoreRetry.run("runs.status", () -> lifecycle.onStatus(s));
    }
}
