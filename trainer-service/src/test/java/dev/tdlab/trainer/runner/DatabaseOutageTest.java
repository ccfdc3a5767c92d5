package dev.tdlab.trainer.runner;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A PostgreSQL outage (give the run back) told apart from a real failure (the run FAILED). */
class DatabaseOutageTest {

    @Test
    void connectionLossShutdownRecoveryAndPoolTimeoutsAreOutages() {
        // what the trainer saw when ChaosIT killed PostgreSQL: I/O error (08006), then "the database system is not yet
        // accepting connections" (57P03) while it recovered
        assertTrue(DatabaseOutage.in(new RuntimeException(new SQLException("I/O error", "08006"))));
        assertTrue(DatabaseOutage.in(new RuntimeException(new SQLException("not yet accepting connections", "57P03"))));
        assertTrue(DatabaseOutage.in(new RuntimeException(new SQLException("postmaster exit", "57P01"))));
        assertTrue(DatabaseOutage.in(new IllegalStateException(new RuntimeException(new SQLTransientConnectionException("timeout")))));
        // a commit that failed: the driver's exception is only a suppressed one of the XAException under the rollback
        Exception rollback = new Exception("ARJUNA016053: Could not commit transaction.");
        Exception xa = new Exception("Error trying to transactionCommit local transaction",
                new SQLException("An I/O error occurred while sending to the backend.", "08006"));
        rollback.addSuppressed(xa);
        assertTrue(DatabaseOutage.in(new RuntimeException("Error invoking subclass method", rollback)));
    }

    @Test
    void otherFailuresAreNot() {
        assertFalse(DatabaseOutage.in(new IllegalArgumentException("bad spec")));
        assertFalse(DatabaseOutage.in(new RuntimeException(new SQLException("unique violation", "23505"))));
        assertFalse(DatabaseOutage.in(new java.io.IOException("shard checksum mismatch")));
        assertFalse(DatabaseOutage.in(new OutOfMemoryError()));
    }
}
