package dev.tdlab.analysis.observability;

import dev.tdlab.contracts.events.MetricBatch;
import dev.tdlab.contracts.events.MetricSeries;
import dev.tdlab.kit.DbStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.List;

/**
 * The analysis service's meters, at {@code /q/metrics}:
 * <ul>
 * <li>{@code tdlab_runs{state}}, {@code tdlab_experiments{status}}: the system of record by state
 *     (all experiments, read every {@value DbStats#PERIOD_SECONDS} s);</li>
 * <li>{@code tdlab_runs_verdicts{verdict}}: decided verdicts;</li>
 * <li>{@code tdlab_outbox_events{state="unsent"}}: events written but not yet relayed to Kafka (the relay's backlog);</li>
 * <li>{@code tdlab_analysis_ingest_batches_total}, {@code tdlab_analysis_ingest_points_total}: metric
 *     batches and points received on {@code runs.metrics} (rate = ingest rate).</li>
 * </ul>
 */
@ApplicationScoped
public class AnalysisMeters {

    @Inject
    MeterRegistry registry;
    @Inject
    DbStats db;

    private Counter batches;
    private Counter points;

    void start(@Observes StartupEvent ev) {
        batches = Counter.builder("tdlab.analysis.ingest.batches").description("Metric batches ingested from runs.metrics")
                .register(registry);
        points = Counter.builder("tdlab.analysis.ingest.points").description("Metric points ingested from runs.metrics")
                .register(registry);
        db.countBy("tdlab.runs", "state", "SELECT status, count(*) FROM runs GROUP BY status",
                List.of("PLANNED", "DATA_READY", "RUNNING", "FINISHED", "FAILED", "CANCELLED"));
        db.countBy("tdlab.experiments", "status", "SELECT status, count(*) FROM experiments GROUP BY status",
                List.of("PLANNED", "RUNNING", "FINISHED", "FAILED", "CANCELLED"));
        db.countBy("tdlab.runs.verdicts", "verdict",
                "SELECT verdict, count(*) FROM runs WHERE verdict IS NOT NULL GROUP BY verdict",
                List.of("GLOBAL", "LOCAL", "NOT_CONVERGED", "DIVERGED", "UNRESOLVED"));
        db.countBy("tdlab.outbox.events", "state", "SELECT 'unsent', count(*) FROM outbox WHERE sent_at IS NULL",
                List.of("unsent"));
    }

    /** One metric batch was ingested (called by the runs.metrics consumer after it is stored). */
    public void ingested(MetricBatch b) {
        batches.increment();
        long n = 0;
        if (b.metrics() != null) {
            for (MetricSeries s : b.metrics().values()) {
                n += s.steps() == null ? 0 : s.steps().size();
            }
        }
        points.increment(n);
    }
}
