package dev.tdlab.analysis.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Every metric point of a run, streamed from PostgreSQL with a server-side cursor (a read-only transaction on a
 * connection of its own, {@value #FETCH} rows a round trip), so an export of a large sweep never holds more than one
 * fetch in memory.
 */
@ApplicationScoped
public class CurveStore {

    static final int FETCH = 5000;

    @Inject
    AgroalDataSource ds;

    /** Receives the points of a run in (name, step) order. */
    @FunctionalInterface
    public interface PointSink {
        void point(String runId, String name, int step, double value) throws Exception;
    }

    /** Streams the points of each run in turn, in run order, then name and step order. */
    public void stream(Iterable<String> runIds, PointSink sink) throws Exception {
        try (Connection c = ds.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false); // PostgreSQL's driver uses a cursor (fetch size) only inside a transaction
            c.setReadOnly(true);
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT s.name, p.step, p.value FROM metric_series s JOIN metric_points p ON p.series_id = s.id
                    WHERE s.run_id = ? ORDER BY s.name, p.step""")) {
                ps.setFetchSize(FETCH);
                for (String run : runIds) {
                    ps.setString(1, run);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            sink.point(run, rs.getString(1), rs.getInt(2), rs.getDouble(3));
                        }
                    }
                }
            } finally {
                c.rollback();
                c.setReadOnly(false);
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("curves export: " + e.getMessage(), e);
        }
    }
}
