package dev.tdlab.analysis.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.mapping.DashboardViews;
import dev.tdlab.analysis.problem.ProblemException;
import dev.tdlab.analysis.security.Caller;
import dev.tdlab.analysis.store.DashboardStore;
import dev.tdlab.contracts.spec.Violation;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** The dashboard's search for runs across the caller's experiments. */
@Path("/api/v1/search")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
public class SearchResource {

    static final Set<String> VERDICTS = Set.of("GLOBAL", "LOCAL", "NOT_CONVERGED", "DIVERGED", "UNRESOLVED");
    static final Set<String> RUN_STATES = Set.of("PLANNED", "DATA_READY", "RUNNING", "FINISHED", "FAILED", "CANCELLED");
    static final Pattern PARAM = Pattern.compile("[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*)*");

    @Inject
    Caller caller;
    @Inject
    DashboardStore dashboard;
    @Inject
    ObjectMapper mapper;

    /**
     * Runs across the caller's experiments. {@code q}: a substring of the experiment's name, the run's cell, or an id;
     * {@code params}: {@code name=value} pairs separated by commas, each matched against the run's cell (a swept
     * axis) or else the experiment's spec ({@code model.dModel=8}); numbers compare as numbers. {@code template}: the
     * experiments whose model family, data family and sweep axes are the template's. {@code createdFrom} /
     * {@code createdTo}: dates (YYYY-MM-DD, UTC; the end day included) or ISO-8601 instants.
     */
    @GET
    @Path("/runs")
    @Operation(operationId = "searchRuns", description = "Runs across the caller's experiments, filtered by text"
            + " (experiment name, cell, id), verdict, run status, parameters (name=value, cell or spec), template and"
            + " the experiment's creation date; newest experiment first, at most limit (default 200, at most 2000).")
    @Tag(name = "dashboard")
    public DashboardViews.RunSearch searchRuns(@QueryParam("q") String q, @QueryParam("verdict") String verdict,
                                               @QueryParam("status") String status,
                                               @QueryParam("params") String params,
                                               @QueryParam("template") String template,
                                               @QueryParam("createdFrom") String createdFrom,
                                               @QueryParam("createdTo") String createdTo,
                                               @QueryParam("limit") String limit) {
        List<Violation> bad = new ArrayList<>();
        String text = blank(q) ? null : q.trim();
        if (text != null && text.length() > 200) {
            bad.add(new Violation("q", "must be at most 200 characters"));
        }
        String v = blank(verdict) ? null : verdict.trim();
        if (v != null && !VERDICTS.contains(v)) {
            bad.add(new Violation("verdict", "must be one of " + new TreeSet<>(VERDICTS)));
        }
        String st = blank(status) ? null : status.trim();
        if (st != null && !RUN_STATES.contains(st)) {
            bad.add(new Violation("status", "must be one of " + new TreeSet<>(RUN_STATES)));
        }
        Map<String, String> p = new LinkedHashMap<>();
        if (!blank(params)) {
            for (String pair : params.split(",")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair.trim() : pair.substring(0, eq).trim();
                if (eq < 0 || !PARAM.matcher(name).matches() || pair.substring(eq + 1).isBlank()) {
                    bad.add(new Violation("params", "'" + Params.shorten(pair) + "' is not name=value (name like data.p)"));
                } else {
                    p.put(name, pair.substring(eq + 1).trim());
                }
            }
        }
        OffsetDateTime from = date("createdFrom", createdFrom, false, bad);
        OffsetDateTime to = date("createdTo", createdTo, true, bad);
        if (!blank(template) && !Templates.ALL.containsKey(template.trim())) {
            bad.add(new Violation("template", "unknown template '" + Params.shorten(template) + "'; known: "
                    + Templates.ALL.keySet()));
        }
        int max;
        try {
            max = Params.integer("limit", limit, 200, 1, 2000);
        } catch (ProblemException ex) {
            bad.addAll(ex.violations());
            max = 0;
        }
        if (!bad.isEmpty()) {
            throw new ProblemException(400, "Bad request", bad.get(0).field() + " " + bad.get(0).message(), bad);
        }
        List<String> experimentIds = blank(template) ? null : matchingTemplate(template.trim());
        DashboardStore.RunHits hits = dashboard.searchRuns(new DashboardStore.RunQuery(caller.scope(), text, v, st,
                experimentIds, p, from, to, max));
        List<DashboardViews.RunHit> items = new ArrayList<>(hits.rows().size());
        for (DashboardStore.RunRow r : hits.rows()) {
            items.add(new DashboardViews.RunHit(r.runId(), r.experimentId(), r.experimentName(), r.createdAt(),
                    cell(r.cellJson()), r.seed(), r.status(), r.verdict(), r.finalEvalLoss(), r.gapToOptimum(),
                    r.convergenceStep()));
        }
        return new DashboardViews.RunSearch(items, hits.total(), max);
    }

    /** The caller's experiments made from this template: same model family, data family and sweep axes. */
    private List<String> matchingTemplate(String template) {
        JsonNode t = Templates.spec(template);
        List<String> ids = new ArrayList<>();
        dashboard.experimentSpecs(caller.scope()).forEach((id, json) -> {
            try {
                JsonNode s = mapper.readTree(json);
                if (s.path("model").path("family").asText("").equals(t.path("model").path("family").asText())
                        && s.path("data").path("family").asText("").equals(t.path("data").path("family").asText())
                        && fieldNames(s.path("sweep")).equals(fieldNames(t.path("sweep")))) {
                    ids.add(id);
                }
            } catch (JsonProcessingException ex) {
                // a spec that does not read back matches no template
            }
        });
        return ids;
    }

    private static Set<String> fieldNames(JsonNode n) {
        Set<String> out = new TreeSet<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private Map<String, Object> cell(String json) {
        try {
            return mapper.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** A date (YYYY-MM-DD, UTC; as an end, the next midnight: the day is included) or an ISO-8601 instant. */
    private static OffsetDateTime date(String name, String raw, boolean end, List<Violation> bad) {
        if (blank(raw)) {
            return null;
        }
        String s = raw.trim();
        try {
            if (s.length() == 10) {
                LocalDate d = LocalDate.parse(s);
                return (end ? d.plusDays(1) : d).atStartOfDay().atOffset(ZoneOffset.UTC);
            }
            return OffsetDateTime.parse(s);
        } catch (DateTimeParseException ex) {
            bad.add(new Violation(name, "must be a date YYYY-MM-DD or an ISO-8601 instant, got '" + Params.shorten(s) + "'"));
            return null;
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
