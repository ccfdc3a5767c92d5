package dev.tdlab.trainer.observability;

import dev.tdlab.kit.DbStats;
import dev.tdlab.trainer.config.TrainerConfig;
import dev.tdlab.trainer.runner.RunExecutor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * The trainer's meters, at {@code /q/metrics}:
 * <ul>
 * <li>{@code tdlab_trainer_runs_total{state}}: runs started (STARTED) and ended (FINISHED, FAILED,
 *     CANCELLED) in this process; {@code tdlab_trainer_run_duration_seconds{state}};</li>
 * <li>{@code tdlab_trainer_runs_active}, {@code tdlab_trainer_workers};</li>
 * <li>{@code tdlab_trainer_queue_runs{state}}: the shared run queue by state (QUEUED = backlog);</li>
 * <li>{@code tdlab_trainer_steps_total}, {@code tdlab_trainer_tokens_total} (tokens = batch × seqLen
 *     per step) and their rates over the last {@value DbStats#PERIOD_SECONDS} s,
 *     {@code tdlab_trainer_steps_per_second}, {@code tdlab_trainer_tokens_per_second};</li>
 * <li>{@code tdlab_trainer_device_memory_total_bytes{device}}, {@code ..._free_bytes{device}} (host or
 *     GPU), {@code tdlab_trainer_offheap_bytes} (ND4J's off-heap memory through JavaCPP).</li>
 * </ul>
 * {@link RunExecutor} calls {@link #runStarted}, {@link #step} and {@link #runEnded} on the worker
 * thread that trains the run.
 */
@ApplicationScoped
public class TrainerMeters {

    @Inject
    MeterRegistry registry;
    @Inject
    DbStats db;
    @Inject
    BackendInfo backend;
    @Inject
    RunExecutor executor;
    @Inject
    TrainerConfig config;

    private final ThreadLocal<long[]> tokensPerStep = ThreadLocal.withInitial(() -> new long[1]);
    private final DoubleAdder steps = new DoubleAdder();
    private final DoubleAdder tokens = new DoubleAdder();
    private final ConcurrentHashMap<String, AtomicLong> deviceBytes = new ConcurrentHashMap<>();
    private volatile double stepsPerSecond;
    private volatile double tokensPerSecond;
    private double lastSteps;
    private double lastTokens;
    private long lastNanos = System.nanoTime();
    private Counter stepCounter;
    private Counter tokenCounter;

    void start(@Observes StartupEvent ev) {
        stepCounter = Counter.builder("tdlab.trainer.steps").description("Optimizer steps trained").register(registry);
        tokenCounter = Counter.builder("tdlab.trainer.tokens").description("Tokens trained on (batch × seqLen per step)")
                .register(registry);
        for (String s : List.of("STARTED", "FINISHED", "FAILED", "CANCELLED")) {
            Counter.builder("tdlab.trainer.runs").tag("state", s).description("Runs started and ended here").register(registry);
        }
        Gauge.builder("tdlab.trainer.runs.active", executor, RunExecutor::activeRuns)
                .description("Runs being trained in this process").register(registry);
        Gauge.builder("tdlab.trainer.workers", config, c -> c.workers())
                .description("Worker threads (runs trained at once)").register(registry);
        Gauge.builder("tdlab.trainer.steps.per.second", this, m -> m.stepsPerSecond)
                .description("Steps per second over the last refresh period").register(registry);
        Gauge.builder("tdlab.trainer.tokens.per.second", this, m -> m.tokensPerSecond)
                .description("Tokens per second over the last refresh period").register(registry);
        Gauge.builder("tdlab.trainer.offheap.bytes", () -> org.bytedeco.javacpp.Pointer.totalBytes())
                .description("Off-heap bytes allocated by ND4J through JavaCPP").register(registry);
        db.countBy("tdlab.trainer.queue.runs", "state", "SELECT state, count(*) FROM runs GROUP BY state",
                List.of("QUEUED", "RUNNING", "FINISHED", "FAILED", "CANCELLED"));
        db.every(this::refresh);
        refreshDevices();
    }

    /** A worker begins training a run whose steps each see {@code tokensPerStep} tokens. */
    public void runStarted(long tokensPerStep) {
        this.tokensPerStep.get()[0] = tokensPerStep;
        registry.counter("tdlab.trainer.runs", "state", "STARTED").increment();
    }

    /** One optimizer step done on this worker thread. */
    public void step() {
        long t = tokensPerStep.get()[0];
        steps.add(1);
        tokens.add(t);
        stepCounter.increment();
        tokenCounter.increment(t);
    }

    /** The run this worker trained ended in {@code state} after {@code seconds}. */
    public void runEnded(String state, double seconds) {
        registry.counter("tdlab.trainer.runs", "state", state).increment();
        Timer.builder("tdlab.trainer.run.duration").tag("state", state).register(registry)
                .record((long) (seconds * 1e9), TimeUnit.NANOSECONDS);
    }

    private synchronized void refresh() {
        long now = System.nanoTime();
        double dt = (now - lastNanos) / 1e9;
        double s = steps.sum();
        double t = tokens.sum();
        if (dt > 0) {
            stepsPerSecond = (s - lastSteps) / dt;
            tokensPerSecond = (t - lastTokens) / dt;
        }
        lastSteps = s;
        lastTokens = t;
        lastNanos = now;
        refreshDevices();
    }

    private void refreshDevices() {
        if (backend.error() != null) {
            return;
        }
        backend.load();
        int i = 0;
        for (BackendInfo.Device d : backend.devices()) {
            String device = i++ + ":" + d.name();
            bytes("tdlab.trainer.device.memory.total.bytes", device).set(d.totalBytes());
            bytes("tdlab.trainer.device.memory.free.bytes", device).set(d.freeBytes());
        }
    }

    private AtomicLong bytes(String meter, String device) {
        return deviceBytes.computeIfAbsent(meter + "/" + device, k -> {
            AtomicLong a = new AtomicLong();
            Gauge.builder(meter, a, AtomicLong::get).tag("device", device).register(registry);
            return a;
        });
    }
}
