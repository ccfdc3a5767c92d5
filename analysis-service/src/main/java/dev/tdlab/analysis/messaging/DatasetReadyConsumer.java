package dev.tdlab.analysis.messaging;

import dev.tdlab.analysis.service.RunLifecycle;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.DatasetReady;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * {@code datasets.ready} into the run lifecycle. Returns after the transaction committed, so the offset is committed
 * only after the effect is stored; an unreadable event goes to {@code datasets.ready.dlq} with the reason; a transient
 * database error (a deadlock) is retried and a database outage waited out ({@link StoreRetry}), so a valid event never
 * lands in the DLQ for it.
 */
@ApplicationScoped
class DatasetReadyConsumer {

    @Inject
    EventReader reader;
    @Inject
    RunLifecycle lifecycle;

    @Incoming(Topics.Channels.DATASETS_READY)
    @Blocking
    public void consume(String json) {
        DatasetReady d = reader.read(json, DatasetReady.class, DatasetReady::runId);
        StoreRetry.run("datasets.ready", () -> lifecycle.onDatasetReady(d));
    }
}
