package dev.tdlab.trainer.runner;

import dev.tdlab.devstack.Postgres;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lease owner ids of the trainer's workers on the real run queue (the service's own {@link RunQueue} and Flyway
 * schema on a real PostgreSQL from devstack). The workers are not started ({@code tdlab.trainer.workers=0}): the
 * test plays worker 0 and worker 1 with the owner ids {@link RunExecutor#ownerOf} gives them.
 *
 * <p>The long-outage case: worker 0 holds a run and heartbeats; its sibling cannot claim it. Then worker 0 is cut off
 * for longer than its lease (a long broker outage blocks its sends, so no heartbeat); the run is claimable again and
 * the sibling takes it (attempt 2). When worker 0 comes back, its heartbeat must fail (it stops: lease lost) and its
 * end of the run must not touch the sibling's attempt. With one owner id per process, both kept training the run.
 */
@QuarkusTest
@QuarkusTestResource(value = WorkerLeaseIT.Database.class, restrictToAnnotatedClass = true)
class WorkerLeaseIT {

    /** devstack's PostgreSQL for the Quarkus app under test; Kafka points at a closed port (not used here). */
    public static class Database implements QuarkusTestResourceLifecycleManager {
        static Postgres pg;

        @Override
        public Map<String, String> start() {
            try {
                Path dir = Files.createTempDirectory("trainer-lease-it");
                pg = Postgres.start(dir.resolve("pg"), 0);
                pg.createDatabaseIfAbsent("tdlab");
                return Map.of(
                        "quarkus.datasource.jdbc.url", pg.jdbcUrl("tdlab"),
                        "quarkus.datasource.username", pg.user(),
                        "quarkus.datasource.password", pg.password(),
                        "kafka.bootstrap.servers", "127.0.0.1:" + dev.tdlab.devstack.Ports.freePort(),
                        "tdlab.trainer.workers", "0");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void stop() {
            if (pg != null) {
                pg.close();
            }
        }
    }

    @Inject
    RunQueue queue;
    @Inject
    RunExecutor executor;

    @Test
    void eachWorkerHasItsOwnOwnerIdInOneProcess() {
        String w0 = executor.ownerOf(0);
        String w1 = executor.ownerOf(1);
        assertNotEquals(w0, w1);
        assertTrue(w0.endsWith("-w0") && w1.endsWith("-w1"), w0 + ", " + w1);
        assertEquals(w0.substring(0, w0.length() - 3), w1.substring(0, w1.length() - 3), "the same process prefix");
    }

    @Test
    void aSiblingDoesNotKeepOrShareARunAfterALongOutage() throws Exception {
        String w0 = executor.ownerOf(0);
        String w1 = executor.ownerOf(1);
        String run = "lease-" + System.nanoTime();
        assertTrue(queue.enqueue(RunQueueIT.ready(run, 0)));
        int lease = 2;
        RunQueue.Claimed first = queue.claim(w0, lease);
        assertNotNull(first);
        assertEquals(run, first.runId());
        assertEquals(1, first.attempt());

        // worker 0 holds the run and heartbeats: its sibling finds nothing to claim, for several lease lengths
        long until = System.nanoTime() + 3L * lease * 1_000_000_000L;
        int beats = 0;
        for (int step = 1; System.nanoTime() < until; step++) {
            assertTrue(queue.heartbeat(run, w0, step, lease), "worker 0 keeps its lease");
            beats++;
            assertNull(queue.claim(w1, lease), "the sibling must not claim a run worker 0 holds and heartbeats");
            Thread.sleep(400);
        }
        assertTrue(beats >= 5, "heartbeats: " + beats);
        assertRow(run, "RUNNING", w0, 1);

        // the long outage: no heartbeat from worker 0 for longer than its lease; the run is re-claimed (attempt 2)
        Thread.sleep(lease * 1000L + 1500);
        RunQueue.Claimed second = queue.claim(w1, 60);
        assertNotNull(second, "an expired lease makes the run claimable");
        assertEquals(run, second.runId());
        assertEquals(2, second.attempt());

        // worker 0 is back: it must learn that it lost the run (and stop), and must not end the sibling's attempt
        assertFalse(queue.heartbeat(run, w0, 999, lease), "worker 0 still passes the owner check: two workers train one run");
        queue.end(run, w0, "CANCELLED", 999, "lease lost or cancelled");
        queue.release(run, w0, 999);
        assertRow(run, "RUNNING", w1, 2);
        assertTrue(queue.heartbeat(run, w1, 10, 60), "the sibling holds the run");
        queue.end(run, w1, "FINISHED", 10, null);
        assertRow(run, "FINISHED", w1, 2);
    }

    private static void assertRow(String run, String state, String owner, int attempt) throws Exception {
        try (Connection c = Database.pg.connect("tdlab");
             PreparedStatement ps = c.prepareStatement("SELECT state, owner, attempt FROM trainer.runs WHERE run_id = ?")) {
            ps.setString(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), run);
                assertEquals(state, rs.getString(1));
                assertEquals(owner, rs.getString(2));
                assertEquals(attempt, rs.getInt(3));
            }
        }
    }
}
