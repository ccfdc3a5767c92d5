package dev.tdlab.analysis.messaging;

import dev.tdlab.analysis.observability.AnalysisMeters;
import dev.tdlab.analysis.service.RunLifecycle;
import dev.tdlab.analysis.store.MetricStore;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.MetricBatch;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * {@code runs.metrics} in batches (channel property {@code batch=true}): one database transaction per Kafka
 * poll, and the poll's offsets are committed after it. A record that cannot be read or is not a valid
 * MetricBatch goes alone to {@code runs.metrics.dlq} (nacked one by one, before the poll is acked); if
 * the store itself rejects the poll as invalid, its batches are stored one by one to find the bad
 * one(s). While the database is down or restarting the transaction is retried until it is back (the channel stops
 * fetching meanwhile): a valid batch is never dead-lettered for an outage; another error retries it 10 times.
 */
@ApplicationScoped
class RunMetricsConsumer {

    @Inject
    EventReader reader;
    @Inject
    RunLifecycle lifecycle;
    @Inject
    AnalysisMeters meters;

    @Incoming(Topics.Channels.RUNS_METRICS)
    @Blocking
    public CompletionStage<Void> consume(KafkaRecordBatch<String, String> poll) {
        try {
            List<MetricBatch> good = new ArrayList<>();
            List<KafkaRecord<String, String>> goodRecords = new ArrayList<>();
            Map<KafkaRecord<String, String>, Throwable> poison = new LinkedHashMap<>();
            for (KafkaRecord<String, String> rec : poll.getRecords()) {
                try {
                    MetricBatch b = reader.read(rec.getPayload(), MetricBatch.class, MetricBatch::runId);
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
                    applied.addAll(store(good));
                } catch (IllegalArgumentException e) {
                    for (int i = 0; i < good.size(); i++) {
                        try {
                            applied.addAll(store(List.of(good.get(i))));
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

    /** One transaction for the batches ({@link StoreRetry}: held through a database outage). */
    private List<MetricBatch> store(List<MetricBatch> batches) {
        return StoreRetry.store("runs.metrics", () -> lifecycle.onMetrics(batches));
    }
}
