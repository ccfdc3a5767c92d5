package dev.tdlab.analysis.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import java.net.URI;

/** {@code /} → the dashboard. */
@Path("/")
@jakarta.annotation.security.PermitAll // a redirect to the dashboard's static page; the API calls it makes need a token
public class RootResource {

    @GET
    public Response root() {
        return Response.seeOther(URI.create("/dashboard/")).build();
    }
}
