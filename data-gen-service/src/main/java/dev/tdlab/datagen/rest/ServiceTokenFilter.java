package dev.tdlab.datagen.rest;

import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * data-gen's REST API is internal: the trainer fetches shards from it, nobody else needs to. When
 * {@code tdlab.service-token} (env TDLAB_SERVICE_TOKEN) is set, every {@code /api/v1} request must carry
 * {@code Authorization: Bearer <that token>}; otherwise 401 problem+json. Unset (a developer's single machine, the
 * module's own IT), the API is open and a warning says so at start. Health and metrics ({@code /q/*}) stay open.
 * Tenants never reach data-gen: they see datasets only through analysis-service, under their own runs.
 */
@ApplicationScoped
public class ServiceTokenFilter {

    private static final Logger LOG = Logger.getLogger(ServiceTokenFilter.class);

    private final byte[] expected;

    public ServiceTokenFilter(@ConfigProperty(name = "tdlab.service-token") Optional<String> token) {
        this.expected = token.filter(t -> !t.isBlank()).map(t -> ("Bearer " + t).getBytes(StandardCharsets.UTF_8)).orElse(null);
        if (expected == null) {
            LOG.warn("tdlab.service-token (TDLAB_SERVICE_TOKEN) is not set: the datasets API is open to anyone who can reach this port");
        }
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> check(HttpServerRequest request) {
        if (expected == null || !request.path().startsWith("/api/")) {
            return Optional.empty();
        }
        String header = request.getHeader("Authorization");
        if (header != null && MessageDigest.isEqual(expected, header.trim().getBytes(StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        return Optional.of(Response.status(401).type("application/problem+json")
                .header("WWW-Authenticate", "Bearer realm=\"tdlab-internal\"")
                .entity("{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"data-gen is internal: "
                        + "send its service token (Authorization: Bearer <TDLAB_SERVICE_TOKEN>)\",\"violations\":[]}")
                .build());
    }
}
