package dev.tdlab.analysis.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.messaging.Outbox;
import dev.tdlab.analysis.verdict.CellStats;
import dev.tdlab.analysis.verdict.Claims;
import dev.tdlab.analysis.verdict.Downsample;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.CellAggregate;
import dev.tdlab.contracts.events.ExperimentStatus;
import dev.tdlab.contracts.events.RunControl;
import dev.tdlab.contracts.events.RunPlanned;
import dev.tdlab.contracts.events.RunState;
import dev.tdlab.contracts.spec.ExperimentSpec;
import dev.tdlab.contracts.spec.RunSpec;
import dev.tdlab.contracts.spec.SweepExpander;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Experiments and runs as the API sees them; entities stay inside, views go out as maps/records. */
@ApplicationScoped
public class ExperimentStore {

    @Inject
    EntityManager em;
    @Inject
    ObjectMapper mapper;
    @Inject
    Outbox outbox;
    @Inject
    Journal journal;
    @Inject
    MetricStore metricStore;
    @Inject
    dev.tdlab.analysis.security.Quotas quotas;

    public record Created(String id, int runCount) {
    }

    /**
     * Stores the experiment of a tenant and its runs, and (same transaction) the RunPlanned events in the outbox. The
     * tenant's concurrent-runs quota is checked under its lock in this transaction (429 when over).
     */
    @Transactional
    public Created create(ExperimentSpec spec, JsonNode specTree, String tenantId) {
        String id = UUID.randomUUID().toString();
        ExperimentSpec full = spec.withDefaults();
        List<Map<String, Object>> cells = SweepExpander.cells(full.sweep());
        quotas.reserve(tenantId, (long) cells.size() * full.seeds().size());
        OffsetDateTime now = OffsetDateTime.now();
        ExperimentEntity e = new ExperimentEntity();
        e.id = id;
        e.tenantId = tenantId;
        e.name = full.name();
        e.status = ExperimentStatus.PLANNED.name();
        e.specJson = json(specTree);
        e.runCount = cells.size() * full.seeds().size();
        e.createdAt = now;
        e.updatedAt = now;
        e.persist();
        for (Map<String, Object> cell : cells) {
            String cellId = SweepExpander.cellId(cell);
            for (Long seed : full.seeds()) {
                RunSpec run = SweepExpander.apply(full, cell, seed);
                RunEntity r = new RunEntity();
                r.id = UUID.nameUUIDFromBytes((id + "/" + cellId + "/" + seed).getBytes(StandardCharsets.UTF_8)).toString();
                r.experimentId = id;
                r.cellId = cellId;
                r.cellJson = json(cell);
                r.seed = seed;
                r.status = RunState.PLANNED.name();
                r.totalSteps = run.train().steps();
                r.updatedAt = now;
                r.persist();
                outbox.add(Topics.RUNS_PLANNED, r.id, RunPlanned.of(r.id, id, cellId, cell, run, 0));
            }
        }
        journal.append(id, "experiment", null, Map.of("id", id, "status", e.status, "runCount", e.runCount));
        return new Created(id, e.runCount);
    }

    public ExperimentEntity find(String id) {
        return ExperimentEntity.findById(id);
    }

    public List<RunEntity> runs(String experimentId) {
        return RunEntity.list("experimentId", Sort.by("cellId").and("seed"), experimentId);
    }

    /**
     * A page of experiments, newest first, optionally filtered by status and a name substring; only the tenant's when
     * {@code tenantId} is given (null: every tenant's, for the admin).
     */
    public Map<String, Object> list(int page, int size, String status, String nameContains, String tenantId) {
        StringBuilder q = new StringBuilder("1 = 1");
        Map<String, Object> params = new LinkedHashMap<>();
        if (tenantId != null) {
            q.append(" and tenantId = :tenant");
            params.put("tenant", tenantId);
        }
        if (status != null && !status.isBlank()) {
            q.append(" and status = :status");
            params.put("status", status);
        }
        if (nameContains != null && !nameContains.isBlank()) {
            q.append(" and lower(name) like :name");
            params.put("name", "%" + nameContains.toLowerCase() + "%");
        }
        var query = ExperimentEntity.find(q.toString(), Sort.descending("createdAt"), params);
        long total = query.count();
        List<Map<String, Object>> items = new ArrayList<>();
        for (ExperimentEntity e : query.page(Page.of(page, size)).<ExperimentEntity>list()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.id);
            m.put("name", e.name);
            m.put("status", e.status);
            m.put("runCount", e.runCount);
            m.put("createdAt", e.createdAt);
            m.put("tenant", e.tenantId);
            items.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", items);
        out.put("page", page);
        out.put("size", size);
        out.put("total", total);
        return out;
    }

    /** The experiment with its runs and per-cell aggregates (the shape clients rely on). */
    public Map<String, Object> view(ExperimentEntity e) {
        List<RunEntity> runs = runs(e.id);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", e.id);
        out.put("name", e.name);
        out.put("status", e.status);
        out.put("tenant", e.tenantId);
        out.put("runCount", e.runCount);
        out.put("createdAt", e.createdAt);
        out.put("updatedAt", e.updatedAt);
        out.put("spec", tree(e.specJson));
        List<Map<String, Object>> rv = new ArrayList<>();
        for (RunEntity r : runs) {
            rv.add(runView(r));
        }
        out.put("runs", rv);
        out.put("cells", cells(runs));
        out.put("claims", claims(e, runs));
        return out;
    }

    /**
     * The seed papers' claims that apply to this experiment (verdict/Claims), judged on its finished runs; decided
     * when read, so a rerun's runs count as soon as they finish.
     */
    public List<Claims.Claim> claims(ExperimentEntity e, List<RunEntity> runs) {
        ExperimentSpec spec;
        try {
            spec = mapper.readValue(e.specJson, ExperimentSpec.class).withDefaults();
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
        Map<String, Object> base = new LinkedHashMap<>();
        base.put("model.depth", spec.model().depth());
        base.put("model.dModel", spec.model().dModel());
        base.put("model.residualScaling", spec.model().residualScaling());
        base.put("model.parameterization", spec.model().parameterization());
        base.put("model.attention", spec.model().attention());
        base.put("train.trainable", spec.train().trainable());
        base.put("train.optimizer", spec.train().optimizer());
        base.put("train.lr", spec.train().lr());
        List<Claims.Run> finished = new ArrayList<>();
        for (RunEntity r : runs) {
            if (r.verdict == null) {
                continue;
            }
            Map<String, Object> findings = r.findingsJson == null ? Map.of()
                    : mapper.convertValue(tree(r.findingsJson), new TypeReference<LinkedHashMap<String, Object>>() { });
            finished.add(new Claims.Run(cell(r), r.seed, r.finalEvalLoss, r.finalTrainLoss, findings));
        }
        return Claims.judge(spec.model().family(), base, spec.sweep().keySet(), finished);
    }

    public Map<String, Object> runView(RunEntity r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id);
        m.put("experimentId", r.experimentId);
        m.put("cellId", r.cellId);
        m.put("cell", cell(r));
        m.put("seed", r.seed);
        m.put("status", r.status);
        m.put("attempt", r.attempt);
        m.put("step", r.step);
        m.put("totalSteps", r.totalSteps);
        m.put("verdict", r.verdict);
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("entropyRate", r.entropyRate);
        b.put("unigramEntropy", r.unigramEntropy);
        b.put("stationary", r.stationaryJson == null ? null : tree(r.stationaryJson));
        b.put("optimalLoss", r.optimalLoss);
        b.put("optimalLossStdErr", r.optimalLossStdErr);
        b.put("orderLosses", r.orderLossesJson == null ? null : tree(r.orderLossesJson));
        m.put("baselines", b);
        m.put("datasetId", r.datasetId);
        m.put("lastTrainLoss", r.lastTrainLoss);
        m.put("lastEvalLoss", r.lastEvalLoss);
        m.put("finalEvalLoss", r.finalEvalLoss);
        m.put("finalEvalStdErr", r.finalEvalStdErr);
        m.put("finalTrainLoss", r.finalTrainLoss);
        m.put("gapToOptimum", r.gapToOptimum);
        m.put("tolerance", r.tolerance);
        m.put("convergenceStep", r.convergenceStep);
        m.put("gapLow", r.gapLow);
        m.put("gapHigh", r.gapHigh);
        m.put("convergenceRate", r.rateModel == null ? null : convergenceRate(r));
        m.put("stepsNearSaddle", r.stepsNearSaddle);
        m.put("plateaus", r.convergenceJson == null ? null : tree(r.convergenceJson).get("plateaus"));
        m.put("findings", r.findingsJson == null ? null : tree(r.findingsJson));
        m.put("secondsElapsed", r.secondsElapsed);
        m.put("error", r.error);
        m.put("heartbeatAt", r.heartbeatAt);
        return m;
    }

    /** The better fit of the approach to the optimum, and both fits with their goodness of fit. */
    private Map<String, Object> convergenceRate(RunEntity r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", r.rateModel);
        m.put("rate", r.rate);
        m.put("r2", r.rateR2);
        JsonNode fits = r.convergenceJson == null ? null : tree(r.convergenceJson).get("rate");
        m.put("exponential", fits == null ? null : fits.get("exponential"));
        m.put("powerLaw", fits == null ? null : fits.get("powerLaw"));
        return m;
    }

    /** Per-cell aggregates over seeds. */
    public List<CellAggregate> cells(List<RunEntity> runs) {
        Map<String, List<RunEntity>> byCell = new LinkedHashMap<>();
        for (RunEntity r : runs) {
            byCell.computeIfAbsent(r.cellId, k -> new ArrayList<>()).add(r);
        }
        List<CellAggregate> out = new ArrayList<>();
        for (Map.Entry<String, List<RunEntity>> c : byCell.entrySet()) {
            int finished = 0, global = 0, local = 0, notConv = 0, diverged = 0, decided = 0;
            double sum = 0;
            int losses = 0;
            for (RunEntity r : c.getValue()) {
                if (RunState.FINISHED.name().equals(r.status)) {
                    finished++;
                }
                if (r.verdict != null) {
                    decided++;
                    switch (r.verdict) {
                        case "GLOBAL" -> global++;
                        case "LOCAL" -> local++;
                        case "NOT_CONVERGED" -> notConv++;
                        case "DIVERGED" -> diverged++;
                        default -> { }
                    }
                }
                if (r.finalEvalLoss != null && Double.isFinite(r.finalEvalLoss)) {
                    sum += r.finalEvalLoss;
                    losses++;
                }
            }
            RunEntity first = c.getValue().get(0);
            double[] conv = c.getValue().stream().filter(r -> r.convergenceStep != null)
                    .mapToDouble(r -> r.convergenceStep).toArray();
            CellStats.Interval wilson = decided == 0 ? null : CellStats.wilson(global, decided, 1.959964);
            CellStats.Interval convCi = conv.length == 0 ? null
                    : CellStats.bootstrapMedian(conv, 2000, 0.05, c.getKey().hashCode());
            long kinds = c.getValue().stream().map(r -> r.verdict).filter(java.util.Objects::nonNull).distinct().count();
            out.add(new CellAggregate(c.getKey(), cell(first), c.getValue().size(), finished, global, local, notConv,
                    diverged, decided == 0 ? null : (double) global / decided,
                    wilson == null ? null : wilson.low(), wilson == null ? null : wilson.high(),
                    losses == 0 ? null : sum / losses,
                    conv.length == 0 ? null : CellStats.median(conv),
                    convCi == null ? null : convCi.low(), convCi == null ? null : convCi.high(),
                    kinds > 1, first.entropyRate, first.unigramEntropy));
        }
        return out;
    }

    /** Cancels an experiment: it and its unfinished runs become CANCELLED. False if it had ended already. */
    @Transactional
    public boolean cancel(String id) {
        lockRunsThenExperiment(id);
        ExperimentEntity e = em.find(ExperimentEntity.class, id);
        if (e == null) {
            return false;
        }
        if (!ExperimentStatus.PLANNED.name().equals(e.status) && !ExperimentStatus.RUNNING.name().equals(e.status)) {
            return false;
        }
        e.status = ExperimentStatus.CANCELLED.name();
        e.updatedAt = OffsetDateTime.now();
        for (RunEntity r : runs(id)) {
            if (!RunState.valueOf(r.status).terminal()) {
                r.status = RunState.CANCELLED.name();
                r.updatedAt = OffsetDateTime.now();
                outbox.add(Topics.RUNS_CONTROL, r.id, RunControl.cancel(r.id, id)); // stops the trainer
            }
        }
        journal.append(id, "experiment", null, Map.of("id", id, "status", e.status));
        return true;
    }

    /**
     * Plans the experiment's FAILED and CANCELLED runs again (same run ids, cells and seeds, so nothing is
     * duplicated): their results and metrics are cleared and a RunPlanned with the next rerun number goes
     * out through the outbox. Returns how many runs were re-planned (0 when none had failed).
     */
    @Transactional
    public int rerun(String id) {
        lockRunsThenExperiment(id);
        ExperimentEntity e = em.find(ExperimentEntity.class, id);
        if (e == null) {
            return -1;
        }
        ExperimentSpec spec;
        try {
            spec = mapper.readValue(e.specJson, ExperimentSpec.class).withDefaults();
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
        long again = runs(id).stream().filter(r -> RunState.FAILED.name().equals(r.status)
                || RunState.CANCELLED.name().equals(r.status)).count();
        if (again > 0) {
            quotas.reserve(e.tenantId, again); // 429 when the tenant has too many runs in flight
        }
        int n = 0;
        for (RunEntity r : runs(id)) {
            if (!RunState.FAILED.name().equals(r.status) && !RunState.CANCELLED.name().equals(r.status)) {
                continue;
            }
            em.unwrap(org.hibernate.Session.class).doWork(c -> metricStore.deleteRun(c, r.id));
            r.status = RunState.PLANNED.name();
            r.rerun++;
            r.attempt++; // events of the replaced attempt are ignored from now on
            r.step = 0;
            r.verdict = null;
            r.finalEvalLoss = null;
            r.finalEvalStdErr = null;
            r.finalTrainLoss = null;
            r.lastTrainLoss = null;
            r.lastEvalLoss = null;
            r.gapToOptimum = null;
            r.tolerance = null;
            r.convergenceStep = null;
            r.gapLow = null;
            r.gapHigh = null;
            r.rateModel = null;
            r.rate = null;
            r.rateR2 = null;
            r.stepsNearSaddle = null;
            r.convergenceJson = null;
            r.findingsJson = null;
            r.secondsElapsed = null;
            r.error = null;
            r.updatedAt = OffsetDateTime.now();
            Map<String, Object> cell = cell(r);
            outbox.add(Topics.RUNS_PLANNED, r.id,
                    RunPlanned.of(r.id, id, r.cellId, cell, SweepExpander.apply(spec, cell, r.seed), r.rerun));
            n++;
        }
        if (n > 0) {
            e.status = ExperimentStatus.RUNNING.name();
            e.updatedAt = OffsetDateTime.now();
            journal.append(id, "experiment", null, Map.of("id", id, "status", e.status, "rerunRuns", n));
        }
        return n;
    }

    /**
     * Serializes the changes of one experiment's status (finish, cancel, rerun) with a transaction-scoped
     * advisory lock: unlike a row lock it does not conflict with the key-share locks that inserts of
     * runs, metrics and journal rows take on the experiment row, so it cannot deadlock with them.
     */
    void lockExperiment(String id) {
        em.createNativeQuery("SELECT 1 FROM pg_advisory_xact_lock(hashtext(?1))").setParameter(1, "experiment:" + id)
                .getSingleResult();
    }

    /** Locks every run of the experiment (in id order, like the event handlers' single-run locks), then the experiment. */
    void lockRunsThenExperiment(String id) {
        em.createNativeQuery("SELECT id FROM runs WHERE experiment_id = ?1 ORDER BY id FOR UPDATE").setParameter(1, id)
                .getResultList();
        lockExperiment(id);
    }

    /**
     * Points of one metric of a run in a step range: all of them if at most maxPoints, else the min and
     * max of each step bucket, read from the rollups ({@link MetricStore#read}).
     */
    public List<Downsample.Point> metric(String runId, String name, int from, int to, int maxPoints) {
        return em.unwrap(org.hibernate.Session.class).doReturningWork(c -> metricStore.read(c, runId, name, from, to, maxPoints));
    }

    /** Names of the metrics the run has reported, sorted. */
    public List<String> metricNames(String runId) {
        return em.unwrap(org.hibernate.Session.class).doReturningWork(c -> metricStore.names(c, runId));
    }

    private Map<String, Object> cell(RunEntity r) {
        try {
            return mapper.readValue(r.cellJson, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private JsonNode tree(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private String json(Object o) {
        try {
            return mapper.writeValueAsString(o);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
