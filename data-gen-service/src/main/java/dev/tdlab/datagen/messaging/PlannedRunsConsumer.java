package dev.tdlab.datagen.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.contracts.events.RunPlanned;
import dev.tdlab.contracts.events.RunState;
import dev.tdlab.contracts.events.RunStatus;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.datagen.config.DataGenConfig;
import dev.tdlab.datagen.store.DatasetEntity;
import dev.tdlab.kit.Events;
import dev.tdlab.datagen.service.DatasetService;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code runs.planned} → generate (or find) the run's dataset → {@code datasets.ready}.
 * A message that cannot be read goes to {@code runs.planned.dlq} with the reason (the handler throws).
 * A readable run whose data cannot be made — a bad data spec, a chain without a unique stationary law, a dataset over
 * the quota, or any failure while generating or storing — is answered with a FAILED status naming why, and
 * {@code datasets.ready} is not sent (the dataset's transaction rolled back: nothing is stored).
 * The offset is committed only after the handler returns, i.e. after the dataset is stored and the event sent.
 */
@ApplicationScoped
class PlannedRunsConsumer {

    private static final Logger LOG = Logger.getLogger(PlannedRunsConsumer.class);

    @Inject
    ObjectMapper mapper;
    @Inject
    DatasetService datasets;
    @Inject
    DataGenConfig config;

    @Inject
    @Channel(Topics.Channels.DATASETS_READY)
    MutinyEmitter<String> ready;

    @Inject
    @Channel(Topics.Channels.RUNS_STATUS)
    MutinyEmitter<String> status;

    @Incoming(Topics.Channels.RUNS_PLANNED)
    @Blocking
    void onPlanned(String json) throws Exception {
        RunPlanned planned = Events.readOrReject(mapper, json, RunPlanned.class);
        if (planned.runId() == null || planned.run() == null || planned.run().data() == null) {
            throw new IllegalArgumentException("RunPlanned without runId or run.data");
        }
        DatasetEntity ds;
        try {
            DataSpec d = DatasetService.checked(planned.run().data());
            ds = datasets.getOrCreate(d, planned.run().seed()).dataset();
        } catch (Exception e) {
            String why = e instanceof IllegalArgumentException ? e.getMessage()
                    : "generation failed: " + e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.warnf(e instanceof IllegalArgumentException ? null : e, "run %s: cannot make its data: %s", planned.runId(), why);
            int steps = planned.run().train() == null || planned.run().train().steps() == null ? 0 : planned.run().train().steps();
            RunStatus failed = RunStatus.failed(planned.runId(), planned.experimentId(), RunState.FAILED, 0, 0, steps,
                    "data: " + why);
            status.sendMessageAndAwait(KafkaRecord.of(planned.runId(), mapper.writeValueAsString(failed)));
            return;
        }
        DatasetReady event = DatasetReady.of(planned, ds.id, ds.sha256, ds.shardCount, ds.evalShardCount,
                ds.sequencesPerShard, ds.trainSequences, ds.evalSequences,
                ds.seqLen != null ? ds.seqLen : ds.patches, ds.vocab != null ? ds.vocab : 0,
                DatasetService.baselines(ds), config.publicUrl());
        ready.sendMessageAndAwait(KafkaRecord.of(planned.runId(), mapper.writeValueAsString(event)));
        LOG.infof("run %s: dataset %s (%s) ready", planned.runId(), ds.id, ds.family);
    }
}
