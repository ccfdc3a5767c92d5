package dev.tdlab.analysis.rest;

import dev.tdlab.kit.DatabaseOutage;
import jakarta.persistence.PersistenceException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Map;

/**
 * A database that is down or restarting (connection lost or refused, server shutting down or in crash recovery)
 * answers 503 with {@code Retry-After: 1}, not 500: clients (the CLI, the dashboard, ChaosIT) retry a 503 and
 * fail on other errors, and a PostgreSQL restart must delay a run, not fail it (issue 19, ChaosIT's kill -9 of
 * PostgreSQL). Any other persistence error stays a 500.
 */
public class DatabaseUnavailableMapper {

    private static final Logger LOG = Logger.getLogger(DatabaseUnavailableMapper.class);

    @ServerExceptionMapper
    public Response map(PersistenceException e) {
        if (transientOutage(e)) {
            LOG.warnf("database unavailable, answering 503: %s", e.getMessage());
            return Response.status(503).header("Retry-After", "1").type("application/problem+json")
                    .entity(Map.of("type", "about:blank", "title", "database unavailable", "status", 503,
                            "detail", "the database is restarting; retry shortly"))
                    .build();
        }
        LOG.error("persistence error", e);
        return Response.serverError().type("application/problem+json")
                .entity(Map.of("type", "about:blank", "title", "internal error", "status", 500)).build();
    }

    /** Whether the error means the database is down or restarting ({@link DatabaseOutage}). */
    static boolean transientOutage(Throwable e) {
        return DatabaseOutage.transientOutage(e);
    }
}
