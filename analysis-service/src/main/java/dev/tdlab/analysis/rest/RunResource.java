package dev.tdlab.analysis.rest;

import dev.tdlab.analysis.store.ExperimentStore;
import dev.tdlab.analysis.store.RunEntity;
import dev.tdlab.analysis.verdict.Downsample;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs: one run, its metrics (downsampled on the server), its verdict. */
@Path("/api/v1/runs")
@Produces(MediaType.APPLICATION_JSON)
@io.quarkus.security.Authenticated
public class RunResource {

    @Inject
    dev.tdlab.analysis.security.Access access;

    @Inject
    ExperimentStore store;

    @GET
    @Path("/{id}")
    public Map<String, Object> get(@PathParam("id") String id) {
        return store.runView(found(id));
    }

    /**
     * {@code names} comma-separated (default: all the run has), steps in [from, to], at most maxPoints
     * points per metric: every point if the range has that few, else the min and max of each step bucket
     * (store/MetricStore). NaN/infinite values are returned as the strings "NaN", "Infinity", "-Infinity".
     * An unknown run is a 404; then a bad parameter, or a name the run never reported, is a 400 naming it.
     */
    @GET
    @Path("/{id}/metrics")
    public Map<String, Object> metrics(@PathParam("id") String id,
                                       @QueryParam("names") String names,
                                       @QueryParam("from") String from,
                                       @QueryParam("to") String to,
                                       @QueryParam("maxPoints") String maxPoints) {
        found(id);
        MetricQuery q = MetricQuery.parse(names, from, to, maxPoints);
        List<String> wanted = q.resolve(store.metricNames(id));
        Map<String, Object> series = new LinkedHashMap<>();
        for (String name : wanted) {
            List<Downsample.Point> pts = store.metric(id, name, q.from(), q.to(), q.maxPoints());
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
        Map<String, Object> view = store.runView(r);
        for (String k : List.of("gapLow", "gapHigh", "convergenceRate", "stepsNearSaddle", "plateaus")) {
            out.put(k, view.get(k));
        }
        return out;
    }

    /** The run if this caller may see its experiment; another tenant's run is a 404 like an unknown one. */
    private RunEntity found(String id) {
        return access.run(id);
    }
}
