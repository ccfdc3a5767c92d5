package dev.tdlab.analysis.store;

import dev.tdlab.contracts.events.MetricBatch;
import java.util.ArrayList;
import dev.tdlab.analysis.verdict.Downsample;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import org.hibernate.Session;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Queries and locks on experiments, runs and the processed-event ids; no decisions, no messaging. */
@ApplicationScoped
public class ExperimentStore {

    @Inject
    EntityManager em;
    @Inject
    MetricStore metricStore;

    /** One page of a listing and the number of experiments that match. */
    public record Listing(List<ExperimentEntity> items, long total) {
    }

    public ExperimentEntity find(String id) {
        return ExperimentEntity.findById(id);
    }

    public List<RunEntity> runs(String experimentId) {
        return RunEntity.list("experimentId", Sort.by("cellId").and("seed"), experimentId);
    }

    /**
     * A page of experiments, newest first, optionally filtered by status and a name substring; only the tenant's when
     * {@code tenantId} is given (null: every tenant's, for the admin).
     */
    public Listing list(int page, int size, String status, String nameContains, String tenantId) {
        StringBuilder q = new StringBuilder("1 = 1");
        Map<String, Object> params = new LinkedHashMap<>();
        if (tenantId != null) {
            q.append(" and tenantId = :tenant");
            params.put("tenant", tenantId);
        }
        if (status != null && !status.isBlank()) {
            q.append(" and status = :status");
            params.put("status", status);
        }
        if (nameContains != null && !nameContains.isBlank()) {
            q.append(" and lower(name) like :name");
            params.put("name", "%" + nameContains.toLowerCase() + "%");
        }
        var query = ExperimentEntity.find(q.toString(), Sort.descending("createdAt"), params);
        long total = query.count();
        return new Listing(query.page(Page.of(page, size)).<ExperimentEntity>list(), total);
    }

    /** The run, its row locked for the rest of the transaction; null when unknown. */
    public RunEntity lockRun(String id) {
        return em.find(RunEntity.class, id, LockModeType.PESSIMISTIC_WRITE);
    }

    /** The experiment as the database has it now (re-read, not this transaction's cached copy); null when unknown. */
    public ExperimentEntity reload(String id) {
        ExperimentEntity e = em.find(ExperimentEntity.class, id);
        if (e != null) {
            em.refresh(e);
        }
        return e;
    }

    /** True the first time an event id is seen (in this transaction's view). */
    public boolean firstTime(String eventId) {
        return em.createNativeQuery("INSERT INTO processed_events (event_id) VALUES (?1) ON CONFLICT DO NOTHING")
                .setParameter(1, eventId).executeUpdate() == 1;
    }

    /** Whether an event id was processed before (without recording it). */
    public boolean seen(String eventId) {
        return !em.createNativeQuery("SELECT 1 FROM processed_events WHERE event_id = ?1").setParameter(1, eventId)
                .getResultList().isEmpty();
    }

    /** PLANNED → RUNNING; true if this call changed it. */
    public boolean markRunning(String experimentId) {
        return em.createNativeQuery(
                        "UPDATE experiments SET status = 'RUNNING', updated_at = now() WHERE id = ?1 AND status = 'PLANNED'")
                .setParameter(1, experimentId).executeUpdate() == 1;
    }

    /** Writes the pending changes of this transaction (before plain-JDBC work that must see them). */
    public void flush() {
        em.flush();
    }

    /**
     * Serializes the changes of one experiment's status (finish, cancel, rerun) with a transaction-scoped
     * advisory lock: unlike a row lock it does not conflict with the key-share locks that inserts of
     * runs, metrics and journal rows take on the experiment row, so it cannot deadlock with them.
     */
    public void lockExperiment(String id) {
        em.createNativeQuery("SELECT 1 FROM pg_advisory_xact_lock(hashtext(?1))").setParameter(1, "experiment:" + id)
                .getSingleResult();
    }

    /** Locks every run of the experiment (in id order, like the event handlers' single-run locks), then the experiment. */
    public void lockRunsThenExperiment(String id) {
        em.createNativeQuery("SELECT id FROM runs WHERE experiment_id = ?1 ORDER BY id FOR UPDATE").setParameter(1, id)
                .getResultList();
        lockExperiment(id);
    }

    /** A run's eval losses in step order: steps and values. */
    public Series evalLosses(String runId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "SELECT step, value FROM metrics WHERE run_id = ?1 AND name = 'eval_loss' ORDER BY step")
                .setParameter(1, runId).getResultList();
        return series(rows, 0);
    }

    /** The named series of a run, each in step order (names the run never reported are absent). */
    public Map<String, Series> series(String runId, List<String> names) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "SELECT name, step, value FROM metrics WHERE run_id = ?1 AND name IN (?2) ORDER BY name, step")
                .setParameter(1, runId).setParameter(2, names).getResultList();
        Map<String, List<Object[]>> byName = new LinkedHashMap<>();
        for (Object[] row : rows) {
            byName.computeIfAbsent((String) row[0], k -> new ArrayList<>()).add(row);
        }
        Map<String, Series> out = new LinkedHashMap<>();
        byName.forEach((name, points) -> out.put(name, series(points, 1)));
        return out;
    }

    /** Steps and values of one metric of a run. */
    public record Series(int[] steps, double[] values) {
        public boolean isEmpty() {
            return steps.length == 0;
        }

        public int lastStep() {
            return steps[steps.length - 1];
        }
    }

    private static Series series(List<Object[]> rows, int first) {
        int[] steps = new int[rows.size()];
        double[] values = new double[rows.size()];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = ((Number) rows.get(i)[first]).intValue();
            values[i] = ((Number) rows.get(i)[first + 1]).doubleValue();
        }
        return new Series(steps, values);
    }

    /** Deletes a run's metric points and rollups (a rerun starts them again). */
    public void deleteMetrics(String runId) {
        em.unwrap(Session.class).doWork(c -> metricStore.deleteRun(c, runId));
    }

    /** Stores one poll's metric batches once per event id ({@link MetricStore#ingest}). */
    public MetricStore.Ingested ingest(List<MetricBatch> batches) {
        return em.unwrap(Session.class).doReturningWork(c -> metricStore.ingest(c, batches));
    }

    /**
     * Points of one metric of a run in a step range: all of them if at most maxPoints, else the min and
     * max of each step bucket, read from the rollups ({@link MetricStore#read}).
     */
    public List<Downsample.Point> metric(String runId, String name, int from, int to, int maxPoints) {
        return em.unwrap(Session.class).doReturningWork(c -> metricStore.read(c, runId, name, from, to, maxPoints));
    }

    /** Names of the metrics the run has reported, sorted. */
    public List<String> metricNames(String runId) {
        return em.unwrap(Session.class).doReturningWork(c -> metricStore.names(c, runId));
    }
}
