package dev.tdlab.analysis.rest;

import jakarta.ws.rs.GET;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import jakarta.annotation.security.PermitAll;

import java.net.URI;

/** {@code /} → the dashboard. */
@Path("/")
@PermitAll // a redirect to the dashboard's static page; the API calls it makes need a token
public class RootResource {

    @GET
    @Operation(operationId = "getRoot", description = "Redirects to the dashboard (/dashboard/).")
    @Tag(name = "dashboard")
    public Response root() {
        return Response.seeOther(URI.create("/dashboard/")).build();
    }
}
