package dev.tdlab.trainer.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.contracts.events.MetricBatch;
import dev.tdlab.contracts.events.RunState;
import dev.tdlab.contracts.events.RunStatus;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.contracts.spec.ModelSpec;
import dev.tdlab.contracts.spec.RunSpec;
import dev.tdlab.core.data.Dataset;
import dev.tdlab.core.model.ClassifierConfig;
import dev.tdlab.core.model.DeepConfig;
import dev.tdlab.core.model.MinimalConfig;
import dev.tdlab.core.model.ModelConfig;
import dev.tdlab.core.model.SingleLayerConfig;
import dev.tdlab.core.optim.OptimizerConfig;
import dev.tdlab.core.train.Checkpoint;
import dev.tdlab.core.train.TrainConfig;
import dev.tdlab.core.train.TrainListener;
import dev.tdlab.core.train.TrainResult;
import dev.tdlab.core.train.Trainer;
import dev.tdlab.trainer.checkpoint.CheckpointStore;
import dev.tdlab.trainer.config.TrainerConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Worker threads that claim runs from the queue and train them, off the Kafka threads. Each run
 * streams metric batches and heartbeats while it trains and ends with a FINISHED or FAILED status.
 */
@ApplicationScoped
public class RunExecutor {

    private static final Logger LOG = Logger.getLogger(RunExecutor.class);

    @Inject
    RunQueue queue;
    @Inject
    TrainerConfig config;
    @Inject
    ObjectMapper mapper;
    @Inject
    CheckpointStore checkpoints;
    @Inject
    dev.tdlab.trainer.observability.TrainerMeters meters;

    @Inject
    @Channel(Topics.Channels.RUNS_STATUS)
    MutinyEmitter<String> status;

    @Inject
    @Channel(Topics.Channels.RUNS_METRICS)
    MutinyEmitter<String> metrics;

    private final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean stopping;

    void start(@Observes StartupEvent ev) {
        for (int i = 0; i < config.workers(); i++) {
            Thread t = new Thread(this::loop, "trainer-worker-" + i);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
        LOG.infof("trainer %s started %d workers", owner, config.workers());
    }

    /**
     * Graceful stop (SIGTERM, scale-down): workers stop at their next step and give their runs back to the
     * queue, where another trainer resumes them from their last checkpoint. Waits for that (up to 20 s)
     * before the datasource and Kafka clients close.
     */
    void stop(@Observes ShutdownEvent ev) {
        stopping = true;
        long deadline = System.nanoTime() + 20_000_000_000L;
        for (Thread t : workers) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Thread t : workers) {
            if (t.isAlive()) {
                t.interrupt();
            }
        }
    }

    /** Runs being trained right now in this process. */
    public int activeRuns() {
        return active.get();
    }

    private void loop() {
        while (!stopping) {
            RunQueue.Claimed claimed = null;
            try {
                claimed = queue.claim(owner, config.leaseSeconds());
                if (claimed == null) {
                    Thread.sleep(config.pollMillis());
                    continue;
                }
                active.incrementAndGet();
                try {
                    run(claimed);
                } finally {
                    active.decrementAndGet();
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.errorf(e, "worker error%s", claimed == null ? "" : " on run " + claimed.runId());
                sleepQuietly();
            }
        }
    }

    private void run(RunQueue.Claimed c) throws Exception {
        DatasetReady ready = mapper.readValue(c.readyJson(), DatasetReady.class);
        RunSpec spec = ready.planned().run();
        int total = spec.train().steps();
        long t0 = System.nanoTime();
        meters.runStarted((long) spec.train().batch() * ready.seqLen());
        Checkpoint resume = checkpoints.latest(c.runId(), c.rerun());
        int startStep = resume == null ? 0 : resume.step();
        if (resume != null) {
            LOG.infof("run %s: attempt %d resumes from its checkpoint at step %d", c.runId(), c.attempt(), startStep);
        }
        send(status, c.runId(), RunStatus.progress(c.runId(), c.experimentId(), RunState.RUNNING, c.attempt(), startStep,
                total, 0));
        try {
            // data-gen down (a restart): the fetch retries and the lease is kept meanwhile
            Dataset[] data = new DatasetClient(() -> queue.heartbeat(c.runId(), owner, startStep, config.leaseSeconds()))
                    .fetch(ready);
            Listener listener = new Listener(c, total, t0, spec.train().evalEvery());
            TrainResult result = Trainer.train(modelConfig(spec, ready), optimizerConfig(spec),
                    new TrainConfig(spec.train().batch(), total, spec.train().evalEvery(), spec.seed(),
                            spec.train().trainable(), config.checkpointEvery(), spec.train().evalEvery()),
                    data[0], data[1], listener, resume);
            listener.flush();
            double secs = (System.nanoTime() - t0) / 1e9;
            if (result.cancelled() && stopping && !listener.lost) {
                queue.release(c.runId(), owner, result.stepsDone()); // shutdown: another trainer resumes it
                LOG.infof("run %s released at step %d (shutting down)", c.runId(), result.stepsDone());
                return;
            }
            if (result.cancelled()) {
                queue.end(c.runId(), owner, "CANCELLED", result.stepsDone(), "lease lost or cancelled");
                meters.runEnded("CANCELLED", secs);
                return;
            }
            // the status first: if this process dies before the queue row is ended, the run is re-claimed and
            // finishes again (identically) rather than being lost
            send(status, c.runId(), RunStatus.finished(c.runId(), c.experimentId(), c.attempt(), result.stepsDone(), total,
                    result.finalEvalLoss(), result.finalEvalStdErr(), result.finalTrainLoss(), secs));
            queue.end(c.runId(), owner, "FINISHED", result.stepsDone(),
                    result.divergedAtStep() >= 0 ? "diverged at step " + result.divergedAtStep() : null);
            checkpoints.delete(c.runId());
            meters.runEnded("FINISHED", secs);
            LOG.infof("run %s finished: %d steps in %.1f s, eval loss %.6f", c.runId(), result.stepsDone(), secs,
                    result.finalEvalLoss());
        } catch (Exception | Error e) {
            if (stopping && !(e instanceof Error)) { // interrupted by the shutdown (e.g. while waiting for data-gen)
                queue.release(c.runId(), owner, startStep);
                LOG.infof("run %s released (shutting down: %s)", c.runId(), e.toString());
                return;
            }
            LOG.errorf(e, "run %s failed", c.runId());
            String why = e.getClass().getSimpleName() + ": " + e.getMessage();
            queue.end(c.runId(), owner, "FAILED", 0, why);
            meters.runEnded("FAILED", (System.nanoTime() - t0) / 1e9);
            send(status, c.runId(), RunStatus.failed(c.runId(), c.experimentId(), RunState.FAILED, c.attempt(), 0, total, why));
        }
    }

    static ModelConfig modelConfig(RunSpec s, DatasetReady r) {
        var m = s.model();
        double vStd = m.init().vStd() == null ? 0.0 : m.init().vStd();
        java.util.Map<String, double[]> values = new java.util.LinkedHashMap<>();
        if (m.init().values() != null) {
            m.init().values().forEach((k, v) -> values.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
        }
        if (ModelSpec.MAKKUVA_MINIMAL.equals(m.family())) {
            return new MinimalConfig(r.seqLen(), m.dModel(), m.heads(), m.mlp(), m.tiedEmbedding(), m.init().scheme(),
                    m.init().std(), vStd, m.attention(), values);
        }
        if (ModelSpec.DEEP.equals(m.family())) {
            // auto: xavier under the standard parameterization, N(0, std^2) under mup / depth-mup (1/sqrt(fan-in) is in
            // their forward pass): the same function at init, so a sweep over the parameterization compares like with like
            String scheme = !"auto".equals(m.init().scheme()) ? m.init().scheme()
                    : "standard".equals(m.parameterization()) ? "xavier" : "gaussian";
            return new DeepConfig(r.vocab(), r.seqLen(), m.dModel(), m.heads(), m.depth(), m.residualScaling(), m.beta(),
                    m.layerNorm(), m.mlp(), 4, m.tiedEmbedding(), m.attention(), m.parameterization(), scheme,
                    m.init().std(), values);
        }
        if (ModelSpec.CLASSIFIER.equals(m.family())) {
            return classifierConfig(s, r, values);
        }
        return new SingleLayerConfig(r.vocab(), r.seqLen(), m.dModel(), m.heads(), m.mlp(), 4, m.tiedEmbedding(),
                m.init().scheme(), m.init().std(), m.attention(), vStd, values);
    }

    /**
     * The two-layer classifier: {@code readout: fixed} is Li et al.'s model (sum over queries, unscaled scores, ±1/m_v
     * second layer, values of width dModel = 2·m_v); {@code readout: linear} Song et al.'s (mean pooling, scores scaled
     * by 1/√width, a trained linear readout). Patches enter as they are (D from the data); tokens through a learned
     * embedding of width dModel. The attention width (queries, keys, values) is dModel.
     */
    static ClassifierConfig classifierConfig(RunSpec s, DatasetReady r, java.util.Map<String, double[]> values) {
        var m = s.model();
        var d = s.data();
        boolean li = "fixed".equals(m.readout());
        boolean tokens = DataSpec.SEQUENCE_CLASSIFICATION.equals(d.family());
        int inputDim = tokens ? r.vocab() : DataSpec.PATCH_IMAGE.equals(d.family()) ? d.patchSize() * d.patchSize() : d.dim();
        return new ClassifierConfig(tokens ? "tokens" : "patches", r.seqLen(), inputDim, tokens ? m.dModel() : 0,
                m.heads(), m.dModel(), m.dModel(), m.attention(), !li, li ? "sum" : "mean", m.readout(), m.init().scheme(),
                m.init().std(), m.init().std(), values);
    }

    /**
     * The optimizer of the spec. For the deep family under {@code mup} / {@code depth-mup}, {@code train.lr} is the base
     * rate η₀ and the rate used is η₀ times Bordelon et al.'s width/depth multiplier ({@link DeepConfig#lrMultiplier}),
     * so that one η₀ means the same at every width: that is what a learning-rate-transfer sweep compares.
     */
    static OptimizerConfig optimizerConfig(RunSpec s) {
        double lr = s.train().lr();
        var m = s.model();
        if (ModelSpec.DEEP.equals(m.family()) && !"standard".equals(m.parameterization())) {
            lr *= DeepConfig.lrMultiplier(m.parameterization(), s.train().optimizer(), m.dModel() / m.heads(), m.heads(),
                    m.depth(), m.residualScaling());
        }
        OptimizerConfig d = OptimizerConfig.of(s.train().optimizer(), lr);
        return new OptimizerConfig(s.train().optimizer(), lr, d.beta1(), d.beta2(), d.eps(),
                s.train().weightDecay(), s.train().schedule(), s.train().warmup());
    }

    private void send(MutinyEmitter<String> emitter, String key, Object event) {
        try {
            emitter.sendMessageAndAwait(KafkaRecord.of(key, mapper.writeValueAsString(event)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
    }

    /** Batches metrics and sends a heartbeat (status + lease) every heartbeatSeconds. */
    private final class Listener implements TrainListener {
        private final RunQueue.Claimed c;
        private final int total;
        private final long t0;
        private final MetricBuffer buffer = new MetricBuffer();
        private long lastBeat = System.nanoTime();
        private int step;
        private volatile boolean lost;

        private final int evalEvery;

        Listener(RunQueue.Claimed c, int total, long t0, int evalEvery) {
            this.c = c;
            this.total = total;
            this.t0 = t0;
            this.evalEvery = evalEvery;
        }

        /**
         * Parameter and gradient norms per group, attention entropy, family metrics (rank collapse, stage probes):
         * sent at step 1 (the gradients at the initialization) and at the eval steps (volume).
         */
        @Override
        public void onMetrics(int step, java.util.Map<String, Double> named) {
            if (step == 1 || step % evalEvery == 0 || step == total) {
                named.forEach((name, value) -> buffer.add(name, step, value));
            }
        }

        /** Metrics up to the checkpoint are sent (and acknowledged) before it is saved, so a resume loses none. */
        @Override
        public void onCheckpoint(Checkpoint checkpoint) {
            flush();
            checkpoints.save(c.runId(), c.rerun(), c.attempt(), checkpoint);
        }

        @Override
        public void onStep(int step, double trainLoss, double gradNorm) {
            this.step = step;
            meters.step();
            buffer.add("train_loss", step, trainLoss);
            buffer.add("grad_norm", step, gradNorm);
            maybeBeat();
        }

        @Override
        public void onEval(int step, double evalLoss, double evalLossStdErr) {
            buffer.add("eval_loss", step, evalLoss);
            buffer.add("eval_loss_stderr", step, evalLossStdErr);
        }

        @Override
        public boolean cancelled() {
            return lost || stopping;
        }

        private void maybeBeat() {
            boolean due = System.nanoTime() - lastBeat > config.heartbeatSeconds() * 1e9;
            if (!due && buffer.toStep() - buffer.fromStep() + 1 < config.metricsBatchSteps()) {
                return;
            }
            flush();
            if (due) {
                lastBeat = System.nanoTime();
                lost = !queue.heartbeat(c.runId(), owner, step, config.leaseSeconds());
                send(status, c.runId(), RunStatus.progress(c.runId(), c.experimentId(), RunState.RUNNING, c.attempt(),
                        step, total, (System.nanoTime() - t0) / 1e9));
            }
        }

        void flush() {
            if (buffer.isEmpty()) {
                return;
            }
            int from = buffer.fromStep();
            int to = buffer.toStep();
            send(metrics, c.runId(), MetricBatch.of(c.runId(), c.experimentId(), c.attempt(), from, to, buffer.drain()));
        }
    }
}
