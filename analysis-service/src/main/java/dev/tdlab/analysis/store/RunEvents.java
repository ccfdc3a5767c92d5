package dev.tdlab.analysis.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.config.VerdictConfig;
import dev.tdlab.analysis.messaging.Outbox;
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
import dev.tdlab.contracts.spec.ExperimentSpec;
import dev.tdlab.contracts.spec.SweepExpander;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import org.hibernate.Session;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * Applies the events of the pipeline to the store, each in one transaction, idempotently: an
 * event id seen before changes nothing, and metric points are unique per (run, name, step).
 * Locks: the run row first, then the experiment row.
 */
@ApplicationScoped
public class RunEvents {

    private static final Logger LOG = Logger.getLogger(RunEvents.class);

    @Inject
    EntityManager em;
    @Inject
    ObjectMapper mapper;
    @Inject
    Outbox outbox;
    @Inject
    ExperimentStore store;
    @Inject
    VerdictConfig verdictConfig;
    @Inject
    Journal journal;
    @Inject
    MetricStore metricStore;

    /** True the first time an event id is seen (in this transaction's view). */
    boolean firstTime(String eventId) {
        return em.createNativeQuery("INSERT INTO processed_events (event_id) VALUES (?1) ON CONFLICT DO NOTHING")
                .setParameter(1, eventId).executeUpdate() == 1;
    }

    @Transactional
    public void onDatasetReady(DatasetReady e) {
        RunEntity r = em.find(RunEntity.class, e.runId(), LockModeType.PESSIMISTIC_WRITE);
        if (r == null) {
            LOG.debugf("datasets.ready for unknown run %s ignored", e.runId());
            return;
        }
        if (!firstTime(e.eventId())) {
            return;
        }
        r.datasetId = e.datasetId();
        if (e.baselines() != null) {
            r.entropyRate = e.baselines().entropyRate();
            r.unigramEntropy = e.baselines().unigramEntropy();
            r.stationaryJson = json(e.baselines().stationary());
            r.optimalLoss = e.baselines().optimalLoss();
            r.optimalLossStdErr = e.baselines().optimalLossStdErr();
            r.bayesError = e.baselines().bayesError();
            r.orderLossesJson = e.baselines().orderLosses() == null ? null : json(e.baselines().orderLosses());
        }
        if (RunState.PLANNED.name().equals(r.status)) {
            r.status = RunState.DATA_READY.name();
        }
        r.updatedAt = OffsetDateTime.now();
        tryDecide(r);
    }

    @Transactional
    public void onStatus(RunStatus s) {
        RunEntity r = em.find(RunEntity.class, s.runId(), LockModeType.PESSIMISTIC_WRITE);
        if (r == null) {
            LOG.debugf("runs.status for unknown run %s ignored", s.runId());
            return;
        }
        if (!firstTime(s.eventId())) {
            return;
        }
        if (s.attempt() < r.attempt) {
            return; // a late event of an earlier attempt
        }
        boolean terminal = RunState.valueOf(r.status).terminal();
        r.attempt = Math.max(r.attempt, s.attempt());
        r.heartbeatAt = OffsetDateTime.ofInstant(Instant.ofEpochMilli(s.heartbeatAt()), ZoneOffset.UTC);
        r.updatedAt = OffsetDateTime.now();
        if (terminal && !(RunState.FINISHED == s.state() && RunState.CANCELLED.name().equals(r.status))) {
            return; // ended runs stay ended
        }
        r.step = Math.max(r.step, s.step());
        switch (s.state()) {
            case RUNNING -> {
                if (!terminal) {
                    r.status = RunState.RUNNING.name();
                    markExperimentRunning(r.experimentId);
                    journal.append(r.experimentId, "progress", r.id, progress(r));
                }
            }
            case FINISHED -> {
                if (!terminal) {
                    r.status = RunState.FINISHED.name();
                }
                r.finalEvalLoss = s.finalEvalLoss();
                r.finalEvalStdErr = s.finalEvalStdErr();
                r.finalTrainLoss = s.finalTrainLoss();
                r.secondsElapsed = s.secondsElapsed();
                journal.append(r.experimentId, "status", r.id, progress(r));
                tryDecide(r);
            }
            case FAILED, CANCELLED -> {
                r.status = s.state().name();
                r.error = s.error();
                journal.append(r.experimentId, "status", r.id, progress(r));
                maybeFinishExperiment(r.experimentId);
            }
            default -> { }
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
        java.util.TreeMap<String, RunEntity> runs = new java.util.TreeMap<>();
        for (MetricBatch b : batches) {
            runs.put(b.runId(), null);
        }
        for (String id : List.copyOf(runs.keySet())) {
            RunEntity r = em.find(RunEntity.class, id, LockModeType.PESSIMISTIC_WRITE);
            if (r == null) {
                LOG.debugf("runs.metrics for unknown run %s ignored", id);
                runs.remove(id);
            } else {
                runs.put(id, r);
            }
        }
        List<MetricBatch> current = new java.util.ArrayList<>(batches.size());
        for (MetricBatch b : batches) {
            RunEntity r = runs.get(b.runId());
            if (r != null && b.attempt() >= r.attempt) {
                current.add(b);
            }
        }
        if (current.isEmpty()) {
            return List.of();
        }
        MetricStore.Ingested done = em.unwrap(Session.class).doReturningWork(c -> metricStore.ingest(c, current));
        java.util.Set<RunEntity> touched = new java.util.LinkedHashSet<>();
        OffsetDateTime now = OffsetDateTime.now();
        for (MetricBatch b : done.applied()) {
            RunEntity r = runs.get(b.runId());
            if (!RunState.valueOf(r.status).terminal()) {
                r.step = Math.max(r.step, b.toStep());
            }
            if (b.toStep() >= r.step) { // latest values, for listings and progress
                r.lastTrainLoss = last(b.metrics().get("train_loss"), r.lastTrainLoss);
                r.lastEvalLoss = last(b.metrics().get("eval_loss"), r.lastEvalLoss);
            }
            r.updatedAt = now;
            touched.add(r);
        }
        em.flush(); // the run rows, before the journal's plain JDBC
        List<Journal.Pending> stream = new java.util.ArrayList<>(done.applied().size());
        for (MetricBatch b : done.applied()) {
            stream.add(new Journal.Pending(runs.get(b.runId()).experimentId, "metrics", b.runId(), streamable(b)));
        }
        journal.appendAll(stream);
        for (RunEntity r : touched) {
            tryDecide(r);
        }
        return done.applied();
    }

    /**
     * Decides the verdict once the run has FINISHED, its baselines are known and its eval metrics
     * up to the final step are stored (the three arrive on different topics, in any order).
     */
    void tryDecide(RunEntity r) {
        Double optimum = r.optimalLoss != null ? r.optimalLoss : r.entropyRate;
        if (r.verdict != null || !RunState.FINISHED.name().equals(r.status) || optimum == null
                || r.finalEvalLoss == null) {
            return;
        }
        @SuppressWarnings("unchecked")
        List<Object[]> evals = em.createNativeQuery(
                        "SELECT step, value FROM metrics WHERE run_id = ?1 AND name = 'eval_loss' ORDER BY step")
                .setParameter(1, r.id).getResultList();
        if (evals.isEmpty() || ((Number) evals.get(evals.size() - 1)[0]).intValue() < r.step) {
            return; // the last metrics batch is still on its way
        }
        int[] steps = new int[evals.size()];
        double[] losses = new double[evals.size()];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = ((Number) evals.get(i)[0]).intValue();
            losses[i] = ((Number) evals.get(i)[1]).doubleValue();
        }
        double se = r.finalEvalStdErr == null ? 0 : r.finalEvalStdErr;
        double seOpt = r.optimalLoss != null && r.optimalLossStdErr != null ? r.optimalLossStdErr : 0;
        Verdicts.Assessment a = Verdicts.assess(r.finalEvalLoss, se, optimum, seOpt, plateaus(r), steps, losses,
                verdictConfig.z(), verdictConfig.gapFraction());
        Convergence.Fit best = a.convergence().rate() == null ? null : a.convergence().rate().best();
        r.verdict = a.verdict().name();
        r.tolerance = a.tolerance().value();
        r.gapToOptimum = r.finalEvalLoss - optimum;
        r.gapLow = finite(a.gapLow());
        r.gapHigh = finite(a.gapHigh());
        r.convergenceStep = a.convergenceStep();
        r.rateModel = best == null ? null : best.model();
        r.rate = best == null ? null : finite(best.rate());
        r.rateR2 = best == null ? null : finite(best.r2());
        r.stepsNearSaddle = a.convergence().stepsNearSaddle();
        r.convergenceJson = json(Map.of("tolerance", a.tolerance(), "plateaus", a.convergence().plateaus(),
                "rate", a.convergence().rate() == null ? Map.of() : a.convergence().rate()));
        Map<String, Object> findings = findings(r);
        r.findingsJson = findings.isEmpty() ? null : json(findings);
        RunVerdict verdict = RunVerdict.of(r.id, r.experimentId, r.attempt, a.verdict(), r.finalEvalLoss, optimum,
                r.tolerance, r.convergenceStep).withConvergence(r.rate, r.rateModel, r.rateR2, r.gapLow, r.gapHigh,
                r.stepsNearSaddle).withFindings(findings.isEmpty() ? null : findings);
        outbox.add(Topics.RUNS_VERDICTS, r.id, verdict);
        journal.append(r.experimentId, "verdict", r.id, verdict);
        LOG.infof("run %s: %s (eval loss %.6f, optimum %.6f, unigram %s, tol %.4f %s, rate %s %s, near saddles %d steps)",
                r.id, r.verdict, r.finalEvalLoss, optimum, r.unigramEntropy, r.tolerance, a.tolerance().source(),
                r.rateModel, r.rate, r.stepsNearSaddle);
        em.flush();
        maybeFinishExperiment(r.experimentId);
    }

    /** The run's family-specific findings (verdict/Findings) from its stored metric series; empty for other families. */
    private Map<String, Object> findings(RunEntity r) {
        ExperimentEntity e = em.find(ExperimentEntity.class, r.experimentId);
        dev.tdlab.contracts.spec.ModelSpec model;
        try {
            ExperimentSpec spec = mapper.readValue(e.specJson, ExperimentSpec.class);
            Map<String, Object> cell = r.cellJson == null ? Map.of()
                    : mapper.readValue(r.cellJson, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
            model = SweepExpander.apply(spec, cell, r.seed).model();
        } catch (JsonProcessingException | RuntimeException ex) {
            LOG.warnf("run %s: no findings, its spec does not read back: %s", r.id, ex.getMessage());
            return Map.of();
        }
        int depth = model.depth() == null ? 1 : model.depth();
        List<String> names = Findings.metricNames(model.family(), depth);
        if (names.isEmpty()) {
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "SELECT name, step, value FROM metrics WHERE run_id = ?1 AND name IN (?2) ORDER BY name, step")
                .setParameter(1, r.id).setParameter(2, names).getResultList();
        Map<String, List<Object[]>> byName = new java.util.HashMap<>();
        for (Object[] row : rows) {
            byName.computeIfAbsent((String) row[0], k -> new java.util.ArrayList<>()).add(row);
        }
        Map<String, Findings.Series> series = new java.util.HashMap<>();
        byName.forEach((name, points) -> {
            int[] st = new int[points.size()];
            double[] v = new double[points.size()];
            for (int i = 0; i < st.length; i++) {
                st[i] = ((Number) points.get(i)[1]).intValue();
                v[i] = ((Number) points.get(i)[2]).doubleValue();
            }
            series.put(name, new Findings.Series(st, v));
        });
        return Findings.of(model.family(), depth, series, r.bayesError,
                new Findings.Thresholds(verdictConfig.collapseThreshold(), verdictConfig.convergedFraction()));
    }

    /** Known suboptimal plateaus: the unigram entropy and the losses of the lower-order predictors. */
    private List<Convergence.Level> plateaus(RunEntity r) {
        List<Convergence.Level> out = new java.util.ArrayList<>();
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

    private static Double finite(double x) {
        return Double.isFinite(x) ? x : null;
    }

    private void markExperimentRunning(String experimentId) {
        int n = em.createNativeQuery("UPDATE experiments SET status = 'RUNNING', updated_at = now() WHERE id = ?1 AND status = 'PLANNED'")
                .setParameter(1, experimentId).executeUpdate();
        if (n == 1) {
            journal.append(experimentId, "experiment", null, Map.of("id", experimentId, "status", "RUNNING"));
        }
    }

    private static Map<String, Object> progress(RunEntity r) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
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
        Map<String, Object> series = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, MetricSeries> e : b.metrics().entrySet()) {
            List<Downsample.Point> pts = new java.util.ArrayList<>();
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

    /** FINISHED once every run has ended (with a verdict if it finished); FAILED if every run failed. */
    private void maybeFinishExperiment(String experimentId) {
        em.flush();
        store.lockExperiment(experimentId);
        ExperimentEntity e = em.find(ExperimentEntity.class, experimentId);
        em.refresh(e);
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
        outbox.add(Topics.EXPERIMENTS_REPORTS, e.id, ExperimentReport.of(e.id, e.name, e.status, store.cells(runs)));
        journal.append(e.id, "experiment", null, Map.of("id", e.id, "status", e.status));
    }

    private static Double last(MetricSeries s, Double otherwise) {
        return s == null || s.values().isEmpty() ? otherwise : s.values().get(s.values().size() - 1);
    }

    private String json(Object o) {
        try {
            return mapper.writeValueAsString(o);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
