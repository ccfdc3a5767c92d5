package dev.tdlab.trainer.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.kit.Events;
import dev.tdlab.trainer.runner.RunQueue;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code datasets.ready} → the trainer's run queue, as the typed event (read once, here). The handler only stores the run (milliseconds),
 * so training never holds up the Kafka poll loop; the offset is committed after the row is stored.
 * Unreadable messages go to {@code datasets.ready.dlq} with the reason. A run trained outside the lab
 * ({@code train.external: true} in its planned run spec) is not queued: the researcher's own loop trains it.
 */
@ApplicationScoped
class DatasetsReadyConsumer {

    private static final Logger LOG = Logger.getLogger(DatasetsReadyConsumer.class);

    @Inject
    ObjectMapper mapper;
    @Inject
    RunQueue queue;

    @Incoming(Topics.Channels.DATASETS_READY)
    @Blocking
    void onReady(String json) {
        DatasetReady ready = Events.readOrReject(mapper, json, DatasetReady.class);
        if (ready.runId() == null || ready.planned() == null || ready.planned().run() == null || ready.dataUrl() == null) {
            throw new IllegalArgumentException("DatasetReady without runId, planned run or dataUrl");
        }
        if (ready.planned().run().externallyTrained()) {
            LOG.debugf("run %s is trained outside the lab: not queued", ready.runId());
            return;
        }
        if (queue.enqueue(ready)) {
            LOG.infof("run %s queued (dataset %s)", ready.runId(), ready.datasetId());
        }
    }
}
