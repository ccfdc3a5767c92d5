package dev.tdlab.analysis.rest;

import dev.tdlab.analysis.store.ExperimentStore;
import dev.tdlab.analysis.store.RunEntity;
import dev.tdlab.analysis.verdict.Downsample;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs: one run, its metrics (downsampled on the server), its verdict. */
@Path("/api/v1/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    @Inject
    ExperimentStore store;

    @GET
    @Path("/{id}")
    public Map<String, Object> get(@PathParam("id") String id) {
        return store.runView(found(id));
    }

    /**
     * {@code names} comma-separated (default: all), steps in [from, to], at most maxPoints points per
     * metric (min and max per bucket are kept). NaN/infinite values are returned as the strings
     * "NaN", "Infinity", "-Infinity".
     */
    @GET
    @Path("/{id}/metrics")
    public Map<String, Object> metrics(@PathParam("id") String id,
                                       @QueryParam("names") String names,
                                       @QueryParam("from") @DefaultValue("0") int from,
                                       @QueryParam("to") @DefaultValue("2147483647") int to,
                                       @QueryParam("maxPoints") @DefaultValue("1000") int maxPoints) {
        found(id);
        if (from > to) {
            throw ExperimentResource.bad("from", "must be ≤ to");
        }
        if (maxPoints < 2 || maxPoints > 100_000) {
            throw ExperimentResource.bad("maxPoints", "must be in [2, 100000]");
        }
        List<String> wanted = names == null || names.isBlank() ? store.metricNames(id)
                : Arrays.stream(names.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        Map<String, Object> series = new LinkedHashMap<>();
        for (String name : wanted) {
            List<Downsample.Point> pts = store.metric(id, name, from, to, maxPoints);
            List<Integer> steps = new ArrayList<>(pts.size());
            List<Object> values = new ArrayList<>(pts.size());
            for (Downsample.Point p : pts) {
                steps.add(p.step());
                values.add(Double.isFinite(p.value()) ? (Object) p.value() : Double.toString(p.value()));
            }
            series.put(name, Map.of("steps", steps, "values", values));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runId", id);
        out.put("metrics", series);
        return out;
    }

    @GET
    @Path("/{id}/verdict")
    public Map<String, Object> verdict(@PathParam("id") String id) {
        RunEntity r = found(id);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runId", r.id);
        out.put("verdict", r.verdict);
        out.put("finalEvalLoss", r.finalEvalLoss);
        out.put("optimum", r.entropyRate);
        out.put("unigramEntropy", r.unigramEntropy);
        out.put("gapToOptimum", r.gapToOptimum);
        out.put("tolerance", r.tolerance);
        out.put("convergenceStep", r.convergenceStep);
        return out;
    }

    private RunEntity found(String id) {
        RunEntity r = RunEntity.findById(id);
        if (r == null) {
            throw ProblemException.notFound("no run " + id);
        }
        return r;
    }
}
