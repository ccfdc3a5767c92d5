package dev.tdlab.analysis.rest;

import dev.tdlab.analysis.problem.Problem;
import dev.tdlab.analysis.problem.ProblemException;

import dev.tdlab.analysis.security.BearerTokenMechanism;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;

/** Every error of the API as {@code application/problem+json}. */
public class ProblemMappers {

    static final String PROBLEM_JSON = "application/problem+json";
    /** Seconds a client refused for too many runs in flight is told to wait before it tries again. */
    static final String RETRY_AFTER = "30";

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        Response.ResponseBuilder r = Response.status(e.status()).type(PROBLEM_JSON)
                .entity(new Problem("about:blank", e.title(), e.status(), e.getMessage(), e.violations(), e.quota(), e.limit(),
                        e.requested()));
        if (e.status() == 429) {
            r.header("Retry-After", RETRY_AFTER);
        }
        return r.build();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        return Response.status(status).type(PROBLEM_JSON)
                .entity(new Problem("about:blank", Response.Status.fromStatusCode(status) == null ? "Error"
                        : Response.Status.fromStatusCode(status).getReasonPhrase(), status, e.getMessage(), List.of()))
                .build();
    }

    /** No token, or a token that is malformed, unknown or revoked: 401 with the Bearer challenge. */
    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthorized(RuntimeException e) {
        String detail = e instanceof AuthenticationFailedException && e.getMessage() != null
                ? "the API token was refused: " + e.getMessage()
                : "an API token is required: send 'Authorization: Bearer <token>'";
        return Response.status(401).type(PROBLEM_JSON).header("WWW-Authenticate", BearerTokenMechanism.CHALLENGE)
                .entity(new Problem("about:blank", "Unauthorized", 401, detail, List.of())).build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return Response.status(403).type(PROBLEM_JSON)
                .entity(new Problem("about:blank", "Forbidden", 403, e.getMessage() == null ? "not allowed" : e.getMessage(),
                        List.of())).build();
    }
}
