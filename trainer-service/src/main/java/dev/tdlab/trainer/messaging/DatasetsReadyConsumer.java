package dev.tdlab.trainer.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.trainer.runner.RunQueue;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code datasets.ready} → the trainer's run queue. The handler only stores the run (milliseconds),
 * so training never holds up the Kafka poll loop; the offset is committed after the row is stored.
 * Unreadable messages go to {@code datasets.ready.dlq} with the reason.
 */
@ApplicationScoped
public class DatasetsReadyConsumer {

    private static final Logger LOG = Logger.getLogger(DatasetsReadyConsumer.class);

    @Inject
    ObjectMapper mapper;
    @Inject
    RunQueue queue;

    @Incoming(Topics.Channels.DATASETS_READY)
    @Blocking
    public void onReady(String json) {
        DatasetReady ready;
        try {
            ready = mapper.readValue(json, DatasetReady.class);
        } catch (Exception e) {
            throw new IllegalArgumentException("unreadable DatasetReady: " + e.getMessage(), e);
        }
        if (ready.runId() == null || ready.planned() == null || ready.planned().run() == null || ready.dataUrl() == null) {
            throw new IllegalArgumentException("DatasetReady without runId, planned run or dataUrl");
        }
        if (queue.enqueue(ready.runId(), ready.experimentId(), json, ready.planned().rerun())) {
            LOG.infof("run %s queued (dataset %s)", ready.runId(), ready.datasetId());
        }
    }
}
