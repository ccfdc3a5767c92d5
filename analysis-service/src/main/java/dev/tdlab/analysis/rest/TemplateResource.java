package dev.tdlab.analysis.rest;

import io.quarkus.security.Authenticated;
import dev.tdlab.analysis.mapping.Responses;
import jakarta.ws.rs.GET;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
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
@Authenticated
public class TemplateResource {

    @GET
    @Operation(operationId = "listTemplates", description = "The experiment templates, one per seed paper: paper, claim, what it measures and the spec.")
    @Tag(name = "templates")
    public List<Responses.TemplateView> list() {
        List<Responses.TemplateView> out = new ArrayList<>();
        for (Templates.Info i : Templates.ALL.values()) {
            out.add(new Responses.TemplateView(i.name(), i.paper(), i.claim(), i.measures(), Templates.spec(i.name())));
        }
        return out;
    }
}
