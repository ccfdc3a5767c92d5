package dev.tdlab.trainer.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.RunControl;
import dev.tdlab.kit.Events;
import dev.tdlab.trainer.runner.RunQueue;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** {@code runs.control} → the run queue (cancel). Unreadable commands go to {@code runs.control.dlq}. */
@ApplicationScoped
class ControlConsumer {

    private static final Logger LOG = Logger.getLogger(ControlConsumer.class);

    @Inject
    ObjectMapper mapper;
    @Inject
    RunQueue queue;

    @Incoming(Topics.Channels.RUNS_CONTROL)
    @Blocking
    void onControl(String json) {
        RunControl c = Events.readOrReject(mapper, json, RunControl.class);
        if (c == null || c.runId() == null || !RunControl.CANCEL.equals(c.action())) {
            throw new IllegalArgumentException("RunControl needs a runId and action CANCEL");
        }
        queue.cancel(c.runId(), c.experimentId());
        LOG.infof("run %s cancelled", c.runId());
    }
}
