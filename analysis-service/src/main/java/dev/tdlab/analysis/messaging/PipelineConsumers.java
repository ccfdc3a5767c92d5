package dev.tdlab.analysis.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.store.RunEvents;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.contracts.events.Event;
import dev.tdlab.contracts.events.MetricBatch;
import dev.tdlab.contracts.events.RunStatus;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * The pipeline's events into the store. Each handler returns after its transaction committed, so the
 * offset is committed only after the effect is stored; unreadable events go to their topic's
 * {@code .dlq} with the reason, and the consumer moves on. A transient database error (a deadlock, a
 * lost connection) is retried, so a valid event never lands in a DLQ for it.
 */
@ApplicationScoped
public class PipelineConsumers {

    @Inject
    ObjectMapper mapper;
    @Inject
    RunEvents events;
    @Inject
    dev.tdlab.analysis.observability.AnalysisMeters meters;

    @Incoming(Topics.Channels.DATASETS_READY)
    @Blocking
    @Retry(maxRetries = 10, delay = 100, jitter = 100, abortOn = IllegalArgumentException.class)
    public void datasetReady(String json) {
        events.onDatasetReady(read(json, DatasetReady.class, DatasetReady::runId));
    }

    @Incoming(Topics.Channels.RUNS_STATUS)
    @Blocking
    @Retry(maxRetries = 10, delay = 100, jitter = 100, abortOn = IllegalArgumentException.class)
    public void status(String json) {
        RunStatus s = read(json, RunStatus.class, RunStatus::runId);
        if (s.state() == null) {
            throw new IllegalArgumentException("RunStatus without state");
        }
        events.onStatus(s);
    }

    @Incoming(Topics.Channels.RUNS_METRICS)
    @Blocking
    @Retry(maxRetries = 10, delay = 100, jitter = 100, abortOn = IllegalArgumentException.class)
    public void metrics(String json) {
        MetricBatch b = read(json, MetricBatch.class, MetricBatch::runId);
        if (b.metrics() == null) {
            throw new IllegalArgumentException("MetricBatch without metrics");
        }
        events.onMetrics(b);
        meters.ingested(b);
    }

    private <T extends Event> T read(String json, Class<T> type, java.util.function.Function<T, String> runId) {
        T value;
        try {
            value = mapper.readValue(json, type);
        } catch (Exception e) {
            throw new IllegalArgumentException("unreadable " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        if (value == null) {
            throw new IllegalArgumentException("empty " + type.getSimpleName());
        }
        if (runId.apply(value) == null || value.eventId() == null) {
            throw new IllegalArgumentException(type.getSimpleName() + " without runId or eventId");
        }
        return value;
    }
}
