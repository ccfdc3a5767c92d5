package dev.tdlab.analysis.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.store.MetricStore;
import dev.tdlab.analysis.store.RunEvents;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.contracts.events.Event;
import dev.tdlab.contracts.events.MetricBatch;
import dev.tdlab.contracts.events.RunStatus;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The pipeline's events into the store. Each handler returns after its transaction committed, so the
 * offset is committed only after the effect is stored; unreadable events go to their topic's
 * {@code .dlq} with the reason, and the consumer moves on. A transient database error (a deadlock, a
 * lost connection) is retried, so a valid event never lands in a DLQ for it.
 */
@ApplicationScoped
public class PipelineConsumers {

    private static final Logger LOG = Logger.getLogger(PipelineConsumers.class);

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

    /**
     * runs.metrics in batches (channel property {@code batch=true}): one database transaction per Kafka
     * poll, and the poll's offsets are committed after it. A record that cannot be read or is not a valid
     * MetricBatch goes alone to {@code runs.metrics.dlq} (nacked one by one, before the poll is acked); if
     * the store itself rejects the poll as invalid, its batches are stored one by one to find the bad
     * one(s). A transient database error retries the whole transaction (up to 10 times).
     */
    @Incoming(Topics.Channels.RUNS_METRICS)
    @Blocking
    public CompletionStage<Void> metrics(KafkaRecordBatch<String, String> poll) {
        try {
            List<MetricBatch> good = new ArrayList<>();
            List<KafkaRecord<String, String>> goodRecords = new ArrayList<>();
            Map<KafkaRecord<String, String>, Throwable> poison = new LinkedHashMap<>();
            for (KafkaRecord<String, String> rec : poll.getRecords()) {
                try {
                    MetricBatch b = read(rec.getPayload(), MetricBatch.class, MetricBatch::runId);
                    MetricStore.validate(b);
                    good.add(b);
                    goodRecords.add(rec);
                } catch (IllegalArgumentException e) {
                    poison.put(rec, e);
                }
            }
            List<MetricBatch> applied = new ArrayList<>();
            if (!good.isEmpty()) {
                try {
                    applied.addAll(storeMetrics(good));
                } catch (IllegalArgumentException e) {
                    for (int i = 0; i < good.size(); i++) {
                        try {
                            applied.addAll(storeMetrics(List.of(good.get(i))));
                        } catch (IllegalArgumentException one) {
                            poison.put(goodRecords.get(i), one);
                        }
                    }
                }
            }
            for (Map.Entry<KafkaRecord<String, String>, Throwable> p : poison.entrySet()) {
                p.getKey().nack(p.getValue()).toCompletableFuture().join(); // sent to the DLQ
            }
            applied.forEach(meters::ingested);
        } catch (RuntimeException e) {
            return poll.nack(e); // retries exhausted: the failure strategy (DLQ) takes the poll
        }
        return poll.ack();
    }

    /** One transaction for the batches, retried on errors other than IllegalArgumentException. */
    private List<MetricBatch> storeMetrics(List<MetricBatch> batches) {
        for (int attempt = 0; ; attempt++) {
            try {
                return events.onMetrics(batches);
            } catch (IllegalArgumentException e) {
                throw e;
            } catch (RuntimeException e) {
                if (attempt >= 10) {
                    throw e;
                }
                LOG.debugf("runs.metrics transaction failed (%s), retrying", e.toString());
                try {
                    Thread.sleep(100 + java.util.concurrent.ThreadLocalRandom.current().nextInt(100));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
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
