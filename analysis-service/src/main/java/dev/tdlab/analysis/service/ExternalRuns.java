package dev.tdlab.analysis.service;

import dev.tdlab.analysis.mapping.ExternalRunViews;
import dev.tdlab.analysis.mapping.RunView;
import dev.tdlab.analysis.mapping.Views;
import dev.tdlab.analysis.problem.ProblemException;
import dev.tdlab.analysis.store.ExperimentEntity;
import dev.tdlab.analysis.store.ExperimentStore;
import dev.tdlab.analysis.store.RunEntity;
import dev.tdlab.contracts.SchemaVersion;
import dev.tdlab.contracts.events.MetricBatch;
import dev.tdlab.contracts.events.MetricSeries;
import dev.tdlab.contracts.events.RunState;
import dev.tdlab.contracts.events.RunStatus;
import dev.tdlab.contracts.spec.RunSpec;
import dev.tdlab.contracts.spec.SweepExpander;
import dev.tdlab.contracts.spec.Violation;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Map;

/**
 * Runs trained outside the lab ({@code train.external: true}): the researcher's own loop logs metric batches and
 * finishes the run through the API, and both become the same events the trainer sends ({@link MetricBatch},
 * {@link RunStatus}) applied by the same {@link RunLifecycle}, so such a run gets the same verdict, findings, claims,
 * phase diagram and live stream as a run the lab trained. Each call is one transaction.
 *
 * <p>Event ids: a batch is {@code external:<run>:<attempt>:<batchId>} (a retried batch id changes nothing: idempotent),
 * the first batch also marks the run RUNNING ({@code external-running:<run>:<attempt>}), the end is
 * {@code external-<status>:<run>:<attempt>}. A rerun of the run starts a new attempt, so its batch ids start afresh.
 */
@ApplicationScoped
public class ExternalRuns {

    @Inject
    RunLifecycle lifecycle;
    @Inject
    ExperimentStore store;
    @Inject
    Specs specs;
    @Inject
    Views views;
    @Inject
    Event<OutboxCommitted> committed;

    /** How a researcher's loop ends a run: FINISHED (with the final losses, defaulted from the logged ones) or FAILED. */
    public record Finish(RunState status, String error, Double finalEvalLoss, Double finalEvalStdErr, Double finalTrainLoss,
                         Double secondsElapsed) {
    }

    /** Whether the run is trained outside the lab (its experiment's spec with its cell applied says so). */
    public boolean external(RunEntity r) {
        ExperimentEntity e = store.find(r.experimentId);
        return e != null && runSpec(e, r).externallyTrained();
    }

    /** The run's spec: the experiment's spec with the run's cell and seed applied. */
    public RunSpec runSpec(ExperimentEntity e, RunEntity r) {
        return SweepExpander.apply(specs.of(e), r.cellJson == null ? Map.of() : views.cell(r), r.seed);
    }

    /**
     * Stores one batch of metric points atomically (validated before: {@code metrics} by name, steps ≥ 0, no step twice
     * in a series). 409 when the run is not external, or has ended and this batch id is new.
     */
    public ExternalRunViews.MetricsLogged log(String runId, String batchId, Map<String, MetricSeries> metrics, int points) {
        ExternalRunViews.MetricsLogged out = QuarkusTransaction.joiningExisting().call(() -> {
            RunEntity r = lockExternal(runId);
            int attempt = Math.max(1, r.attempt);
            String eventId = "external:" + r.id + ":" + attempt + ":" + batchId;
            RunState state = RunState.valueOf(r.status);
            if (state.terminal()) {
                if (store.seen(eventId)) {
                    return new ExternalRunViews.MetricsLogged(r.id, batchId, points, false);
                }
                throw conflict("run " + r.id + " has ended (" + r.status + "): it takes no more metrics");
            }
            if (state == RunState.PLANNED || state == RunState.DATA_READY) {
                lifecycle.onStatus(new RunStatus(SchemaVersion.CURRENT, "external-running:" + r.id + ":" + attempt, r.id,
                        r.experimentId, RunState.RUNNING, attempt, 0, r.totalSteps, System.currentTimeMillis(), null, null,
                        null, null, null));
            }
            int from = Integer.MAX_VALUE;
            int to = Integer.MIN_VALUE;
            for (MetricSeries s : metrics.values()) {
                for (int step : s.steps()) {
                    from = Math.min(from, step);
                    to = Math.max(to, step);
                }
            }
            MetricBatch b = new MetricBatch(SchemaVersion.CURRENT, eventId, r.id, r.experimentId, attempt, from, to, metrics);
            List<MetricBatch> applied = lifecycle.onMetrics(List.of(b));
            return new ExternalRunViews.MetricsLogged(r.id, batchId, points, !applied.isEmpty());
        });
        return out;
    }

    /**
     * Ends the run as the trainer would: FINISHED with its final eval loss (by default the last logged
     * {@code eval_loss}, which must be logged at the run's last step: the lab judges it), or FAILED. The verdict is
     * decided at once when the run's baselines are known (else when they arrive). Finishing again with the same status
     * changes nothing; another status after the end is a 409.
     */
    public RunView finish(String runId, Finish f) {
        RunView[] view = new RunView[1];
        String experimentId = QuarkusTransaction.joiningExisting().call(() -> {
            RunEntity r = lockExternal(runId);
            int attempt = Math.max(1, r.attempt);
            RunState state = RunState.valueOf(r.status);
            if (state.terminal()) {
                if (state == f.status()) {
                    view[0] = views.run(r);
                    return r.experimentId;
                }
                throw conflict("run " + r.id + " has ended (" + r.status + ")");
            }
            String eventId = "external-" + f.status().name().toLowerCase() + ":" + r.id + ":" + attempt;
            RunStatus s;
            if (f.status() == RunState.FINISHED) {
                ExperimentStore.Series evals = store.evalLosses(r.id);
                if (evals.isEmpty() && f.finalEvalLoss() == null) {
                    throw bad("eval_loss", "log eval_loss (at least at the last step) before finishing: the lab judges"
                            + " the run by its final eval loss");
                }
                if (evals.isEmpty() || evals.lastStep() < r.step) {
                    throw bad("eval_loss", "eval_loss is logged up to step " + (evals.isEmpty() ? "none" : evals.lastStep())
                            + " but the run's metrics reach step " + r.step + ": log eval_loss at the last step");
                }
                double finalEval = f.finalEvalLoss() != null ? f.finalEvalLoss() : evals.values()[evals.values().length - 1];
                Double finalTrain = f.finalTrainLoss() != null ? f.finalTrainLoss() : r.lastTrainLoss;
                s = new RunStatus(SchemaVersion.CURRENT, eventId, r.id, r.experimentId, RunState.FINISHED, attempt, r.step,
                        Math.max(r.totalSteps, r.step), System.currentTimeMillis(), null, finalEval, f.finalEvalStdErr(),
                        finalTrain, f.secondsElapsed());
            } else {
                s = new RunStatus(SchemaVersion.CURRENT, eventId, r.id, r.experimentId, RunState.FAILED, attempt, r.step,
                        r.totalSteps, System.currentTimeMillis(), f.error() == null ? "failed outside the lab" : f.error(),
                        null, null, null, f.secondsElapsed());
            }
            lifecycle.onStatus(s);
            view[0] = views.run(r); // as this transaction left it: with its verdict when one was decided
            return r.experimentId;
        });
        committed.fire(new OutboxCommitted(experimentId)); // the verdict (and the report) go out now
        return view[0];
    }

    private RunEntity lockExternal(String runId) {
        RunEntity r = store.lockRun(runId);
        if (r == null) {
            throw ProblemException.notFound("no run " + runId);
        }
        if (!external(r)) {
            throw conflict("run " + r.id + " is trained by the lab: only runs of an experiment with train.external: true"
                    + " take metrics and their end from the API");
        }
        return r;
    }

    private static ProblemException conflict(String detail) {
        return new ProblemException(409, "Conflict", detail, List.of());
    }

    private static ProblemException bad(String field, String message) {
        return new ProblemException(400, "Invalid request", field + ": " + message, List.of(new Violation(field, message)));
    }
}
