package dev.tdlab.analysis.security;

import dev.tdlab.analysis.problem.ProblemException;
import dev.tdlab.analysis.store.TenantStore;
import dev.tdlab.contracts.spec.ExperimentSpec;
import dev.tdlab.contracts.spec.RunSpec;
import dev.tdlab.contracts.spec.SpecSize;
import dev.tdlab.contracts.spec.SweepExpander;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Map;

/**
 * Each tenant's quotas: the config defaults ({@code tdlab.quota.*}) unless the tenant's row overrides them. What one
 * experiment asks for (runs, Σ steps × parameters, the largest dataset) is refused with 422; what would be in flight at
 * once (runs not ended) with 429. Both are problem+json naming the quota, its limit and what was requested.
 */
@ApplicationScoped
public class Quotas {

    public static final String STEP_PARAMETERS = "stepParametersPerExperiment";
    public static final String RUNS = "runsPerExperiment";
    public static final String CONCURRENT = "concurrentRuns";
    public static final String DATASET = "datasetSize";

    @Inject
    QuotaConfig config;
    @Inject
    TenantStore tenants;

    /** A tenant's effective quotas. */
    public record Limits(long stepParametersPerExperiment, int runsPerExperiment, int concurrentRuns, long datasetSize) {
    }

    /** What one experiment asks for. */
    public record Demand(long runs, long stepParameters, long largestDataset) {
    }

    public Limits of(String tenant) {
        TenantStore.Tenant t = tenants.find(tenant);
        TenantStore.QuotaOverrides o = t == null ? TenantStore.QuotaOverrides.NONE : t.quotas();
        return new Limits(
                o.stepParametersPerExperiment() != null ? o.stepParametersPerExperiment() : config.stepParametersPerExperiment(),
                o.runsPerExperiment() != null ? o.runsPerExperiment() : config.runsPerExperiment(),
                o.concurrentRuns() != null ? o.concurrentRuns() : config.concurrentRuns(),
                o.datasetSize() != null ? o.datasetSize() : config.datasetSize());
    }

    /** Runs, Σ steps × parameters and the largest dataset of a (valid) spec, cell by cell. */
    public static Demand demand(ExperimentSpec spec) {
        ExperimentSpec full = spec.withDefaults();
        List<Map<String, Object>> cells = SweepExpander.cells(full.sweep());
        long seeds = full.seeds().size();
        long stepParams = 0;
        long largest = 0;
        for (Map<String, Object> cell : cells) {
            RunSpec run = SweepExpander.apply(full, cell, 0L);
            stepParams = saturatingAdd(stepParams, saturatingMul(SpecSize.stepParameters(run), seeds));
            largest = Math.max(largest, SpecSize.datasetSize(run.data()));
        }
        return new Demand(saturatingMul(cells.size(), seeds), stepParams, largest);
    }

    /** 422 when the experiment alone is over one of the tenant's per-experiment quotas. */
    public void checkExperiment(String tenant, ExperimentSpec spec) {
        check(of(tenant), spec);
    }

    /** The same check against given quotas (pure; unit-tested and fuzzed). */
    public static void check(Limits l, ExperimentSpec spec) {
        Demand d = demand(spec);
        if (d.runs() > l.runsPerExperiment()) {
            throw ProblemException.quota(422, RUNS, l.runsPerExperiment(), d.runs(),
                    "the experiment has " + d.runs() + " runs (cells × seeds)");
        }
        if (d.largestDataset() > l.datasetSize()) {
            throw ProblemException.quota(422, DATASET, l.datasetSize(), d.largestDataset(),
                    "a run's dataset has " + d.largestDataset() + " sequences × sequence length");
        }
        if (d.stepParameters() > l.stepParametersPerExperiment()) {
            throw ProblemException.quota(422, STEP_PARAMETERS, l.stepParametersPerExperiment(), d.stepParameters(),
                    "the experiment's runs train Σ steps × parameters = " + d.stepParameters());
        }
    }

    /**
     * 429 when the tenant's runs not yet ended plus {@code newRuns} would pass its concurrent-runs quota. Call it in the
     * transaction that plans the runs: it holds the tenant's lock until the commit.
     */
    public void reserve(String tenant, long newRuns) {
        tenants.lock(tenant);
        Limits l = of(tenant);
        ProblemException over = overConcurrent(l, tenants.activeRuns(tenant), newRuns);
        if (over != null) {
            throw over;
        }
    }

    /**
     * The 429 for {@code newRuns} more runs when {@code active} are in flight, or null when the tenant's
     * concurrent-runs quota admits them (pure).
     */
    public static ProblemException overConcurrent(Limits l, long active, long newRuns) {
        if (active + newRuns <= l.concurrentRuns()) {
            return null;
        }
        return ProblemException.quota(429, CONCURRENT, l.concurrentRuns(), active + newRuns,
                active + " runs are planned or training and this request adds " + newRuns
                        + "; wait for some to finish or cancel them");
    }

    static long saturatingMul(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    static long saturatingAdd(long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
