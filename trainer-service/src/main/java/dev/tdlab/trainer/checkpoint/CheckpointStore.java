package dev.tdlab.trainer.checkpoint;

import dev.tdlab.core.train.Checkpoint;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.util.List;

/** The latest checkpoint per (run, rerun), in the trainer's schema. */
@ApplicationScoped
public class CheckpointStore {

    @Inject
    EntityManager em;

    /** Replaces the run's checkpoint with a later one. */
    @Transactional
    public void save(String runId, int rerun, int attempt, Checkpoint c) {
        em.createNativeQuery("""
                INSERT INTO checkpoints (run_id, rerun, attempt, step, data) VALUES (?1, ?2, ?3, ?4, ?5)
                ON CONFLICT (run_id, rerun) DO UPDATE SET attempt = EXCLUDED.attempt, step = EXCLUDED.step,
                  data = EXCLUDED.data, created_at = now()
                WHERE checkpoints.step <= EXCLUDED.step""")
                .setParameter(1, runId).setParameter(2, rerun).setParameter(3, attempt).setParameter(4, c.step())
                .setParameter(5, c.toBytes())
                .executeUpdate();
    }

    /** The checkpoint to resume from, or null to start at step 0. */
    @Transactional
    public Checkpoint latest(String runId, int rerun) {
        @SuppressWarnings("unchecked")
        List<byte[]> rows = em.createNativeQuery("SELECT data FROM checkpoints WHERE run_id = ?1 AND rerun = ?2")
                .setParameter(1, runId).setParameter(2, rerun).getResultList();
        return rows.isEmpty() ? null : Checkpoint.fromBytes(rows.get(0));
    }

    /** Drops a finished run's checkpoints. */
    @Transactional
    public void delete(String runId) {
        em.createNativeQuery("DELETE FROM checkpoints WHERE run_id = ?1").setParameter(1, runId).executeUpdate();
    }
}
