package dev.tdlab.analysis.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/templates}: the named experiment templates (paper, claim, what each measures, the
 * spec it submits). Submit one with {@code POST /api/v1/experiments?template=NAME} and a body of
 * overrides ({@code {}} for none).
 */
@Path("/api/v1/templates")
@Produces(MediaType.APPLICATION_JSON)
@io.quarkus.security.Authenticated
public class TemplateResource {

    @GET
    public List<Map<String, Object>> list() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Templates.Info i : Templates.ALL.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", i.name());
            m.put("paper", i.paper());
            m.put("claim", i.claim());
            m.put("measures", i.measures());
            m.put("spec", Templates.spec(i.name()));
            out.add(m);
        }
        return out;
    }
}
