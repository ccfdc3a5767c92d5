package dev.tdlab.analysis.messaging;

import dev.tdlab.analysis.service.RunLifecycle;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.RunStatus;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * {@code runs.status} into the run lifecycle, committed before the offset; unreadable events (or one without a state)
 * go to {@code runs.status.dlq}; transient database errors are retried.
 */
@ApplicationScoped
class RunStatusConsumer {

    @Inject
    EventReader reader;
    @Inject
    RunLifecycle lifecycle;

    @Incoming(Topics.Channels.RUNS_STATUS)
    @Blocking
    @Retry(maxRetries = 10, delay = 100, jitter = 100, abortOn = IllegalArgumentException.class)
    public void consume(String json) {
        RunStatus s = reader.read(json, RunStatus.class, RunStatus::runId);
        if (s.state() == null) {
            throw new IllegalArgumentException("RunStatus without state");
        }
        lifecycle.onStatus(s);
    }
}
