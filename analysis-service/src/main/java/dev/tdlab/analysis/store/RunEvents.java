package dev.tdlab.analysis.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.config.VerdictConfig;
import dev.tdlab.analysis.messaging.Outbox;
import dev.tdlab.analysis.verdict.Downsample;
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
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import org.hibernate.Session;
import org.jboss.logging.Logger;

import java.sql.PreparedStatement;
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

    @Transactional
    public void onMetrics(MetricBatch b) {
        RunEntity r = em.find(RunEntity.class, b.runId(), LockModeType.PESSIMISTIC_WRITE);
        if (r == null) {
            LOG.debugf("runs.metrics for unknown run %s ignored", b.runId());
            return;
        }
        if (!firstTime(b.eventId()) || b.attempt() < r.attempt) {
            return; // seen already, or a late batch of an attempt that a rerun replaced
        }
        em.unwrap(Session.class).doWork(conn -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO metrics (run_id, name, step, value) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                for (Map.Entry<String, MetricSeries> m : b.metrics().entrySet()) {
                    List<Integer> steps = m.getValue().steps();
                    List<Double> values = m.getValue().values();
                    if (steps.size() != values.size()) {
                        throw new IllegalArgumentException("metric " + m.getKey() + ": steps and values differ in length");
                    }
                    for (int i = 0; i < steps.size(); i++) {
                        ps.setString(1, b.runId());
                        ps.setString(2, m.getKey());
                        ps.setInt(3, steps.get(i));
                        ps.setDouble(4, values.get(i) == null ? Double.NaN : values.get(i));
                        ps.addBatch();
                    }
                }
                ps.executeBatch();
            }
        });
        if (!RunState.valueOf(r.status).terminal()) {
            r.step = Math.max(r.step, b.toStep());
        }
        if (b.toStep() >= r.step) { // latest values, for listings and progress
            r.lastTrainLoss = last(b.metrics().get("train_loss"), r.lastTrainLoss);
            r.lastEvalLoss = last(b.metrics().get("eval_loss"), r.lastEvalLoss);
        }
        journal.append(r.experimentId, "metrics", r.id, streamable(b));
        r.updatedAt = OffsetDateTime.now();
        tryDecide(r);
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
        double se = r.finalEvalStdErr == null ? 0 : r.finalEvalStdErr;
        Verdicts.Decision d = Verdicts.decide(r.finalEvalLoss, se, optimum, plateaus(r),
                verdictConfig.z(), verdictConfig.gapFraction());
        int[] steps = new int[evals.size()];
        double[] losses = new double[evals.size()];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = ((Number) evals.get(i)[0]).intValue();
            losses[i] = ((Number) evals.get(i)[1]).doubleValue();
        }
        r.verdict = d.verdict().name();
        r.tolerance = d.tolerance();
        r.gapToOptimum = r.finalEvalLoss - optimum;
        r.convergenceStep = Verdicts.convergenceStep(steps, losses, optimum, d.tolerance());
        RunVerdict verdict = RunVerdict.of(r.id, r.experimentId, r.attempt, d.verdict(), r.finalEvalLoss, optimum,
                d.tolerance(), r.convergenceStep);
        outbox.add(Topics.RUNS_VERDICTS, r.id, verdict);
        journal.append(r.experimentId, "verdict", r.id, verdict);
        LOG.infof("run %s: %s (eval loss %.6f, optimum %.6f, unigram %s, tol %.4f)", r.id, r.verdict,
                r.finalEvalLoss, optimum, r.unigramEntropy, d.tolerance());
        em.flush();
        maybeFinishExperiment(r.experimentId);
    }

    /** Known suboptimal plateaus: the unigram entropy and the losses of the lower-order predictors. */
    private double[] plateaus(RunEntity r) {
        java.util.List<Double> out = new java.util.ArrayList<>();
        if (r.unigramEntropy != null) {
            out.add(r.unigramEntropy);
        }
        if (r.orderLossesJson != null) {
            try {
                Double[] orders = mapper.readValue(r.orderLossesJson, Double[].class);
                for (int k = 0; k < orders.length - 1; k++) { // the last one is the optimum itself
                    if (orders[k] != null) {
                        out.add(orders[k]);
                    }
                }
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
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
