package dev.tdlab.analysis.security;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tdlab.analysis.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Iterator;
import java.util.Map;

/**
 * The shape of a submitted spec, checked on its tree before it is validated or expanded (both cost in proportion to
 * the sweep): seeds, sweep axes (its depth), values per axis, cells × seeds. Each refusal is a 400 problem+json that
 * names the limit's config key and value.
 */
@ApplicationScoped
public class RequestLimits {

    @Inject
    LimitsConfig config;

    public void check(JsonNode spec) {
        check(spec, config.maxSweepRuns(), config.maxSweepAxes(), config.maxSweepValues(), config.maxSeeds());
    }

    /** The same check with explicit limits (pure; unit-tested). */
    public static void check(JsonNode spec, int maxRuns, int maxAxes, int maxValues, int maxSeeds) {
        if (spec == null || !spec.isObject()) {
            return; // the parser names it
        }
        long seeds = 1;
        JsonNode s = spec.get("seeds");
        if (s != null && s.isArray()) {
            if (s.size() > maxSeeds) {
                throw ProblemException.limit(400, "seeds", "tdlab.limits.max-seeds", maxSeeds, s.size(),
                        "lists " + s.size() + " seeds");
            }
            seeds = Math.max(1, s.size());
        }
        JsonNode sweep = spec.get("sweep");
        if (sweep == null || !sweep.isObject()) {
            return;
        }
        if (sweep.size() > maxAxes) {
            throw ProblemException.limit(400, "sweep", "tdlab.limits.max-sweep-axes", maxAxes, sweep.size(),
                    "sweeps " + sweep.size() + " fields");
        }
        long runs = seeds;
        for (Iterator<Map.Entry<String, JsonNode>> it = sweep.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> axis = it.next();
            int n = axis.getValue().isArray() ? axis.getValue().size() : 1;
            if (n > maxValues) {
                throw ProblemException.limit(400, "sweep." + axis.getKey(), "tdlab.limits.max-sweep-values", maxValues, n,
                        "lists " + n + " values");
            }
            runs = Quotas.saturatingMul(runs, Math.max(1, n));
        }
        if (runs > maxRuns) {
            throw ProblemException.limit(400, "sweep", "tdlab.limits.max-sweep-runs", maxRuns, runs,
                    "makes " + runs + " runs (cells × seeds)");
        }
    }
}
