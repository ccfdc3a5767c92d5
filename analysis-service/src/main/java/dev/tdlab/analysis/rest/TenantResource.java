package dev.tdlab.analysis.rest;

import dev.tdlab.analysis.security.Tokens;
import dev.tdlab.analysis.mapping.Responses;
import dev.tdlab.analysis.problem.ProblemException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.security.Caller;
import dev.tdlab.analysis.security.Quotas;
import dev.tdlab.analysis.store.TenantStore;
import dev.tdlab.contracts.spec.Violation;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Tenants and their API tokens. The admin (the token of {@code tdlab.auth.admin-token}) creates tenants, sets their
 * quotas and issues tokens; a token is returned once, only its hash is kept. A tenant's own token may read its tenant
 * and its token list and revoke its tokens; any other tenant's id answers 404, as for experiments.
 * {@code GET /api/v1/me} tells any caller who it is, its quotas and its runs in flight.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
public class TenantResource {

    static final Pattern TENANT_ID = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");
    static final Set<String> QUOTA_FIELDS = Set.of(Quotas.STEP_PARAMETERS, Quotas.RUNS, Quotas.CONCURRENT, Quotas.DATASET);

    @Inject
    TenantStore tenants;
    @Inject
    Quotas quotas;
    @Inject
    Caller caller;
    @Inject
    ObjectMapper mapper;

    @GET
    @Path("/me")
    @Operation(operationId = "getMe", description = "Who the caller is: admin or tenant, the tenant's quotas and its runs in flight.")
    @Tag(name = "tenants")
    public Responses.Me me() {
        String t = caller.tenant();
        return new Responses.Me(caller.admin(), t, quotas.of(t), tenants.activeRuns(t));
    }

    /** {@code {"id": "alice", "name": "Alice's lab", "quotas": {"concurrentRuns": 100}}} → 201; 409 when the id is taken. */
    @POST
    @Path("/tenants")
    @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN})
    @Operation(operationId = "createTenant", description = "Creates a tenant with optional quota overrides (admin only); 409 if the id is taken.")
    @Tag(name = "tenants")
    public Response create(String body, @Context UriInfo uri) {
        adminOnly();
        JsonNode req = object(body);
        List<Violation> bad = new ArrayList<>();
        unknown(req, Set.of("id", "name", "quotas"), "", bad);
        String id = req.path("id").isTextual() ? req.get("id").asText() : null;
        if (id == null || !TENANT_ID.matcher(id).matches()) {
            bad.add(new Violation("id", "must match " + TENANT_ID.pattern() + " (lower-case letters, digits, '-')"));
        }
        String name = req.has("name") ? text(req.get("name"), "name", bad) : id;
        TenantStore.QuotaOverrides q = overrides(req.get("quotas"), bad);
        if (!bad.isEmpty()) {
            throw new ProblemException(400, "Invalid tenant", bad.size() + " field(s) are invalid", bad);
        }
        if (!tenants.create(id, name == null ? id : name, q)) {
            throw new ProblemException(409, "Conflict", "tenant " + id + " exists", List.of(new Violation("id", "is taken")));
        }
        return Response.created(uri.getAbsolutePathBuilder().path(id).build()).entity(view(tenants.find(id))).build();
    }

    @GET
    @Path("/tenants")
    @Operation(operationId = "listTenants", description = "Every tenant (admin), or the caller's own.")
    @Tag(name = "tenants")
    public List<Responses.TenantView> list() {
        adminOnly();
        List<Responses.TenantView> out = new ArrayList<>();
        for (TenantStore.Tenant t : tenants.list()) {
            out.add(view(t));
        }
        return out;
    }

    @GET
    @Path("/tenants/{tenant}")
    @Operation(operationId = "getTenant", description = "One tenant and its quotas; another tenant's id is a 404.")
    @Tag(name = "tenants")
    public Responses.TenantView get(@PathParam("tenant") String tenant) {
        return view(visible(tenant));
    }

    /** Sets the name (when given) and the quota overrides: fields absent from {@code quotas} return to the defaults. */
    @PUT
    @Path("/tenants/{tenant}")
    @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN})
    @Operation(operationId = "updateTenant", description = "Changes a tenant's name or quota overrides (admin only).")
    @Tag(name = "tenants")
    public Responses.TenantView update(@PathParam("tenant") String tenant, String body) {
        visible(tenant);
        adminOnly();
        JsonNode req = object(body);
        List<Violation> bad = new ArrayList<>();
        unknown(req, Set.of("name", "quotas"), "", bad);
        String name = req.has("name") ? text(req.get("name"), "name", bad) : null;
        TenantStore.QuotaOverrides q = overrides(req.get("quotas"), bad);
        if (!bad.isEmpty()) {
            throw new ProblemException(400, "Invalid tenant", bad.size() + " field(s) are invalid", bad);
        }
        tenants.update(tenant, name, q);
        return view(tenants.find(tenant));
    }

    /** Issues a token: 201 with {@code token} — shown this once; only its SHA-256 is stored. */
    @POST
    @Path("/tenants/{tenant}/tokens")
    @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN})
    @Operation(operationId = "createTenantToken", description = "Issues an API token of the tenant; the token is shown in this response only (its SHA-256 is stored).")
    @Tag(name = "tenants")
    public Response issue(@PathParam("tenant") String tenant, String body, @Context UriInfo uri) {
        visible(tenant);
        adminOnly();
        JsonNode req = body == null || body.isBlank() ? mapper.createObjectNode() : object(body);
        List<Violation> bad = new ArrayList<>();
        unknown(req, Set.of("name"), "", bad);
        String name = req.has("name") ? text(req.get("name"), "name", bad) : "token";
        if (!bad.isEmpty()) {
            throw new ProblemException(400, "Invalid token request", bad.size() + " field(s) are invalid", bad);
        }
        String token = Tokens.generate();
        TenantStore.Issued t = tenants.issue(tenant, name == null ? "token" : name, token, Tokens.hash(token),
                Tokens.display(token));
        if (t == null) {
            throw ProblemException.notFound("no tenant " + tenant);
        }
        return Response.created(uri.getAbsolutePathBuilder().path(t.id()).build()).entity(t).build();
    }

    @GET
    @Path("/tenants/{tenant}/tokens")
    @Operation(operationId = "listTenantTokens", description = "The tenant's tokens (their display prefix, never the token).")
    @Tag(name = "tenants")
    public List<TenantStore.TokenInfo> tokens(@PathParam("tenant") String tenant) {
        visible(tenant);
        return tenants.tokens(tenant);
    }

    /** Revokes a token at once (the admin, or the tenant itself). */
    @DELETE
    @Path("/tenants/{tenant}/tokens/{token}")
    @Operation(operationId = "revokeTenantToken", description = "Revokes one of the tenant's tokens.")
    @Tag(name = "tenants")
    public Responses.Revoked revoke(@PathParam("tenant") String tenant, @PathParam("token") String token) {
        visible(tenant);
        if (!tenants.revoke(tenant, token)) {
            throw ProblemException.notFound("no token " + token + " of tenant " + tenant);
        }
        return new Responses.Revoked(token, tenant, true);
    }

    /** The tenant, if this caller may see it (the admin: all; a tenant: itself); else 404. */
    private TenantStore.Tenant visible(String tenant) {
        TenantStore.Tenant t = tenant == null ? null : tenants.find(tenant);
        if (t == null || !caller.sees(t.id())) {
            throw ProblemException.notFound("no tenant " + tenant);
        }
        return t;
    }

    private void adminOnly() {
        if (!caller.admin()) {
            throw new ProblemException(403, "Forbidden", "only the admin token may manage tenants, quotas and tokens",
                    List.of());
        }
    }

    private Responses.TenantView view(TenantStore.Tenant t) {
        return new Responses.TenantView(t.id(), t.name(), t.createdAt(), quotas.of(t.id()), t.quotas(),
                tenants.activeRuns(t.id()));
    }

    private JsonNode object(String body) {
        JsonNode n;
        try {
            n = body == null || body.isBlank() ? null : mapper.readTree(body);
        } catch (Exception e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().split("\n", 2)[0];
            throw new ProblemException(400, "Bad request", "not valid JSON: " + msg, List.of(new Violation("", "not valid JSON")));
        }
        if (n == null || !n.isObject()) {
            throw new ProblemException(400, "Bad request", "the body must be a JSON object",
                    List.of(new Violation("", "must be an object")));
        }
        return n;
    }

    private static void unknown(JsonNode req, Set<String> known, String prefix, List<Violation> bad) {
        for (Iterator<String> it = req.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                bad.add(new Violation(prefix + f, "unknown field; known: " + known.stream().sorted().toList()));
            }
        }
    }

    private static String text(JsonNode n, String field, List<Violation> bad) {
        if (n == null || !n.isTextual() || n.asText().isBlank() || n.asText().length() > 200) {
            bad.add(new Violation(field, "must be a non-empty string of at most 200 characters"));
            return null;
        }
        return n.asText();
    }

    private static TenantStore.QuotaOverrides overrides(JsonNode q, List<Violation> bad) {
        if (q == null || q.isNull()) {
            return TenantStore.QuotaOverrides.NONE;
        }
        if (!q.isObject()) {
            bad.add(new Violation("quotas", "must be an object with any of " + QUOTA_FIELDS.stream().sorted().toList()));
            return TenantStore.QuotaOverrides.NONE;
        }
        unknown(q, QUOTA_FIELDS, "quotas.", bad);
        Long stepParams = number(q, Quotas.STEP_PARAMETERS, 1, Long.MAX_VALUE, bad);
        Long runs = number(q, Quotas.RUNS, 1, Integer.MAX_VALUE, bad);
        Long concurrent = number(q, Quotas.CONCURRENT, 0, Integer.MAX_VALUE, bad);
        Long dataset = number(q, Quotas.DATASET, 1, Long.MAX_VALUE, bad);
        return new TenantStore.QuotaOverrides(stepParams, runs == null ? null : runs.intValue(),
                concurrent == null ? null : concurrent.intValue(), dataset);
    }

    private static Long number(JsonNode q, String field, long min, long max, List<Violation> bad) {
        JsonNode n = q.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < min || n.asLong() > max) {
            bad.add(new Violation("quotas." + field, "must be an integer in [" + min + ", " + max + "] (or null: the default)"));
            return null;
        }
        return n.asLong();
    }
}
