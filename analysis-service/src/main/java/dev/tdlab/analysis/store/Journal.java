package dev.tdlab.analysis.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.hibernate.Session;

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

    /** An entry to append: see {@link #appendAll}. */
    public record Pending(String experimentId, String type, String runId, Object payload) {
    }

    /** Appends entries in order inside the caller's transaction, in one JDBC batch (one multi-row INSERT). */
    public void appendAll(List<Pending> entries) {
        if (entries.isEmpty()) {
            return;
        }
        List<String> payloads = new ArrayList<>(entries.size());
        for (Pending p : entries) {
            try {
                payloads.add(mapper.writeValueAsString(p.payload()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        em.unwrap(Session.class).doWork(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO experiment_events (experiment_id, type, run_id, payload) VALUES (?, ?, ?, ?)")) {
                for (int i = 0; i < entries.size(); i++) {
                    ps.setString(1, entries.get(i).experimentId());
                    ps.setString(2, entries.get(i).type());
                    ps.setString(3, entries.get(i).runId());
                    ps.setString(4, payloads.get(i));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
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
