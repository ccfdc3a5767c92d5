package dev.tdlab.analysis.service;

import dev.tdlab.analysis.mapping.Views;
import dev.tdlab.analysis.store.DashboardStore;
import dev.tdlab.analysis.store.ExperimentEntity;
import dev.tdlab.analysis.verdict.Claims;
import dev.tdlab.contracts.events.CellAggregate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-cell aggregates (verdict counts, Wilson interval, bootstrap interval of the median convergence step) and the
 * claims, cached per experiment and brought up to date incrementally: the database hashes each cell's runs
 * ({@link DashboardStore#cellFingerprints}, one grouped query), and only a cell whose fingerprint changed since it was
 * cached (a verdict, a status, a rerun) has its runs read and its aggregate recomputed; the claims are judged again
 * only when some cell changed. Correct with several replicas (nothing to invalidate: a stale entry has a stale
 * fingerprint). At most {@link #MAX_EXPERIMENTS} experiments are kept, least recently read first out.
 */
@ApplicationScoped
public class CellAggregates {

    static final int MAX_EXPERIMENTS = 256;

    @Inject
    DashboardStore store;
    @Inject
    Views views;
    @Inject
    Specs specs;

    /** Cells recomputed since start (for tests and the README's measurements). */
    final AtomicLong recomputed = new AtomicLong();

    private record Cached(String fingerprint, CellAggregate aggregate) {
    }

    /** One experiment's cache: its cells by id, and the claims with the fingerprints they were judged on. */
    private static final class Entry {
        final Map<String, Cached> cells = new HashMap<>();
        String claimsKey;
        List<Claims.Claim> claims;
    }

    private final Map<String, Entry> byExperiment = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > MAX_EXPERIMENTS;
        }
    };

    /** Every cell's aggregate, in cell order. */
    public List<CellAggregate> cells(ExperimentEntity e) {
        return cells(e, null);
    }

    /** The aggregates of the cells named (null: every cell), in cell order; unknown cell ids are left out. */
    public List<CellAggregate> cells(ExperimentEntity e, Set<String> only) {
        Map<String, String> fingerprints = store.cellFingerprints(e.id, only);
        Entry entry = entry(e.id);
        Set<String> stale = new LinkedHashSet<>();
        synchronized (entry) {
            for (Map.Entry<String, String> f : fingerprints.entrySet()) {
                Cached c = entry.cells.get(f.getKey());
                if (c == null || !c.fingerprint().equals(f.getValue())) {
                    stale.add(f.getKey());
                }
            }
        }
        Map<String, CellAggregate> fresh = recompute(e.id, stale);
        List<CellAggregate> out = new ArrayList<>();
        synchronized (entry) {
            if (only == null) {
                entry.cells.keySet().retainAll(fingerprints.keySet()); // cells a rerun or a new plan no longer has
            }
            for (Map.Entry<String, String> f : fingerprints.entrySet()) {
                CellAggregate a = fresh.get(f.getKey());
                if (a != null) {
                    entry.cells.put(f.getKey(), new Cached(f.getValue(), a));
                    out.add(a);
                } else {
                    out.add(entry.cells.get(f.getKey()).aggregate());
                }
            }
        }
        return out;
    }

    /** The seed papers' claims judged on the experiment's runs; judged again only when some cell changed. */
    public List<Claims.Claim> claims(ExperimentEntity e) {
        Map<String, String> fingerprints = store.cellFingerprints(e.id);
        String key = String.join(",", fingerprints.values());
        Entry entry = entry(e.id);
        synchronized (entry) {
            if (key.equals(entry.claimsKey)) {
                return entry.claims;
            }
        }
        List<Claims.Claim> claims = views.claims(specs.of(e), store.runsOfCells(e.id, fingerprints.keySet()));
        synchronized (entry) {
            entry.claimsKey = key;
            entry.claims = claims;
        }
        return claims;
    }

    private Map<String, CellAggregate> recompute(String experimentId, Set<String> cellIds) {
        Map<String, CellAggregate> out = new HashMap<>();
        if (cellIds.isEmpty()) {
            return out;
        }
        for (CellAggregate a : views.cells(store.runsOfCells(experimentId, cellIds))) {
            out.put(a.cellId(), a);
        }
        recomputed.addAndGet(out.size());
        return out;
    }

    private Entry entry(String experimentId) {
        synchronized (byExperiment) {
            return byExperiment.computeIfAbsent(experimentId, k -> new Entry());
        }
    }
}
