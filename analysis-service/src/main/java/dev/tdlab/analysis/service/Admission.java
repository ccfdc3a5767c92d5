package dev.tdlab.analysis.service;

import dev.tdlab.analysis.problem.ProblemException;
import dev.tdlab.analysis.security.Quotas;
import dev.tdlab.analysis.store.TenantStore;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.ExperimentStatus;
import dev.tdlab.contracts.events.RunState;
import dev.tdlab.kit.DatabaseOutage;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import org.hibernate.Session;
import org.jboss.logging.Logger;

import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Admits planned submissions against their tenants' concurrent-runs quota and writes them, a batch at a time (group
 * commit): one thread takes every submission waiting, and in one transaction takes each of their tenants' locks (in
 * tenant order), counts the tenant's runs in flight once, admits the submissions in arrival order while they fit, and
 * writes the admitted experiments, runs, RunPlanned outbox rows and journal entries with one batched INSERT per
 * table. The quota stays exact (the lock is PostgreSQL's, so across replicas too; each count is taken after the lock),
 * while N concurrent submissions of one tenant cost a few transactions and commits instead of N serialized ones.
 * A batch that fails for another reason than a database outage is retried one submission per transaction, so a bad
 * submission fails alone.
 */
@ApplicationScoped
class Admission {

    private static final Logger LOG = Logger.getLogger(Admission.class);
    /** Most submissions written in one transaction. */
    static final int MAX_BATCH = 128;
    /** How long a request waits for its batch before giving up (the database is then far too slow or away). */
    static final long WAIT_SECONDS = 60;

    @Inject
    EntityManager em;
    @Inject
    TenantStore tenants;
    @Inject
    Quotas quotas;

    private final LinkedBlockingQueue<Waiting> queue = new LinkedBlockingQueue<>();
    private Thread worker;

    private record Waiting(Planning.Plan plan, CompletableFuture<Void> done) {
    }

    /**
     * Writes the plan if the tenant's concurrent-runs quota admits it; blocks until it is committed. 429 when over the
     * quota; a database outage comes back as a {@link PersistenceException} (answered 503).
     */
    void admit(Planning.Plan plan) {
        Waiting w = new Waiting(plan, new CompletableFuture<>());
        start();
        queue.add(w);
        try {
            w.done().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ProblemException || c instanceof PersistenceException) {
                throw (RuntimeException) c;
            }
            if (DatabaseOutage.transientOutage(c)) {
                throw new PersistenceException("database unavailable: " + c.getMessage(), c);
            }
            throw c instanceof RuntimeException r ? r : new IllegalStateException(c);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the submission was not written within " + WAIT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the submission was written", e);
        }
    }

    private synchronized void start() {
        if (worker == null) {
            worker = new Thread(this::loop, "tdlab-admission");
            worker.setDaemon(true);
            worker.start();
        }
    }

    synchronized void stop(@Observes ShutdownEvent event) {
        if (worker != null) {
            worker.interrupt();
        }
    }

    private void loop() {
        while (!Thread.currentThread().isInterrupted()) {
            List<Waiting> batch = new ArrayList<>();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            try {
                long t0 = System.nanoTime();
                Map<Waiting, ProblemException> refused = QuarkusTransaction.requiringNew().call(() -> write(batch));
                complete(batch, refused);
                if (LOG.isDebugEnabled()) {
                    LOG.debug(String.format(Locale.ROOT, "admission: %d submissions, %d refused, %.1f ms", batch.size(),
                            refused.size(), (System.nanoTime() - t0) / 1e6));
                }
            } catch (Throwable e) {
                if (batch.size() == 1 || DatabaseOutage.transientOutage(e)) {
                    batch.forEach(w -> w.done().completeExceptionally(e));
                    continue;
                }
                LOG.warnf("a batch of %d submissions failed (%s); writing them one by one", batch.size(), e.getMessage());
                for (Waiting w : batch) {
                    try {
                        complete(List.of(w), QuarkusTransaction.requiringNew().call(() -> write(List.of(w))));
                    } catch (Throwable one) {
                        w.done().completeExceptionally(one);
                    }
                }
            }
        }
    }

    private static void complete(List<Waiting> batch, Map<Waiting, ProblemException> refused) {
        for (Waiting w : batch) {
            ProblemException p = refused.get(w);
            if (p == null) {
                w.done().complete(null);
            } else {
                w.done().completeExceptionally(p);
            }
        }
    }

    /** In the caller's transaction: admits what fits, writes it; returns the refused submissions with their 429. */
    private Map<Waiting, ProblemException> write(List<Waiting> batch) {
        Map<String, List<Waiting>> byTenant = new TreeMap<>(); // locks in tenant order: two batches never deadlock
        for (Waiting w : batch) {
            byTenant.computeIfAbsent(w.plan().tenant(), t -> new ArrayList<>()).add(w);
        }
        Map<Waiting, ProblemException> refused = new LinkedHashMap<>();
        List<Planning.Plan> admitted = new ArrayList<>();
        for (Map.Entry<String, List<Waiting>> t : byTenant.entrySet()) {
            tenants.lock(t.getKey());                     // until the commit
            Quotas.Limits limits = quotas.of(t.getKey());
            long active = tenants.activeRuns(t.getKey()); // a statement after the lock: sees every earlier commit
            for (Waiting w : t.getValue()) {
                ProblemException over = Quotas.overConcurrent(limits, active, w.plan().runCount());
                if (over == null) {
                    active += w.plan().runCount();
                    admitted.add(w.plan());
                } else {
                    refused.put(w, over);
                }
            }
        }
        insert(admitted);
        return refused;
    }

    /** One batched INSERT per table (the driver rewrites each batch into multi-row INSERTs). */
    private void insert(List<Planning.Plan> plans) {
        if (plans.isEmpty()) {
            return;
        }
        em.unwrap(Session.class).doWork(c -> {
            try (PreparedStatement e = c.prepareStatement("INSERT INTO experiments (id, tenant_id, name, status, spec_json, "
                    + "run_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
                 PreparedStatement r = c.prepareStatement("INSERT INTO runs (id, experiment_id, cell_id, cell_json, seed, "
                         + "status, total_steps, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
                 PreparedStatement o = c.prepareStatement("INSERT INTO outbox (topic, msg_key, payload) VALUES (?, ?, ?)");
                 PreparedStatement j = c.prepareStatement("INSERT INTO experiment_events (experiment_id, type, run_id, payload) "
                         + "VALUES (?, ?, ?, ?)")) {
                for (Planning.Plan p : plans) {
                    e.setString(1, p.id());
                    e.setString(2, p.tenant());
                    e.setString(3, p.name());
                    e.setString(4, ExperimentStatus.PLANNED.name());
                    e.setString(5, p.specJson());
                    e.setInt(6, p.runCount());
                    e.setObject(7, p.createdAt());
                    e.setObject(8, p.createdAt());
                    e.addBatch();
                    for (Planning.PlannedRun run : p.runs()) {
                        r.setString(1, run.id());
                        r.setString(2, p.id());
                        r.setString(3, run.cellId());
                        r.setString(4, run.cellJson());
                        r.setLong(5, run.seed());
                        r.setString(6, RunState.PLANNED.name());
                        r.setInt(7, run.totalSteps());
                        r.setObject(8, p.createdAt());
                        r.addBatch();
                        o.setString(1, Topics.RUNS_PLANNED);
                        o.setString(2, run.id());
                        o.setString(3, run.event());
                        o.addBatch();
                    }
                    j.setString(1, p.id());
                    j.setString(2, "experiment");
                    j.setString(3, null);
                    j.setString(4, p.journalJson());
                    j.addBatch();
                }
                e.executeBatch(); // experiments before their runs (foreign key)
                r.executeBatch();
                o.executeBatch(); // outbox ids in submission order: the relay publishes in that order
                j.executeBatch();
            }
        });
    }
}
