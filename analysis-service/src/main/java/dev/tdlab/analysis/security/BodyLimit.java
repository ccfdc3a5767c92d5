package dev.tdlab.analysis.security;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code quarkus.http.limits.max-body-size} as problem+json: Quarkus refuses a request whose Content-Length is over
 * the limit with an empty 413 (route order -2); this route runs just before it and says which limit was hit. A chunked
 * body without Content-Length is still cut at the limit by Quarkus (an empty 413).
 */
@ApplicationScoped
public class BodyLimit {

    static final int ORDER = -3; // before Quarkus' upload limit (RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT = -2)

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    MemorySize maxBodySize;

    void install(@Observes Router router) {
        long limit = maxBodySize.asLongValue();
        router.route().order(ORDER).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            long n;
            try {
                n = length == null ? -1 : Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n > limit) {
                String body = "{\"type\":\"about:blank\",\"title\":\"Request limit exceeded: quarkus.http.limits.max-body-size\","
                        + "\"status\":413,\"detail\":\"the body has " + n + " bytes; at most " + limit
                        + " are accepted (quarkus.http.limits.max-body-size)\",\"violations\":[{\"field\":\"\",\"message\":"
                        + "\"the body is larger than " + limit + " bytes\"}],\"quota\":\"quarkus.http.limits.max-body-size\","
                        + "\"limit\":" + limit + ",\"requested\":" + n + "}";
                ctx.response().setStatusCode(413).putHeader("Content-Type", "application/problem+json")
                        .putHeader("Connection", "close").end(body);
                return;
            }
            ctx.next();
        });
    }
}
