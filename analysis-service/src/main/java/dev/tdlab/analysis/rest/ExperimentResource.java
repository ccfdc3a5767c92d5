package dev.tdlab.analysis.rest;

import dev.tdlab.analysis.messaging.Outbox;
import dev.tdlab.analysis.store.ExperimentEntity;
import dev.tdlab.analysis.store.ExperimentStore;
import dev.tdlab.contracts.spec.Violation;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
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

/** Experiments: submit (JSON or YAML), list, read with runs and cells, cancel. */
@Path("/api/v1/experiments")
@Produces(MediaType.APPLICATION_JSON)
public class ExperimentResource {

    static final Set<String> STATUSES = Set.of("PLANNED", "RUNNING", "FINISHED", "FAILED", "CANCELLED");

    @Inject
    ExperimentStore store;
    @Inject
    Outbox outbox;

    @POST
    @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml", "text/yaml", MediaType.TEXT_PLAIN})
    public Response submit(String body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                           @QueryParam("template") String template, @Context UriInfo uri) {
        boolean yaml = contentType != null && contentType.toLowerCase().contains("yaml");
        SpecParser.Parsed parsed = template == null || template.isBlank()
                ? SpecParser.parse(body, yaml)
                : SpecParser.parseTree(Templates.resolve(template,
                        body == null || body.isBlank() ? null : SpecParser.readTree(body, yaml)));
        ExperimentStore.Created c = store.create(parsed.spec(), parsed.tree());
        outbox.relayNow(); // publish at once; the scheduled relay retries if Kafka is away
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", c.id());
        out.put("status", "PLANNED");
        out.put("runCount", c.runCount());
        return Response.created(uri.getAbsolutePathBuilder().path(c.id()).build()).entity(out).build();
    }

    @GET
    public Map<String, Object> list(@QueryParam("page") @DefaultValue("0") int page,
                                    @QueryParam("size") @DefaultValue("20") int size,
                                    @QueryParam("status") String status,
                                    @QueryParam("name") String name) {
        if (page < 0) {
            throw bad("page", "must be ≥ 0");
        }
        if (size < 1 || size > 200) {
            throw bad("size", "must be in [1, 200]");
        }
        if (status != null && !status.isBlank() && !STATUSES.contains(status)) {
            throw bad("status", "must be one of " + STATUSES.stream().sorted().toList());
        }
        return store.list(page, size, status, name);
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
        found(id);
        boolean changed = store.cancel(id);
        outbox.relayNow();
        ExperimentEntity e = found(id);
        return Map.of("id", id, "status", e.status, "cancelled", changed);
    }

    /** Plans the FAILED and CANCELLED runs again; idempotent (a second call with nothing failed changes nothing). */
    @POST
    @Path("/{id}/rerun")
    public Map<String, Object> rerun(@PathParam("id") String id) {
        found(id);
        int n = store.rerun(id);
        outbox.relayNow();
        return Map.of("id", id, "rerunRuns", n, "status", found(id).status);
    }

    private ExperimentEntity found(String id) {
        ExperimentEntity e = store.find(id);
        if (e == null) {
            throw ProblemException.notFound("no experiment " + id);
        }
        return e;
    }

    static ProblemException bad(String field, String message) {
        return new ProblemException(400, "Bad request", field + " " + message, List.of(new Violation(field, message)));
    }
}
