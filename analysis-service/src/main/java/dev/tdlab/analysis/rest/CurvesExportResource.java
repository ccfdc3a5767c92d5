package dev.tdlab.analysis.rest;

import dev.tdlab.analysis.security.Access;
import dev.tdlab.analysis.service.Experiments;
import dev.tdlab.analysis.store.CurveStore;
import dev.tdlab.analysis.store.ExperimentEntity;
import dev.tdlab.analysis.store.RunEntity;
import dev.tdlab.analysis.mapping.Views;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Every curve of an experiment in long format, one CSV row per metric point: {@code experiment, run, <one column per
 * swept parameter, by its dotted name>, seed, metric, step, value} (NaN and infinities as {@code NaN},
 * {@code Infinity}, {@code -Infinity}). Streamed: rows are written as the database cursor yields them.
 */
@Path("/api/v1/experiments")
@Authenticated
public class CurvesExportResource {

    @Inject
    Access access;
    @Inject
    Experiments experiments;
    @Inject
    CurveStore curves;
    @Inject
    Views views;

    @GET
    @Path("/{id}/curves.csv")
    @Produces("text/csv")
    @Operation(operationId = "exportExperimentCurves", description = "Every metric point of every run of the experiment"
            + " in long format (experiment, run, swept parameters, seed, metric, step, value), streamed as CSV.")
    @Tag(name = "reports")
    public Response curves(@PathParam("id") String id) {
        ExperimentEntity e = access.experiment(id);
        List<RunEntity> runs = experiments.runs(e.id);
        TreeSet<String> axes = new TreeSet<>();
        Map<String, Map<String, Object>> cells = new HashMap<>();
        Map<String, Long> seeds = new HashMap<>();
        List<String> ids = new ArrayList<>();
        for (RunEntity r : runs) {
            Map<String, Object> cell = r.cellJson == null ? Map.of() : views.cell(r);
            cells.put(r.id, cell);
            seeds.put(r.id, r.seed);
            axes.addAll(cell.keySet());
            ids.add(r.id);
        }
        StreamingOutput body = out -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            List<String> axisList = new ArrayList<>(axes);
            w.write(CurvesCsv.header(axisList));
            Map<String, String> prefix = new HashMap<>(); // "experiment,run,<cell>,seed," of each run
            for (String run : ids) {
                prefix.put(run, CurvesCsv.prefix(e.id, run, axisList, cells.get(run), seeds.get(run)));
            }
            try {
                curves.stream(ids, (run, name, step, value) -> CurvesCsv.point(w, prefix.get(run), name, step, value));
            } catch (java.io.IOException | RuntimeException ex) {
                throw ex;
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
            w.flush();
        };
        return Response.ok(body).header("Content-Disposition", "attachment; filename=\"" + id + "-curves.csv\"").build();
    }
}
