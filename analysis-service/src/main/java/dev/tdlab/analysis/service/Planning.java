package dev.tdlab.analysis.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.mapping.Views;
import dev.tdlab.analysis.security.Quotas;
import dev.tdlab.analysis.store.ExperimentEntity;
import dev.tdlab.analysis.store.ExperimentStore;
import dev.tdlab.analysis.store.Journal;
import dev.tdlab.analysis.store.RunEntity;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.ExperimentStatus;
import dev.tdlab.contracts.events.RunControl;
import dev.tdlab.contracts.events.RunPlanned;
import dev.tdlab.contracts.events.RunState;
import dev.tdlab.contracts.spec.ExperimentSpec;
import dev.tdlab.contracts.spec.RunSpec;
import dev.tdlab.contracts.spec.SweepExpander;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Plans experiments: a submission (sweep expansion, run ids and every row's JSON, outside any transaction; written
 * with its RunPlanned events by {@link Admission}), and a cancel or a rerun, each in one transaction with its events
 * in the outbox.
 */
@ApplicationScoped
class Planning {

    @Inject
    ExperimentStore store;
    @Inject
    Outbox outbox;
    @Inject
    Journal journal;
    @Inject
    Quotas quotas;
    @Inject
    Specs specs;
    @Inject
    Views views;
    @Inject
    ObjectMapper mapper;

    /** One run of a {@link Plan}: its row and its RunPlanned event, serialized. */
    record PlannedRun(String id, String cellId, String cellJson, long seed, int totalSteps, String event) {
    }

    /**
     * A submission planned outside any transaction (sweep expansion, run ids, every JSON text): what {@link Admission}
     * writes, in one statement per table for a whole batch of submissions, if the tenant's quota admits it.
     */
    record Plan(String id, String tenant, String name, String specJson, OffsetDateTime createdAt, List<PlannedRun> runs,
                String journalJson) {
        int runCount() {
            return runs.size();
        }
    }

    /** Plans a valid spec of a tenant: pure, no database (the quota is checked when {@link Admission} writes it). */
    Plan plan(ExperimentSpec spec, JsonNode specTree, String tenantId) {
        String id = UUID.randomUUID().toString();
        ExperimentSpec full = spec.withDefaults();
        List<Map<String, Object>> cells = SweepExpander.cells(full.sweep());
        List<PlannedRun> runs = new ArrayList<>(cells.size() * full.seeds().size());
        for (Map<String, Object> cell : cells) {
            String cellId = SweepExpander.cellId(cell);
            String cellJson = json(cell);
            for (Long seed : full.seeds()) {
                RunSpec run = SweepExpander.apply(full, cell, seed);
                String runId = runId(id, cellId, seed);
                runs.add(new PlannedRun(runId, cellId, cellJson, seed, run.train().steps(),
                        json(RunPlanned.of(runId, id, cellId, cell, run, 0))));
            }
        }
        return new Plan(id, tenantId, full.name(), json(specTree), OffsetDateTime.now(), runs,
                json(Map.of("id", id, "status", ExperimentStatus.PLANNED.name(), "runCount", runs.size())));
    }

    /** The id of a run: a name-based UUID of experiment, cell and seed (the same again for a rerun). */
    static String runId(String experimentId, String cellId, long seed) {
        return UUID.nameUUIDFromBytes((experimentId + "/" + cellId + "/" + seed).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    /** Cancels an experiment: it and its unfinished runs become CANCELLED. False if it had ended already. */
    @Transactional
    boolean cancel(String id) {
        store.lockRunsThenExperiment(id);
        ExperimentEntity e = store.find(id);
        if (e == null) {
            return false;
        }
        if (!ExperimentStatus.PLANNED.name().equals(e.status) && !ExperimentStatus.RUNNING.name().equals(e.status)) {
            return false;
        }
        e.status = ExperimentStatus.CANCELLED.name();
        e.updatedAt = OffsetDateTime.now();
        for (RunEntity r : store.runs(id)) {
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
     * out through the outbox. Returns how many runs were re-planned (0 when none had failed, -1 for no experiment).
     */
    @Transactional
    int rerun(String id) {
        store.lockRunsThenExperiment(id);
        ExperimentEntity e = store.find(id);
        if (e == null) {
            return -1;
        }
        ExperimentSpec spec = specs.of(e).withDefaults();
        long again = store.runs(id).stream().filter(Planning::again).count();
        if (again > 0) {
            quotas.reserve(e.tenantId, again); // 429 when the tenant has too many runs in flight
        }
        int n = 0;
        for (RunEntity r : store.runs(id)) {
            if (!again(r)) {
                continue;
            }
            store.deleteMetrics(r.id);
            reset(r);
            Map<String, Object> cell = views.cell(r);
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

    private static boolean again(RunEntity r) {
        return RunState.FAILED.name().equals(r.status) || RunState.CANCELLED.name().equals(r.status);
    }

    /** PLANNED again with the next rerun and attempt numbers (events of the replaced attempt are ignored from now on). */
    static void reset(RunEntity r) {
        r.status = RunState.PLANNED.name();
        r.rerun++;
        r.attempt++;
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
    }

    private String json(Object o) {
        try {
            return mapper.writeValueAsString(o);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
