package dev.tdlab.analysis.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;

/** Every error of the API as {@code application/problem+json}. */
public class ProblemMappers {

    static final String PROBLEM_JSON = "application/problem+json";

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return Response.status(e.status).type(PROBLEM_JSON)
                .entity(new Problem("about:blank", e.title, e.status, e.getMessage(), e.violations)).build();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        return Response.status(status).type(PROBLEM_JSON)
                .entity(new Problem("about:blank", Response.Status.fromStatusCode(status) == null ? "Error"
                        : Response.Status.fromStatusCode(status).getReasonPhrase(), status, e.getMessage(), List.of()))
                .build();
    }
}
