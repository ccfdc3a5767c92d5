package dev.tdlab.analysis.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.mapping.Views;
import dev.tdlab.analysis.store.DashboardStore;
import dev.tdlab.analysis.store.ExperimentEntity;
import dev.tdlab.analysis.store.RunEntity;
import dev.tdlab.contracts.events.CellAggregate;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The cache recomputes a cell only when its fingerprint changed, and answers a subset of cells in cell order. */
class CellAggregatesTest {

    /** The store's two queries over an in-memory list of runs; the fingerprint is what the test says it is. */
    static final class Runs extends DashboardStore {
        final List<RunEntity> runs = new ArrayList<>();
        final Map<String, String> fingerprints = new LinkedHashMap<>();
        int runReads;

        @Override
        public Map<String, String> cellFingerprints(String experimentId, Collection<String> cellIds) {
            Map<String, String> out = new LinkedHashMap<>();
            fingerprints.forEach((c, f) -> {
                if (cellIds == null || cellIds.contains(c)) {
                    out.put(c, f);
                }
            });
            return out;
        }

        @Override
        public List<RunEntity> runsOfCells(String experimentId, Collection<String> cellIds) {
            runReads++;
            return runs.stream().filter(r -> cellIds.contains(r.cellId)).toList();
        }
    }

    static RunEntity run(String cell, long seed, String verdict, Integer convergence) {
        RunEntity r = new RunEntity();
        r.id = cell + "-" + seed;
        r.experimentId = "e";
        r.cellId = cell;
        r.cellJson = "{\"data.p\":" + (cell.equals("a") ? 0.2 : 0.8) + "}";
        r.seed = seed;
        r.status = verdict == null ? "RUNNING" : "FINISHED";
        r.verdict = verdict;
        r.convergenceStep = convergence;
        r.finalEvalLoss = verdict == null ? null : 0.5;
        return r;
    }

    @Test
    void onlyTheCellWhoseRunsChangedIsRecomputed() {
        Runs store = new Runs();
        store.runs.addAll(List.of(run("a", 0, "GLOBAL", 100), run("a", 1, "LOCAL", null), run("b", 0, null, null),
                run("b", 1, "GLOBAL", 300)));
        store.fingerprints.put("a", "fa1");
        store.fingerprints.put("b", "fb1");
        CellAggregates cache = new CellAggregates();
        cache.store = store;
        cache.views = new Views(new ObjectMapper());
        ExperimentEntity e = new ExperimentEntity();
        e.id = "e";

        List<CellAggregate> first = cache.cells(e);
        assertEquals(List.of("a", "b"), first.stream().map(CellAggregate::cellId).toList());
        assertEquals(2, cache.recomputed.get());
        assertEquals(1, first.get(0).global());
        assertEquals(1, first.get(1).finished());

        cache.cells(e); // nothing changed: nothing read, nothing recomputed
        assertEquals(2, cache.recomputed.get());
        assertEquals(1, store.runReads);

        // a verdict in cell b: only b is read and recomputed, and the answer has it
        store.runs.set(2, run("b", 0, "GLOBAL", 200));
        store.fingerprints.put("b", "fb2");
        List<CellAggregate> after = cache.cells(e);
        assertEquals(3, cache.recomputed.get());
        assertEquals(2, after.get(1).finished());
        assertEquals(2, after.get(1).global());
        assertEquals(250.0, after.get(1).medianConvergenceStep());
        assertEquals(first.get(0), after.get(0)); // a: the cached aggregate itself

        // a subset: only the cells asked for, a stale one recomputed
        store.runs.set(1, run("a", 1, "GLOBAL", 120));
        store.fingerprints.put("a", "fa2");
        List<CellAggregate> onlyA = cache.cells(e, Set.of("a", "nope"));
        assertEquals(List.of("a"), onlyA.stream().map(CellAggregate::cellId).toList());
        assertEquals(2, onlyA.get(0).global());
        assertEquals(4, cache.recomputed.get());
        assertEquals(2, cache.cells(e).size()); // b still cached after a subset read
        assertEquals(4, cache.recomputed.get());
    }
}
