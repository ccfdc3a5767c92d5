package dev.tdlab.trainer.runner;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.events.Baselines;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.contracts.events.RunPlanned;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.contracts.spec.RunSpec;
import dev.tdlab.devstack.Postgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RunQueue on a real PostgreSQL (devstack, in this JVM) with the service's own Flyway migrations: a run is handed
 * to a worker as the typed event that queued it; redeliveries change nothing; a lease is held by heartbeats, lost
 * to another trainer when it expires (attempt + 1), handed back on shutdown; cancel stops queued, running and
 * not-yet-seen runs; a rerun re-queues an ended run; concurrent claims never hand one run to two workers.
 */
class RunQueueIT {

    static Postgres pg;
    static PGSimpleDataSource ds;
    static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    static RunQueue queue;

    @BeforeAll
    static void start() throws Exception {
        Path work = Paths.get("target/it-runqueue").toAbsolutePath();
        if (Files.exists(work)) {
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        pg = Postgres.start(work.resolve("pg"), 0);
        pg.createDatabaseIfAbsent("trainer_it");
        Flyway.configure().dataSource(pg.jdbcUrl("trainer_it"), pg.user(), pg.password())
                .schemas("trainer").defaultSchema("trainer").createSchemas(true).locations("classpath:db/migration")
                .load().migrate();
        ds = new PGSimpleDataSource();
        ds.setUrl(pg.jdbcUrl("trainer_it"));
        ds.setUser(pg.user());
        ds.setPassword(pg.password());
        ds.setCurrentSchema("trainer"); // as the service's quarkus.datasource.jdbc.additional-jdbc-properties
        queue = RunQueue.on(ds, MAPPER);
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void empty() throws Exception {
        sql("DELETE FROM runs");
    }

    static void sql(String statement) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    static String state(String runId) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT state || '/' || step FROM runs WHERE run_id = '" + runId + "'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static DatasetReady ready(String runId, int rerun) {
        RunSpec spec = new RunSpec(new DataSpec("markov", 1, 2, 0.2, 0.3, null, null, 64, 256, 64), null, null, 7);
        RunPlanned planned = RunPlanned.of(runId, "e1", "c1", Map.of("train.lr", 0.01, "seed", 7), spec, rerun);
        return DatasetReady.of(planned, "ds-" + runId, "abc", 2, 1, 128, 256, 64, 64, 2,
                new Baselines(0.5, 0.9, List.of(0.6, 0.4)), "http://data-gen:8081");
    }

    @Test
    void aClaimedRunCarriesTheTypedEventThatQueuedIt() {
        DatasetReady r = ready("r1", 0);
        assertTrue(queue.enqueue(r));
        assertFalse(queue.enqueue(r), "a redelivered event changes nothing");
        RunQueue.Claimed c = queue.claim("w1", 60);
        assertNotNull(c);
        assertEquals("r1", c.runId());
        assertEquals("e1", c.experimentId());
        assertEquals(1, c.attempt());
        assertEquals(0, c.rerun());
        assertEquals(r, c.ready());
        assertNull(queue.claim("w2", 60), "a leased run is nobody else's");
    }

    @Test
    void claimsTakeTheOldestFirst() throws Exception {
        queue.enqueue(ready("a", 0));
        queue.enqueue(ready("b", 0));
        sql("UPDATE runs SET created_at = now() - interval '1 minute' WHERE run_id = 'b'");
        assertEquals("b", queue.claim("w", 60).runId());
        assertEquals("a", queue.claim("w", 60).runId());
        assertNull(queue.claim("w", 60));
    }

    @Test
    void heartbeatsKeepTheLeaseOnlyForItsOwner() throws Exception {
        queue.enqueue(ready("r1", 0));
        queue.claim("w1", 60);
        assertTrue(queue.heartbeat("r1", "w1", 10, 60));
        assertEquals("RUNNING/10", state("r1"));
        assertFalse(queue.heartbeat("r1", "w2", 20, 60));
        assertEquals("RUNNING/10", state("r1"));
    }

    @Test
    void anExpiredLeaseIsClaimedAgainWithTheNextAttempt() throws Exception {
        queue.enqueue(ready("r1", 0));
        assertEquals(1, queue.claim("dead", 60).attempt());
        assertNull(queue.claim("w2", 60), "the lease has not expired");
        sql("UPDATE runs SET lease_until = now() - interval '1 second'");
        RunQueue.Claimed again = queue.claim("w2", 60);
        assertEquals("r1", again.runId());
        assertEquals(2, again.attempt());
        assertFalse(queue.heartbeat("r1", "dead", 5, 60), "the old owner lost it");
        assertTrue(queue.heartbeat("r1", "w2", 5, 60));
        queue.end("r1", "dead", "FAILED", 0, "late");
        assertEquals("RUNNING/5", state("r1"), "an old owner cannot end it");
    }

    @Test
    void aReleasedRunGoesBackToTheQueueWithItsStep() throws Exception {
        queue.enqueue(ready("r1", 0));
        queue.claim("w1", 60);
        queue.release("r1", "w1", 40);
        assertEquals("QUEUED/40", state("r1"));
        RunQueue.Claimed c = queue.claim("w2", 60);
        assertEquals(2, c.attempt());
        queue.release("r1", "w1", 99);
        assertEquals("RUNNING/40", state("r1"), "only the owner hands a run back");
    }

    @Test
    void cancelStopsQueuedRunningAndUnseenRuns() throws Exception {
        queue.enqueue(ready("queued", 0));
        queue.enqueue(ready("running", 0));
        sql("UPDATE runs SET created_at = now() - interval '1 minute' WHERE run_id = 'running'");
        assertEquals("running", queue.claim("w", 60).runId());
        queue.cancel("queued", "e1");
        queue.cancel("running", "e1");
        queue.cancel("unseen", "e1");
        assertEquals("CANCELLED/0", state("queued"));
        assertFalse(queue.heartbeat("running", "w", 3, 60), "a cancelled run stops at its next heartbeat");
        assertFalse(queue.enqueue(ready("unseen", 0)), "its datasets.ready does not start a cancelled run");
        assertNull(queue.claim("w", 60));
        assertTrue(queue.enqueue(ready("unseen", 1)), "a rerun does");
        assertEquals("unseen", queue.claim("w", 60).runId());
    }

    @Test
    void aRerunQueuesAnEndedRunAgainButNotARunningOne() throws Exception {
        queue.enqueue(ready("r1", 0));
        queue.claim("w", 60);
        assertFalse(queue.enqueue(ready("r1", 1)), "a running run finishes its attempt first");
        queue.end("r1", "w", "FAILED", 0, "boom");
        assertEquals("FAILED/0", state("r1"));
        assertFalse(queue.enqueue(ready("r1", 0)));
        assertTrue(queue.enqueue(ready("r1", 1)));
        RunQueue.Claimed c = queue.claim("w", 60);
        assertEquals(1, c.rerun());
        assertEquals(1, c.ready().planned().rerun());
    }

    @Test
    void concurrentClaimsNeverHandOneRunToTwoWorkers() throws Exception {
        int runs = 40;
        for (int i = 0; i < runs; i++) {
            queue.enqueue(ready("run-" + i, 0));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<List<String>>> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                String owner = "w" + w;
                workers.add(() -> {
                    List<String> got = new ArrayList<>();
                    for (RunQueue.Claimed c; (c = queue.claim(owner, 60)) != null; ) {
                        got.add(c.runId());
                    }
                    return got;
                });
            }
            List<String> all = Collections.synchronizedList(new ArrayList<>());
            for (Future<List<String>> f : pool.invokeAll(workers)) {
                all.addAll(f.get());
            }
            Set<String> distinct = new HashSet<>(all);
            assertEquals(runs, all.size());
            assertEquals(runs, distinct.size());
        } finally {
            pool.shutdownNow();
        }
    }
}
