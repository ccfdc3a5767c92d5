package dev.tdlab.analysis.rest;

import dev.tdlab.analysis.problem.ProblemException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tdlab.analysis.security.Access;
import dev.tdlab.analysis.security.Caller;
import dev.tdlab.analysis.security.Quotas;
import dev.tdlab.analysis.security.RequestLimits;
import io.quarkus.security.Authenticated;
import dev.tdlab.analysis.store.ExperimentEntity;
import dev.tdlab.analysis.mapping.ExperimentView;
import dev.tdlab.analysis.mapping.Responses;
import dev.tdlab.analysis.service.Experiments;
import dev.tdlab.contracts.spec.Violation;
import dev.tdlab.contracts.spec.ExperimentSpec;
import jakarta.inject.Inject;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import java.util.List;
import java.util.Set;

/** Experiments: submit (JSON or YAML), list, read with runs and cells, cancel; a tenant's own only. */
@Path("/api/v1/experiments")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class ExperimentResource {

    static final Set<String> STATUSES = Set.of("PLANNED", "RUNNING", "FINISHED", "FAILED", "CANCELLED");

    @Inject
    Experiments experiments;
    @Inject
    Caller caller;
    @Inject
    Access access;
    @Inject
    Quotas quotas;
    @Inject
    RequestLimits limits;

    @POST
    @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml", "text/yaml", MediaType.TEXT_PLAIN})
    @Operation(operationId = "submitExperiment", description = "Submits an experiment spec (JSON, or YAML with Content-Type application/yaml; ?template=NAME with a body of overrides): its sweep is expanded into runs, planned in one transaction. 201 with the id; 400 naming every bad field; 422 over a quota; 429 with too many runs in flight.")
    @Tag(name = "experiments")
    @APIResponse(responseCode = "201", description = "planned",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Responses.Submitted.class)))
    public Response submit(@RequestBody(required = true, description = "the spec (with ?template=NAME: overrides of the template's spec)",
            content = {@Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ExperimentSpec.class)),
                    @Content(mediaType = "application/yaml", schema = @Schema(implementation = ExperimentSpec.class))})
            String body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                           @QueryParam("template") String template, @Context UriInfo uri) {
        boolean yaml = contentType != null && contentType.toLowerCase().contains("yaml");
        String tenant = caller.tenant();
        JsonNode tree;
        if (template == null || template.isBlank()) {
            if (body == null || body.isBlank()) {
                throw ProblemException.badSpec(List.of(new Violation("", "the body is empty; send an experiment spec")));
            }
            tree = SpecParser.readTree(body, yaml);
        } else {
            tree = Templates.resolve(template, body == null || body.isBlank() ? null : SpecParser.readTree(body, yaml));
        }
        limits.check(tree);                               // 400: the request's own size (sweep, seeds)
        SpecParser.Parsed parsed = SpecParser.parseTree(tree); // 400: every bad field
        quotas.checkExperiment(tenant, parsed.spec());    // 422: over the tenant's per-experiment quotas
        Responses.Submitted c = experiments.submit(parsed.spec(), parsed.tree(), tenant); // 429: too many runs in flight
        return Response.created(uri.getAbsolutePathBuilder().path(c.id()).build()).entity(c).build();
    }

    @GET
    @Operation(operationId = "listExperiments", description = "The caller's experiments (the admin: every tenant's), newest first, a page at a time, filtered by status and a name substring.")
    @Tag(name = "experiments")
    public Responses.ExperimentPage list(@QueryParam("page") String pageParam,
                                         @QueryParam("size") String sizeParam,
                                         @QueryParam("status") String status,
                                         @QueryParam("name") String name) {
        int page = Params.integer("page", pageParam, 0, 0, 1_000_000);
        int size = Params.integer("size", sizeParam, 20, 1, 200);
        if (status != null && !status.isBlank() && !STATUSES.contains(status)) {
            throw bad("status", "must be one of " + STATUSES.stream().sorted().toList());
        }
        if (name != null && name.length() > 200) {
            throw bad("name", "must be at most 200 characters");
        }
        return experiments.list(page, size, status, name, caller.scope()); // a tenant lists only its own
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getExperiment", description = "An experiment: its spec, its runs with their verdicts, per-cell aggregates and the seed papers' claims judged on it.")
    @Tag(name = "experiments")
    public ExperimentView get(@PathParam("id") String id) {
        return experiments.view(found(id));
    }

    /** Cancel: the experiment and its unfinished runs become CANCELLED. */
    @DELETE
    @Path("/{id}")
    @Operation(operationId = "cancelExperiment", description = "Cancels an experiment: it and its unfinished runs become CANCELLED; the trainer stops them at its next heartbeat.")
    @Tag(name = "experiments")
    public Responses.Cancelled cancel(@PathParam("id") String id) {
        return experiments.cancel(found(id));
    }

    /** Plans the FAILED and CANCELLED runs again; idempotent (a second call with nothing failed changes nothing). */
    @POST
    @Path("/{id}/rerun")
    @Operation(operationId = "rerunExperiment", description = "Plans the FAILED and CANCELLED runs of an experiment again (same run ids).")
    @Tag(name = "experiments")
    public Responses.Rerun rerun(@PathParam("id") String id) {
        return experiments.rerun(found(id));
    }

    /** The experiment if this caller may see it; another tenant's id is a 404 like an unknown one. */
    private ExperimentEntity found(String id) {
        return access.experiment(id);
    }

    static ProblemException bad(String field, String message) {
        return new ProblemException(400, "Bad request", field + " " + message, List.of(new Violation(field, message)));
    }
}
