package dev.tdlab.kit;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** Whether an error means the database is down or restarting, as opposed to a fault of the request or the code. */
public final class DatabaseOutage {

    private DatabaseOutage() {
    }

    /**
     * Whether the cause chain holds a connection-level failure: SQLState class 08 (connection exception), 57P01-57P03
     * (admin shutdown, crash shutdown, cannot connect now: the server is stopping or recovering), or a transient
     * connection exception (pool acquisition). Suppressed exceptions count too (a failed commit hides the driver's
     * exception there).
     */
    public static boolean transientOutage(Throwable e) {
        return outage(e, 0);
    }

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
