package dev.tdlab.analysis.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.mapping.DashboardViews;
import dev.tdlab.analysis.mapping.Views;
import dev.tdlab.analysis.security.Access;
import dev.tdlab.analysis.service.CellAggregates;
import dev.tdlab.analysis.store.DashboardStore;
import dev.tdlab.analysis.store.ExperimentEntity;
import dev.tdlab.analysis.store.ExperimentStore;
import dev.tdlab.analysis.store.RunEntity;
import dev.tdlab.analysis.verdict.Downsample;
import dev.tdlab.contracts.events.CellAggregate;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The dashboard's queries on one experiment: its cached cell aggregates, phase diagram and claims without its runs;
 * the aggregates of a few cells (what a verdict changed); the metric names its runs reported; one metric of every
 * run in one response. The run search across experiments: {@link SearchResource}.
 */
@Path("/api/v1/experiments")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
public class DashboardResource {

    static final Pattern METRIC = Pattern.compile("[A-Za-z0-9_./ -]{1,250}");

    @Inject
    Access access;
    @Inject
    CellAggregates aggregates;
    @Inject
    DashboardStore dashboard;
    @Inject
    ExperimentStore store;
    @Inject
    Views views;
    @Inject
    ObjectMapper mapper;

    @GET
    @Path("/{id}/aggregates")
    @Operation(operationId = "getExperimentAggregates", description = "The experiment without its runs: per-cell"
            + " aggregates (cached; only the cells whose runs changed are recomputed), the phase diagram of a"
            + " two-numeric-axis sweep and the seed papers' claims.")
    @Tag(name = "dashboard")
    public DashboardViews.Aggregates aggregates(@PathParam("id") String id) {
        ExperimentEntity e = access.experiment(id);
        List<CellAggregate> cells = aggregates.cells(e);
        return new DashboardViews.Aggregates(e.id, e.status, e.runCount, cells, ReportResource.phase(cells),
                aggregates.claims(e));
    }

    @GET
    @Path("/{id}/cells")
    @Operation(operationId = "getExperimentCells", description = "The aggregates of the cells named in ids"
            + " (comma-separated cell ids; absent: every cell), from the cache; an id the experiment does not have is"
            + " a 400.")
    @Tag(name = "dashboard")
    public DashboardViews.Cells cells(@PathParam("id") String id, @QueryParam("ids") String ids) {
        ExperimentEntity e = access.experiment(id);
        Set<String> wanted = null;
        if (ids != null && !ids.isBlank()) {
            wanted = new LinkedHashSet<>(Arrays.stream(ids.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
        }
        List<CellAggregate> cells = aggregates.cells(e, wanted);
        if (wanted != null && cells.size() < wanted.size()) {
            Set<String> missing = new TreeSet<>(wanted);
            cells.forEach(c -> missing.remove(c.cellId()));
            throw Params.bad("ids", "unknown cell " + String.join(", ", missing) + " of experiment " + id);
        }
        return new DashboardViews.Cells(e.id, cells);
    }

    @GET
    @Path("/{id}/metric-names")
    @Operation(operationId = "getExperimentMetricNames", description = "Every metric name any run of the experiment"
            + " reported (train_loss, eval_loss, eval_exact_loss, eval_excess, gradient norms, ...), sorted, with the"
            + " number of runs that reported it.")
    @Tag(name = "dashboard")
    public DashboardViews.MetricNames metricNames(@PathParam("id") String id) {
        ExperimentEntity e = access.experiment(id);
        List<DashboardViews.MetricName> out = new ArrayList<>();
        dashboard.metricNames(e.id).forEach((name, n) -> out.add(new DashboardViews.MetricName(name, n)));
        return new DashboardViews.MetricNames(e.id, out);
    }

    @GET
    @Path("/{id}/curves")
    @Operation(operationId = "getExperimentCurves", description = "One metric of every run of the experiment that"
            + " reported it, in one response: at most maxPoints points per run (default 300, range [2, 5000]; exact"
            + " min and max of each step bucket when downsampled), NaN and infinities as strings.")
    @Tag(name = "dashboard")
    public DashboardViews.Curves curves(@PathParam("id") String id, @QueryParam("metric") String metric,
                                        @QueryParam("maxPoints") String maxPoints) {
        ExperimentEntity e = access.experiment(id);
        if (metric == null || !METRIC.matcher(metric).matches()) {
            throw Params.bad("metric", "is required: a metric name of at most 250 characters of [A-Za-z0-9_./ -]");
        }
        int max = Params.integer("maxPoints", maxPoints, 300, 2, 5000);
        List<DashboardViews.RunCurve> out = new ArrayList<>();
        // the runs with at most max points in one query; the others downsampled one by one
        DashboardStore.SmallSeries small = dashboard.smallSeries(e.id, metric, max);
        Set<String> more = Set.copyOf(small.more());
        for (RunEntity r : store.runs(e.id)) {
            List<Downsample.Point> pts = more.contains(r.id) ? store.metric(r.id, metric, 0, Integer.MAX_VALUE, max)
                    : small.points().getOrDefault(r.id, List.of());
            if (pts.isEmpty()) {
                continue;
            }
            List<Integer> steps = new ArrayList<>(pts.size());
            List<Object> values = new ArrayList<>(pts.size());
            for (Downsample.Point p : pts) {
                steps.add(p.step());
                values.add(Double.isFinite(p.value()) ? (Object) p.value() : Double.toString(p.value()));
            }
            out.add(new DashboardViews.RunCurve(r.id, r.cellId, views.cell(r), r.seed, r.verdict, steps, values));
        }
        return new DashboardViews.Curves(e.id, metric, max, out);
    }
}
