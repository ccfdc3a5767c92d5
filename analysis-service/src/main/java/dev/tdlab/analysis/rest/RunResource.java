package dev.tdlab.analysis.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tdlab.analysis.mapping.ExternalRunViews;
import dev.tdlab.analysis.mapping.Responses;
import dev.tdlab.analysis.mapping.RunView;
import dev.tdlab.analysis.mapping.Views;
import dev.tdlab.analysis.security.Access;
import dev.tdlab.analysis.service.ExternalRuns;
import dev.tdlab.analysis.service.RunDatasets;
import dev.tdlab.analysis.store.ExperimentStore;
import io.quarkus.security.Authenticated;
import dev.tdlab.analysis.store.RunEntity;
import dev.tdlab.analysis.verdict.Downsample;
import jakarta.inject.Inject;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs: one run, its metrics (downsampled on the server), its verdict; for runs trained outside the lab
 * ({@code train.external: true}) also their dataset (proxied from data-gen), metric logging and their end.
 */
@Path("/api/v1/runs")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
public class RunResource {

    @Inject
    Access access;

    @Inject
    ExperimentStore store;
    @Inject
    Views views;
    @Inject
    ExternalRuns externalRuns;
    @Inject
    RunDatasets datasets;

    @GET
    @Path("/{id}")
    @Operation(operationId = "getRun", description = "A run: cell, seed, status, baselines, losses, verdict with its tolerance and gap interval, convergence, findings.")
    @Tag(name = "runs")
    public RunView get(@PathParam("id") String id) {
        return views.run(found(id));
    }

    /**
     * {@code names} comma-separated (default: all the run has), steps in [from, to], at most maxPoints
     * points per metric: every point if the range has that few, else the min and max of each step bucket
     * (store/MetricStore). NaN/infinite values are returned as the strings "NaN", "Infinity", "-Infinity".
     * An unknown run is a 404; then a bad parameter, or a name the run never reported, is a 400 naming it.
     */
    @GET
    @Path("/{id}/metrics")
    @Operation(operationId = "getRunMetrics", description = "A run's metric series, at most maxPoints points each (exact min and max of each step bucket when downsampled); NaN and infinities as strings.")
    @Tag(name = "runs")
    public Responses.RunMetrics metrics(@PathParam("id") String id,
                                        @QueryParam("names") String names,
                                        @QueryParam("from") String from,
                                        @QueryParam("to") String to,
                                        @QueryParam("maxPoints") String maxPoints) {
        found(id);
        MetricQuery q = MetricQuery.parse(names, from, to, maxPoints);
        List<String> wanted = q.resolve(store.metricNames(id));
        Map<String, Responses.Series> series = new LinkedHashMap<>();
        for (String name : wanted) {
            List<Downsample.Point> pts = store.metric(id, name, q.from(), q.to(), q.maxPoints());
            List<Integer> steps = new ArrayList<>(pts.size());
            List<Object> values = new ArrayList<>(pts.size());
            for (Downsample.Point p : pts) {
                steps.add(p.step());
                values.add(Double.isFinite(p.value()) ? (Object) p.value() : Double.toString(p.value()));
            }
            series.put(name, new Responses.Series(steps, values));
        }
        return new Responses.RunMetrics(id, series);
    }

    @GET
    @Path("/{id}/verdict")
    @Operation(operationId = "getRunVerdict", description = "A run's verdict and the numbers behind it.")
    @Tag(name = "runs")
    public Responses.RunVerdictView verdict(@PathParam("id") String id) {
        return views.verdict(found(id));
    }

    /**
     * Logs one batch of metric points of an external run, atomically: {@code {"batchId", "metrics": [{name, step,
     * value}]}}, at most 10,000 points (rest/ExternalRunRequests). A batch id sent again changes nothing
     * ({@code applied: false}), so a client retries safely. 400 naming every bad field, 404 for an unknown run, 409
     * when the run is trained by the lab or has ended.
     */
    @POST
    @Path("/{id}/metrics")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "logRunMetrics", description = "Logs one batch of metric points of a run trained outside"
            + " the lab (train.external: true), atomically and idempotently by its client-chosen batchId: at most"
            + " 10,000 points {name, step, value}; 400 naming every bad field, 409 if the run is the lab's or has ended.")
    @Tag(name = "external runs")
    public ExternalRunViews.MetricsLogged logMetrics(@PathParam("id") String id, @RequestBody(required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = OpenApiSchemas.MetricsBatch.class)))
            JsonNode body) {
        found(id);
        ExternalRunRequests.Batch b = ExternalRunRequests.metrics(body);
        return externalRuns.log(id, b.batchId(), b.metrics(), b.points());
    }

    /**
     * Ends an external run: {@code {"status": "FINISHED"}} (optionally finalEvalLoss, finalEvalStdErr, finalTrainLoss,
     * secondsElapsed; the final eval loss defaults to the last logged eval_loss, which must be at the last step) or
     * {@code {"status": "FAILED", "error": "..."}}. Returns the run, with its verdict when its baselines are known.
     */
    @POST
    @Path("/{id}/finish")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "finishRun", description = "Ends a run trained outside the lab (FINISHED with its final"
            + " eval loss, by default the last logged eval_loss, or FAILED with an error) and returns it with its verdict.")
    @Tag(name = "external runs")
    public RunView finish(@PathParam("id") String id, @RequestBody(required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = OpenApiSchemas.FinishRun.class)))
            JsonNode body) {
        found(id);
        return externalRuns.finish(id, ExternalRunRequests.finish(body));
    }

    /** The run's data spec and seed, its dataset's metadata (data-gen's) and the URLs of its shards; 409 before it is ready. */
    @GET
    @Path("/{id}/dataset")
    @Operation(operationId = "getRunDataset", description = "The run's data spec and seed, data-gen's metadata of its"
            + " dataset (format, baselines, theory) and the paths of its shards; 409 until the dataset is made.")
    @Tag(name = "external runs")
    public ExternalRunViews.RunDataset dataset(@PathParam("id") String id) {
        return datasets.describe(found(id), "");
    }

    /**
     * Shard {@code n} of the run's dataset, streamed from data-gen with its headers (X-Encoding, X-Sequences, X-Split,
     * X-Checksum-SHA256, X-Family); train shards first, then eval shards; encodings as in data-gen's README.
     */
    @GET
    @Path("/{id}/dataset/shards/{n}")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @Operation(operationId = "getRunDatasetShard", description = "Shard n of the run's dataset (train shards, then eval"
            + " shards), streamed from data-gen with its X-Encoding, X-Sequences, X-Split, X-Checksum-SHA256 headers.")
    @Tag(name = "external runs")
    public Response shard(@PathParam("id") String id, @PathParam("n") int n) {
        RunDatasets.Shard s = datasets.shard(found(id), n);
        Response.ResponseBuilder b = Response.ok(s.body(), MediaType.APPLICATION_OCTET_STREAM_TYPE);
        s.headers().forEach(b::header);
        return b.build();
    }

    /** The run if this caller may see its experiment; another tenant's run is a 404 like an unknown one. */
    private RunEntity found(String id) {
        return access.run(id);
    }
}
