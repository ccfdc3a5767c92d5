package dev.tdlab.analysis.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.config.VerdictConfig;
import dev.tdlab.analysis.mapping.Views;
import dev.tdlab.analysis.store.ExperimentEntity;
import dev.tdlab.analysis.store.ExperimentStore;
import dev.tdlab.analysis.store.Journal;
import dev.tdlab.analysis.store.MetricStore;
import dev.tdlab.analysis.store.RunEntity;
import dev.tdlab.analysis.verdict.Convergence;
import dev.tdlab.analysis.verdict.Downsample;
import dev.tdlab.analysis.verdict.Findings;
import dev.tdlab.analysis.verdict.Verdicts;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.contracts.events.ExperimentReport;
import dev.tdlab.contracts.events.ExperimentStatus;
import dev.tdlab.contracts.events.MetricBatch;
import dev.tdlab.contracts.events.MetricSeries;
import dev.tdlab.contracts.events.RunState;
import dev.tdlab.contracts.events.RunStatus;
import dev.tdlab.contracts.events.RunVerdict;
import dev.tdlab.contracts.spec.ModelSpec;
import dev.tdlab.contracts.spec.SweepExpander;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The run lifecycle: joins the three topics that describe a run (datasets.ready, runs.status, runs.metrics), in any
 * order, and decides its verdict once all three have said enough ({@link RunTransitions#decidable}); then the
 * experiment ends when its last run has. Each event is applied in one transaction, idempotently: an event id seen
 * before changes nothing, metric points are unique per (run, name, step). The verdict and the experiment's report go
 * out through the outbox in the same transaction. Locks: the run row first, then the experiment.
 */
@ApplicationScoped
public class RunLifecycle {

    private static final Logger LOG = Logger.getLogger(RunLifecycle.class);

    @Inject
    ExperimentStore store;
    @Inject
    Journal journal;
    @Inject
    Outbox outbox;
    @Inject
    Specs specs;
    @Inject
    Views views;
    @Inject
    VerdictConfig verdictConfig;
    @Inject
    ObjectMapper mapper;

    @Transactional
    public void onDatasetReady(DatasetReady e) {
        RunEntity r = store.lockRun(e.runId());
        if (r == null) {
            LOG.debugf("datasets.ready for unknown run %s ignored", e.runId());
            return;
        }
        if (!store.firstTime(e.eventId())) {
            return;
        }
        RunTransitions.datasetReady(r, e, this::json, OffsetDateTime.now());
        tryDecide(r);
    }

    @Transactional
    public void onStatus(RunStatus s) {
        RunEntity r = store.lockRun(s.runId());
        if (r == null) {
            LOG.debugf("runs.status for unknown run %s ignored", s.runId());
            return;
        }
        if (!store.firstTime(s.eventId())) {
            return;
        }
        switch (RunTransitions.status(r, s, OffsetDateTime.now())) {
            case RUNNING -> {
                if (store.markRunning(r.experimentId)) {
                    journal.append(r.experimentId, "experiment", null,
                            Map.of("id", r.experimentId, "status", ExperimentStatus.RUNNING.name()));
                }
                journal.append(r.experimentId, "progress", r.id, progress(r));
            }
            case FINISHED -> {
                journal.append(r.experimentId, "status", r.id, progress(r));
                tryDecide(r);
            }
            case ENDED -> {
                journal.append(r.experimentId, "status", r.id, progress(r));
                maybeFinishExperiment(r.experimentId);
            }
            case IGNORED -> { }
        }
    }

    /**
     * Applies one Kafka poll's metric batches (of any runs) in one transaction: the runs are locked in id
     * order (no deadlock with another consumer), batches of unknown runs and late batches of an attempt
     * that a rerun replaced are dropped, {@link MetricStore} stores the others once per event id; then
     * each run's step and latest losses, the live-stream journal and the verdict check follow.
     * Returns the batches applied (not seen before).
     */
    @Transactional
    public List<MetricBatch> onMetrics(List<MetricBatch> batches) {
        TreeMap<String, RunEntity> runs = new TreeMap<>();
        for (MetricBatch b : batches) {
            runs.put(b.runId(), null);
        }
        for (String id : List.copyOf(runs.keySet())) {
            RunEntity r = store.lockRun(id);
            if (r == null) {
                LOG.debugf("runs.metrics for unknown run %s ignored", id);
                runs.remove(id);
            } else {
                runs.put(id, r);
            }
        }
        List<MetricBatch> current = new ArrayList<>(batches.size());
        for (MetricBatch b : batches) {
            RunEntity r = runs.get(b.runId());
            if (r != null && RunTransitions.current(r, b)) {
                current.add(b);
            }
        }
        if (current.isEmpty()) {
            return List.of();
        }
        MetricStore.Ingested done = store.ingest(current);
        Set<RunEntity> touched = new LinkedHashSet<>();
        OffsetDateTime now = OffsetDateTime.now();
        for (MetricBatch b : done.applied()) {
            RunEntity r = runs.get(b.runId());
            RunTransitions.metrics(r, b, now);
            touched.add(r);
        }
        store.flush(); // the run rows, before the journal's plain JDBC
        List<Journal.Pending> stream = new ArrayList<>(done.applied().size());
        for (MetricBatch b : done.applied()) {
            stream.add(new Journal.Pending(runs.get(b.runId()).experimentId, "metrics", b.runId(), streamable(b)));
        }
        journal.appendAll(stream);
        for (RunEntity r : touched) {
            tryDecide(r);
        }
        return done.applied();
    }

    /** Decides the verdict if the run is ready ({@link RunTransitions#decidable}) and publishes it. */
    void tryDecide(RunEntity r) {
        if (!RunTransitions.mayDecide(r)) {
            return;
        }
        ExperimentStore.Series evals = store.evalLosses(r.id);
        if (!RunTransitions.decidable(r, evals.isEmpty() ? null : evals.lastStep())) {
            return; // the last metrics batch is still on its way
        }
        double optimum = RunTransitions.optimum(r);
        double se = r.finalEvalStdErr == null ? 0 : r.finalEvalStdErr;
        double seOpt = r.optimalLoss != null && r.optimalLossStdErr != null ? r.optimalLossStdErr : 0;
        int[] steps = evals.steps();
        double[] losses = evals.values().clone();
        double judged = r.finalEvalLoss;
        // exact-conditional metrics (eval_excess = KL from the true next-token law): judge optimum + excess, with the
        // excess's standard error, on the same eval steps; the sampled-token loss stays the run's finalEvalLoss
        Map<String, ExperimentStore.Series> exactSeries = store.series(r.id, List.of("eval_excess", "eval_excess_stderr"));
        double[] excess = atSteps(exactSeries.get("eval_excess"), steps);
        double[] excessSe = atSteps(exactSeries.get("eval_excess_stderr"), steps);
        boolean exact = excess != null && excessSe != null && Double.isFinite(excess[excess.length - 1]);
        if (exact) {
            for (int i = 0; i < steps.length; i++) {
                if (Double.isFinite(excess[i])) {
                    losses[i] = optimum + excess[i];
                }
            }
            judged = losses[losses.length - 1];
            se = excessSe[excessSe.length - 1];
        }
        Verdicts.Assessment a = Verdicts.assess(judged, se, optimum, seOpt, plateaus(r), steps, losses,
                verdictConfig.z(), verdictConfig.gapFraction());
        Convergence.Fit best = a.convergence().rate() == null ? null : a.convergence().rate().best();
        r.verdict = a.verdict().name();
        r.tolerance = a.tolerance().value();
        r.gapToOptimum = judged - optimum;
        r.gapLow = finite(a.gapLow());
        r.gapHigh = finite(a.gapHigh());
        r.convergenceStep = a.convergenceStep();
        r.rateModel = best == null ? null : best.model();
        r.rate = best == null ? null : finite(best.rate());
        r.rateR2 = best == null ? null : finite(best.r2());
        r.stepsNearSaddle = a.convergence().stepsNearSaddle();
        r.convergenceJson = json(Map.of("tolerance", a.tolerance(), "plateaus", a.convergence().plateaus(),
                "rate", a.convergence().rate() == null ? Map.of() : a.convergence().rate(),
                "basis", exact ? "exact-conditional" : "sampled-token",
                "judgedLoss", judged, "judgedStdErr", se,
                "uninformative", Verdicts.uninformative(optimum,
                        plateaus(r).stream().mapToDouble(Convergence.Level::value).toArray())));
        Map<String, Object> findings = findings(r);
        r.findingsJson = findings.isEmpty() ? null : json(findings);
        String tenant = store.find(r.experimentId).tenantId;
        RunVerdict verdict = RunVerdict.of(r.id, r.experimentId, r.attempt, a.verdict(), r.finalEvalLoss, optimum,
                r.tolerance, r.convergenceStep).withGap(r.gapToOptimum).withConvergence(r.rate, r.rateModel, r.rateR2, r.gapLow, r.gapHigh,
                r.stepsNearSaddle).withFindings(findings.isEmpty() ? null : findings).withTenant(tenant);
        // every verdict for the lab's own consumers, and the tenant's copy on the topic only its Kafka user may read
        outbox.add(Topics.RUNS_VERDICTS, r.id, verdict);
        outbox.add(Topics.tenantVerdicts(tenant), r.id, verdict);
        journal.append(r.experimentId, "verdict", r.id, verdict);
        LOG.infof("run %s: %s (eval loss %.6f, optimum %.6f, unigram %s, tol %.4f %s, rate %s %s, near saddles %d steps)",
                r.id, r.verdict, r.finalEvalLoss, optimum, r.unigramEntropy, r.tolerance, a.tolerance().source(),
                r.rateModel, r.rate, r.stepsNearSaddle);
        store.flush();
        maybeFinishExperiment(r.experimentId);
    }

    /** A metric's values at exactly these steps, or null when it is missing at any of them (step 0 may be absent). */
    private static double[] atSteps(ExperimentStore.Series s, int[] steps) {
        if (s == null) {
            return null;
        }
        Map<Integer, Double> byStep = new HashMap<>();
        for (int i = 0; i < s.steps().length; i++) {
            byStep.put(s.steps()[i], s.values()[i]);
        }
        double[] out = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            Double v = byStep.get(steps[i]);
            if (v == null) {
                if (steps[i] == 0 && i + 1 < steps.length) { // no exact metrics at the initialization: not needed
                    out[i] = Double.NaN;
                    continue;
                }
                return null;
            }
            out[i] = v;
        }
        return out;
    }

    /**
     * The run's family-specific findings (verdict/Findings) from its stored metric series; empty for other families.
     * The model comes from the experiment's typed spec ({@link Specs}) and the run's cell.
     */
    private Map<String, Object> findings(RunEntity r) {
        ModelSpec model;
        try {
            ExperimentEntity e = store.find(r.experimentId);
            Map<String, Object> cell = r.cellJson == null ? Map.of() : views.cell(r);
            model = SweepExpander.apply(specs.of(e), cell, r.seed).model();
        } catch (RuntimeException ex) {
            LOG.warnf("run %s: no findings, its spec does not read back: %s", r.id, ex.getMessage());
            return Map.of();
        }
        int depth = model.depth() == null ? 1 : model.depth();
        List<String> names = Findings.metricNames(model.family(), depth);
        if (names.isEmpty()) {
            return Map.of();
        }
        Map<String, Findings.Series> series = new HashMap<>();
        store.series(r.id, names).forEach((name, s) -> series.put(name, new Findings.Series(s.steps(), s.values())));
        return Findings.of(model.family(), depth, series, r.bayesError,
                new Findings.Thresholds(verdictConfig.collapseThreshold(), verdictConfig.convergedFraction()));
    }

    /** Known suboptimal plateaus: the unigram entropy and the losses of the lower-order predictors. */
    private List<Convergence.Level> plateaus(RunEntity r) {
        List<Convergence.Level> out = new ArrayList<>();
        if (r.unigramEntropy != null) {
            out.add(new Convergence.Level("unigram", r.unigramEntropy));
        }
        if (r.orderLossesJson != null) {
            try {
                Double[] orders = mapper.readValue(r.orderLossesJson, Double[].class);
                // k = 0 is the unigram entropy again, the last one the optimum itself
                for (int k = 1; k < orders.length - 1; k++) {
                    if (orders[k] != null) {
                        out.add(new Convergence.Level("order-" + k, orders[k]));
                    }
                }
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
        }
        return out;
    }

    /** FINISHED once every run has ended (with a verdict if it finished); FAILED if every run failed. */
    private void maybeFinishExperiment(String experimentId) {
        store.flush();
        store.lockExperiment(experimentId);
        ExperimentEntity e = store.reload(experimentId);
        if (e == null || !(ExperimentStatus.PLANNED.name().equals(e.status) || ExperimentStatus.RUNNING.name().equals(e.status))) {
            return;
        }
        List<RunEntity> runs = store.runs(experimentId);
        boolean allDone = runs.stream().allMatch(x -> RunState.valueOf(x.status).terminal()
                && (!RunState.FINISHED.name().equals(x.status) || x.verdict != null));
        if (!allDone) {
            return;
        }
        boolean allFailed = runs.stream().allMatch(x -> RunState.FAILED.name().equals(x.status));
        e.status = allFailed ? ExperimentStatus.FAILED.name() : ExperimentStatus.FINISHED.name();
        e.updatedAt = OffsetDateTime.now();
        ExperimentReport report = ExperimentReport.of(e.id, e.name, e.status, views.cells(runs), e.tenantId);
        outbox.add(Topics.EXPERIMENTS_REPORTS, e.id, report);
        outbox.add(Topics.tenantReports(e.tenantId), e.id, report);
        journal.append(e.id, "experiment", null, Map.of("id", e.id, "status", e.status));
    }

    private static Double finite(double x) {
        return Double.isFinite(x) ? x : null;
    }

    private static Map<String, Object> progress(RunEntity r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", r.id);
        m.put("status", r.status);
        m.put("attempt", r.attempt);
        m.put("step", r.step);
        m.put("totalSteps", r.totalSteps);
        m.put("lastTrainLoss", r.lastTrainLoss);
        m.put("finalEvalLoss", r.finalEvalLoss);
        m.put("error", r.error);
        return m;
    }

    /** A metrics batch for the live stream: each series cut to at most 50 points, extremes kept. */
    private static Map<String, Object> streamable(MetricBatch b) {
        Map<String, Object> series = new LinkedHashMap<>();
        for (Map.Entry<String, MetricSeries> e : b.metrics().entrySet()) {
            List<Downsample.Point> pts = new ArrayList<>();
            for (int i = 0; i < e.getValue().steps().size(); i++) {
                Double v = e.getValue().values().get(i);
                pts.add(new Downsample.Point(e.getValue().steps().get(i), v == null ? Double.NaN : v));
            }
            List<Downsample.Point> d = Downsample.minMax(pts, 50);
            series.put(e.getKey(), Map.of("steps", d.stream().map(Downsample.Point::step).toList(),
                    "values", d.stream().map(Downsample.Point::value).toList()));
        }
        return Map.of("runId", b.runId(), "fromStep", b.fromStep(), "toStep", b.toStep(), "metrics", series);
    }

    private String json(Object o) {
        try {
            return mapper.writeValueAsString(o);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
