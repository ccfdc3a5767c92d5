package dev.tdlab.trainer.runner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.events.DatasetReady;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * The trainer's durable queue of runs (table {@code runs} of schema {@code trainer}). Claims use
 * {@code FOR UPDATE SKIP LOCKED}, so any number of trainer replicas can share one queue. A run is stored with its
 * {@code datasets.ready} event (column {@code ready_json}, written and read only by {@link ReadyJson}) and handed to
 * a worker as that typed record.
 */
@ApplicationScoped
public class RunQueue {

    /** A run this worker holds the lease of, with the event that queued it. */
    record Claimed(String runId, String experimentId, int attempt, int rerun, DatasetReady ready) {
    }

    @Inject
    DataSource ds;
    @Inject
    ObjectMapper mapper;

    /** A queue on {@code ds} (outside CDI: tests). */
    static RunQueue on(DataSource ds, ObjectMapper mapper) {
        RunQueue q = new RunQueue();
        q.ds = ds;
        q.mapper = mapper;
        return q;
    }

    /**
     * Adds the run of a {@code datasets.ready} event; false when it was known already (a redelivered event changes
     * nothing). A higher rerun number queues an ended run again (a running one finishes its current attempt).
     */
    public boolean enqueue(DatasetReady ready) {
        return update("""
                INSERT INTO runs (run_id, experiment_id, ready_json, state, rerun)
                VALUES (?, ?, ?, 'QUEUED', ?)
                ON CONFLICT (run_id) DO UPDATE SET state = 'QUEUED', ready_json = EXCLUDED.ready_json,
                  rerun = EXCLUDED.rerun, owner = NULL, lease_until = NULL, step = 0, error = NULL, updated_at = now()
                WHERE runs.rerun < EXCLUDED.rerun AND runs.state <> 'RUNNING'""",
                ready.runId(), ready.experimentId(), ReadyJson.write(mapper, ready), ready.planned().rerun()) == 1;
    }

    /**
     * Cancels a run: a queued or running one becomes CANCELLED (a running one stops at its next heartbeat,
     * which finds the run no longer RUNNING); one not seen yet is recorded CANCELLED so that its
     * datasets.ready, when it comes, does not start it. Ended runs are left as they are.
     */
    public void cancel(String runId, String experimentId) {
        update("""
                INSERT INTO runs (run_id, experiment_id, ready_json, state)
                VALUES (?, ?, '', 'CANCELLED')
                ON CONFLICT (run_id) DO UPDATE SET state = 'CANCELLED', lease_until = NULL, updated_at = now()
                WHERE runs.state IN ('QUEUED', 'RUNNING')""", runId, experimentId);
    }

    /** Claims the oldest queued run, or a running one whose lease expired (its trainer died); null when none. */
    Claimed claim(String owner, int leaseSeconds) {
        try (Connection c = ds.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                Claimed claimed = claim(c, owner, leaseSeconds);
                c.commit();
                return claimed;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("claiming a run: " + e.getMessage(), e);
        }
    }

    private Claimed claim(Connection c, String owner, int leaseSeconds) throws SQLException {
        String runId, experimentId, json;
        int attempt, rerun;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT run_id, experiment_id, attempt, ready_json, rerun FROM runs
                WHERE state = 'QUEUED' OR (state = 'RUNNING' AND lease_until < now())
                ORDER BY created_at, run_id
                LIMIT 1 FOR UPDATE SKIP LOCKED""");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            runId = rs.getString(1);
            experimentId = rs.getString(2);
            attempt = rs.getInt(3) + 1;
            json = rs.getString(4);
            rerun = rs.getInt(5);
        }
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE runs SET state = 'RUNNING', attempt = ?, owner = ?,
                  lease_until = now() + make_interval(secs => ?), updated_at = now()
                WHERE run_id = ?""")) {
            bind(ps, attempt, owner, leaseSeconds, runId);
            ps.executeUpdate();
        }
        return new Claimed(runId, experimentId, attempt, rerun, ReadyJson.read(mapper, json));
    }

    /** Extends the lease; false when the run is no longer ours (lease lost, or cancelled). */
    boolean heartbeat(String runId, String owner, int step, int leaseSeconds) {
        return update("""
                UPDATE runs SET step = ?, lease_until = now() + make_interval(secs => ?), updated_at = now()
                WHERE run_id = ? AND owner = ? AND state = 'RUNNING'""", step, leaseSeconds, runId, owner) == 1;
    }

    /**
     * Gives a run we own back to the queue (this trainer is shutting down): another trainer claims it
     * at once and resumes from its last checkpoint.
     */
    void release(String runId, String owner, int step) {
        update("""
                UPDATE runs SET state = 'QUEUED', owner = NULL, lease_until = NULL, step = ?, updated_at = now()
                WHERE run_id = ? AND owner = ? AND state = 'RUNNING'""", step, runId, owner);
    }

    /** Ends a run we own. */
    void end(String runId, String owner, String state, int step, String error) {
        update("""
                UPDATE runs SET state = ?, step = ?, error = ?, lease_until = NULL, updated_at = now()
                WHERE run_id = ? AND owner = ?""", state, step, error, runId, owner);
    }

    /** One statement in its own transaction; the rows it changed. */
    private int update(String sql, Object... params) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            if (params[i] == null) {
                ps.setNull(i + 1, Types.VARCHAR);
            } else {
                ps.setObject(i + 1, params[i]);
            }
        }
    }

    /** The one codec of the {@code ready_json} column: the {@code datasets.ready} event as JSON. */
    static final class ReadyJson {
        private ReadyJson() {
        }

        static String write(ObjectMapper mapper, DatasetReady ready) {
            try {
                return mapper.writeValueAsString(ready);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        static DatasetReady read(ObjectMapper mapper, String json) {
            try {
                return mapper.readValue(json, DatasetReady.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a queued run's datasets.ready does not read: " + e.getMessage(), e);
            }
        }
    }
}
