package dev.tdlab.analysis.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tdlab.analysis.messaging.Outbox;
import dev.tdlab.analysis.security.Access;
import dev.tdlab.analysis.security.Caller;
import dev.tdlab.analysis.security.Quotas;
import dev.tdlab.analysis.security.RequestLimits;
import io.quarkus.security.Authenticated;
import dev.tdlab.analysis.store.ExperimentEntity;
import dev.tdlab.analysis.store.ExperimentStore;
import dev.tdlab.contracts.spec.Violation;
import jakarta.inject.Inject;
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

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Experiments: submit (JSON or YAML), list, read with runs and cells, cancel; a tenant's own only. */
@Path("/api/v1/experiments")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class ExperimentResource {

    static final Set<String> STATUSES = Set.of("PLANNED", "RUNNING", "FINISHED", "FAILED", "CANCELLED");

    @Inject
    ExperimentStore store;
    @Inject
    Outbox outbox;
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
    public Response submit(String body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
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
        ExperimentStore.Created c = store.create(parsed.spec(), parsed.tree(), tenant); // 429: too many runs in flight
        outbox.relayNow(); // publish at once; the scheduled relay retries if Kafka is away
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", c.id());
        out.put("status", "PLANNED");
        out.put("runCount", c.runCount());
        return Response.created(uri.getAbsolutePathBuilder().path(c.id()).build()).entity(out).build();
    }

    @GET
    public Map<String, Object> list(@QueryParam("page") String pageParam,
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
        return store.list(page, size, status, name, caller.scope()); // a tenant lists only its own
    }

    @GET
    @Path("/{id}")
    public Map<String, Object> get(@PathParam("id") String id) {
        return store.view(found(id));
    }

    /** Cancel: the experiment and its unfinished runs become CANCELLED. */
    @DELETE
    @Path("/{id}")
    public Map<String, Object> cancel(@PathParam("id") String id) {
        ExperimentEntity e = found(id);
        boolean changed = store.cancel(id);
        outbox.relayNow();
        // the entity read above is this request's copy (the cancel committed in its own transaction)
        return Map.of("id", id, "status", changed ? "CANCELLED" : e.status, "cancelled", changed);
    }

    /** Plans the FAILED and CANCELLED runs again; idempotent (a second call with nothing failed changes nothing). */
    @POST
    @Path("/{id}/rerun")
    public Map<String, Object> rerun(@PathParam("id") String id) {
        ExperimentEntity e = found(id);
        int n = store.rerun(id);
        outbox.relayNow();
        return Map.of("id", id, "rerunRuns", n, "status", n > 0 ? "RUNNING" : e.status);
    }

    /** The experiment if this caller may see it; another tenant's id is a 404 like an unknown one. */
    private ExperimentEntity found(String id) {
        return access.experiment(id);
    }

    static ProblemException bad(String field, String message) {
        return new ProblemException(400, "Bad request", field + " " + message, List.of(new Violation(field, message)));
    }
}
