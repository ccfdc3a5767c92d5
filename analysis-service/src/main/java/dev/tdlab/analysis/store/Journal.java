package dev.tdlab.analysis.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The ordered log of what happened to each experiment (status changes, progress, downsampled metrics,
 * verdicts). Written in the same transaction as the facts; read by the live stream from any id on, so
 * a client that reconnects with {@code Last-Event-ID} misses nothing and sees nothing twice.
 */
@ApplicationScoped
public class Journal {

    /** One entry of the log. */
    public record Entry(long id, String type, String runId, String payload) {
    }

    @Inject
    EntityManager em;
    @Inject
    AgroalDataSource ds;
    @Inject
    ObjectMapper mapper;

    /** Appends inside the caller's transaction. */
    public void append(String experimentId, String type, String runId, Object payload) {
        String json;
        try {
            json = mapper.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        em.createNativeQuery("INSERT INTO experiment_events (experiment_id, type, run_id, payload) VALUES (?1, ?2, ?3, ?4)")
                .setParameter(1, experimentId).setParameter(2, type).setParameter(3, runId).setParameter(4, json)
                .executeUpdate();
    }

    /** Entries after {@code afterId}, oldest first, at most {@code limit}. Plain JDBC: callable from any thread. */
    public List<Entry> since(String experimentId, long afterId, int limit) {
        List<Entry> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT id, type, run_id, payload FROM analysis.experiment_events WHERE experiment_id = ? AND id > ? ORDER BY id LIMIT ?")) {
            ps.setString(1, experimentId);
            ps.setLong(2, afterId);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("journal read failed: " + e.getMessage(), e);
        }
        return out;
    }
}
