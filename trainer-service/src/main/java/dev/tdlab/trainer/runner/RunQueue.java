package dev.tdlab.trainer.runner;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.util.List;

/**
 * The trainer's durable queue of runs (schema {@code trainer}). Claims use
 * {@code FOR UPDATE SKIP LOCKED}, so any number of trainer replicas can share one queue.
 */
@ApplicationScoped
public class RunQueue {

    /** A run this worker holds the lease of. */
    public record Claimed(String runId, String experimentId, int attempt, int rerun, String readyJson) {
    }

    @Inject
    EntityManager em;

    /**
     * Adds a run; false when it was known already (a redelivered event changes nothing). A higher rerun
     * number queues an ended run again (a running one finishes its current attempt).
     */
    @Transactional
    public boolean enqueue(String runId, String experimentId, String readyJson, int rerun) {
        int n = em.createNativeQuery("""
                INSERT INTO runs (run_id, experiment_id, ready_json, state, rerun)
                VALUES (?1, ?2, ?3, 'QUEUED', ?4)
                ON CONFLICT (run_id) DO UPDATE SET state = 'QUEUED', ready_json = EXCLUDED.ready_json,
                  rerun = EXCLUDED.rerun, owner = NULL, lease_until = NULL, step = 0, error = NULL, updated_at = now()
                WHERE runs.rerun < EXCLUDED.rerun AND runs.state <> 'RUNNING'""")
                .setParameter(1, runId).setParameter(2, experimentId).setParameter(3, readyJson).setParameter(4, rerun)
                .executeUpdate();
        return n == 1;
    }

    /**
     * Cancels a run: a queued or running one becomes CANCELLED (a running one stops at its next heartbeat,
     * which finds the run no longer RUNNING); one not seen yet is recorded CANCELLED so that its
     * datasets.ready, when it comes, does not start it. Ended runs are left as they are.
     */
    @Transactional
    public void cancel(String runId, String experimentId) {
        em.createNativeQuery("""
                INSERT INTO runs (run_id, experiment_id, ready_json, state)
                VALUES (?1, ?2, '', 'CANCELLED')
                ON CONFLICT (run_id) DO UPDATE SET state = 'CANCELLED', lease_until = NULL, updated_at = now()
                WHERE runs.state IN ('QUEUED', 'RUNNING')""")
                .setParameter(1, runId).setParameter(2, experimentId).executeUpdate();
    }

    /** Claims the oldest queued run, or a running one whose lease expired (its trainer died). */
    @Transactional
    public Claimed claim(String owner, int leaseSeconds) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT run_id, experiment_id, attempt, ready_json, rerun FROM runs
                WHERE state = 'QUEUED' OR (state = 'RUNNING' AND lease_until < now())
                ORDER BY created_at, run_id
                LIMIT 1 FOR UPDATE SKIP LOCKED""").getResultList();
        if (rows.isEmpty()) {
            return null;
        }
        Object[] r = rows.get(0);
        String runId = (String) r[0];
        int attempt = ((Number) r[2]).intValue() + 1;
        em.createNativeQuery("""
                UPDATE runs SET state = 'RUNNING', attempt = ?2, owner = ?3,
                  lease_until = now() + make_interval(secs => ?4), updated_at = now()
                WHERE run_id = ?1""")
                .setParameter(1, runId).setParameter(2, attempt).setParameter(3, owner).setParameter(4, leaseSeconds)
                .executeUpdate();
        return new Claimed(runId, (String) r[1], attempt, ((Number) r[4]).intValue(), (String) r[3]);
    }

    /** Extends the lease; false when the run is no longer ours (lease lost, or cancelled). */
    @Transactional
    public boolean heartbeat(String runId, String owner, int step, int leaseSeconds) {
        return em.createNativeQuery("""
                UPDATE runs SET step = ?3, lease_until = now() + make_interval(secs => ?4), updated_at = now()
                WHERE run_id = ?1 AND owner = ?2 AND state = 'RUNNING'""")
                .setParameter(1, runId).setParameter(2, owner).setParameter(3, step).setParameter(4, leaseSeconds)
                .executeUpdate() == 1;
    }

    /**
     * Gives a run we own back to the queue (this trainer is shutting down): another trainer claims it
     * at once and resumes from its last checkpoint.
     */
    @Transactional
    public void release(String runId, String owner, int step) {
        em.createNativeQuery("""
                UPDATE runs SET state = 'QUEUED', owner = NULL, lease_until = NULL, step = ?3, updated_at = now()
                WHERE run_id = ?1 AND owner = ?2 AND state = 'RUNNING'""")
                .setParameter(1, runId).setParameter(2, owner).setParameter(3, step)
                .executeUpdate();
    }

    /** Ends a run we own. */
    @Transactional
    public void end(String runId, String owner, String state, int step, String error) {
        em.createNativeQuery("""
                UPDATE runs SET state = ?3, step = ?4, error = ?5, lease_until = NULL, updated_at = now()
                WHERE run_id = ?1 AND owner = ?2""")
                .setParameter(1, runId).setParameter(2, owner).setParameter(3, state).setParameter(4, step)
                .setParameter(5, error)
                .executeUpdate();
    }
}
