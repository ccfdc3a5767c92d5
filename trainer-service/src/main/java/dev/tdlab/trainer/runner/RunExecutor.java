package dev.tdlab.trainer.runner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.contracts.events.MetricBatch;
import dev.tdlab.contracts.events.RunState;
import dev.tdlab.contracts.events.RunStatus;
import dev.tdlab.contracts.spec.RunSpec;
import dev.tdlab.core.data.Dataset;
import dev.tdlab.core.theory.ExactConditionals;
import dev.tdlab.core.train.Checkpoint;
import dev.tdlab.core.train.TrainConfig;
import dev.tdlab.core.train.TrainListener;
import dev.tdlab.core.train.TrainResult;
import dev.tdlab.core.train.Trainer;
import dev.tdlab.trainer.checkpoint.CheckpointStore;
import dev.tdlab.trainer.config.TrainerConfig;
import dev.tdlab.trainer.mapping.EngineConfigs;
import dev.tdlab.trainer.observability.TrainerMeters;
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
import java.util.Map;
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
    TrainerMeters meters;

    @Inject
    @Channel(Topics.Channels.RUNS_STATUS)
    MutinyEmitter<String> status;

    @Inject
    @Channel(Topics.Channels.RUNS_METRICS)
    MutinyEmitter<String> metrics;

    /** This process in lease owner ids: the JVM's pid@host and a random suffix (a restarted trainer is a new one). */
    private final String instance = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean stopping;

    void start(@Observes StartupEvent ev) {
        for (int i = 0; i < config.workers(); i++) {
            String owner = ownerOf(i);
            Thread t = new Thread(() -> loop(owner), "trainer-worker-" + i);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
        LOG.infof("trainer %s started %d workers (lease owners %s-w0..)", instance, config.workers(), instance);
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

    /**
     * The lease owner id of worker {@code n}: {@code <instance>-w<n>}, one per worker. With one id for the whole
     * process, a worker whose lease expired during a long outage (its sibling re-claimed the run, attempt + 1) still
     * passed the owner check of its heartbeats when it came back, and both trained the same run.
     */
    String ownerOf(int worker) {
        return instance + "-w" + worker;
    }

    /** Runs being trained right now in this process. */
    public int activeRuns() {
        return active.get();
    }

    private void loop(String owner) {
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
                    run(claimed, owner);
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

    private void run(RunQueue.Claimed c, String owner) throws Exception {
        DatasetReady ready = c.ready();
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
            Listener listener = new Listener(c, owner, total, t0, spec.train().evalEvery());
            // the true next-token law, for eval_exact_loss / eval_excess (null for families without one)
            ExactConditionals.Law law = DataLaws.of(spec.data(), spec.seed(), ready.baselines());
            TrainResult result = Trainer.train(EngineConfigs.model(spec, ready), EngineConfigs.optimizer(spec),
                    new TrainConfig(spec.train().batch(), total, spec.train().evalEvery(), spec.seed(),
                            spec.train().trainable(), config.checkpointEvery(), spec.train().evalEvery(),
                            spec.train().fresh(), spec.train().wholeSet()),
                    data[0], data[1], listener, resume, law);
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
            if (DatabaseOutage.in(e)) {
                // PostgreSQL down or restarting (a heartbeat or checkpoint failed): not the run's fault. Give it back if
                // the database is there again, else its lease runs out; either way it resumes from its checkpoint.
                LOG.warnf("run %s: database unavailable (%s); giving it back to the queue", c.runId(), e.toString());
                try {
                    queue.release(c.runId(), owner, startStep);
                } catch (RuntimeException stillDown) {
                    LOG.warnf("run %s: not released (%s); its lease will expire", c.runId(), stillDown.toString());
                }
                return;
            }
            LOG.errorf(e, "run %s failed", c.runId());
            String why = e.getClass().getSimpleName() + ": " + e.getMessage();
            queue.end(c.runId(), owner, "FAILED", 0, why);
            meters.runEnded("FAILED", (System.nanoTime() - t0) / 1e9);
            send(status, c.runId(), RunStatus.failed(c.runId(), c.experimentId(), RunState.FAILED, c.attempt(), 0, total, why));
        }
    }

    private void send(MutinyEmitter<String> emitter, String key, Object event) {
        try {
            emitter.sendMessageAndAwait(KafkaRecord.of(key, mapper.writeValueAsString(event)));
        } catch (JsonProcessingException e) {
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
        private final String owner;
        private final int total;
        private final long t0;
        private final MetricBuffer buffer = new MetricBuffer();
        private long lastBeat = System.nanoTime();
        private int step;
        private volatile boolean lost;

        private final int evalEvery;

        Listener(RunQueue.Claimed c, String owner, int total, long t0, int evalEvery) {
            this.c = c;
            this.owner = owner;
            this.total = total;
            this.t0 = t0;
            this.evalEvery = evalEvery;
        }

        /**
         * Parameter and gradient norms per group, attention entropy, family metrics (rank collapse, stage probes):
         * sent at step 1 (the gradients at the initialization) and at the eval steps (volume).
         */
        @Override
        public void onMetrics(int step, Map<String, Double> named) {
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
