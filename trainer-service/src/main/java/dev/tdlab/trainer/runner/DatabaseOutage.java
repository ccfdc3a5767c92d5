package dev.tdlab.trainer.runner;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Whether a failure is PostgreSQL being down or restarting rather than anything about the run: SQLState class 08
 * (connection exception), 57P01-57P03 (server shutting down, crashed, or in crash recovery), or a transient
 * connection exception (pool acquisition). Such a run is given back to the queue (or left to its lease), never FAILED.
 */
final class DatabaseOutage {

    private DatabaseOutage() {
    }

    static boolean in(Throwable e) {
        return outage(e, 0);
    }

    /** The cause chain and the suppressed exceptions (a failed commit hides the driver's exception there). */
    private static boolean outage(Throwable t, int depth) {
        if (t == null || depth > 20) {
            return false;
        }
        if (t instanceof SQLTransientConnectionException) {
            return true;
        }
        if (t instanceof SQLException s && s.getSQLState() != null) {
            String state = s.getSQLState();
            if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
                return true;
            }
        }
        for (Throwable x : t.getSuppressed()) {
            if (outage(x, depth + 1)) {
                return true;
            }
        }
        return t.getCause() != t && outage(t.getCause(), depth + 1);
    }
}
