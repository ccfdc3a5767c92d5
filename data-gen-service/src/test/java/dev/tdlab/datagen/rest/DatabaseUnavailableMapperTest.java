package dev.tdlab.datagen.rest;

import jakarta.persistence.PersistenceException;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which persistence errors are a database outage (503, retried by clients) and which stay a 500. */
class DatabaseUnavailableMapperTest {

    static PersistenceException wrapping(SQLException e) {
        return new PersistenceException("JDBC exception executing SQL", e);
    }

    @Test
    void connectionLossShutdownAndRecoveryAreOutages() {
        // what data-gen saw when ChaosIT killed PostgreSQL: FATAL: terminating connection due to unexpected postmaster exit
        assertTrue(DatabaseUnavailableMapper.transientOutage(wrapping(new SQLException("postmaster exit", "57P01"))));
        assertTrue(DatabaseUnavailableMapper.transientOutage(wrapping(new SQLException("I/O error", "08006"))));
        assertTrue(DatabaseUnavailableMapper.transientOutage(wrapping(new SQLException("connection refused", "08001"))));
        assertTrue(DatabaseUnavailableMapper.transientOutage(wrapping(new SQLException("the database system is starting up", "57P03"))));
        assertTrue(DatabaseUnavailableMapper.transientOutage(new PersistenceException(new RuntimeException(
                new SQLTransientConnectionException("Acquisition timeout")))));
    }

    @Test
    void otherErrorsStayInternalErrors() {
        assertFalse(DatabaseUnavailableMapper.transientOutage(wrapping(new SQLException("duplicate key", "23505"))));
        assertFalse(DatabaseUnavailableMapper.transientOutage(wrapping(new SQLException("syntax", "42601"))));
        assertFalse(DatabaseUnavailableMapper.transientOutage(wrapping(new SQLException("no state"))));
        assertFalse(DatabaseUnavailableMapper.transientOutage(new PersistenceException("no cause")));
    }

    @Test
    void anOutageAnswers503WithRetryAfter() {
        var r = new DatabaseUnavailableMapper().map(wrapping(new SQLException("postmaster exit", "57P01")));
        assertEquals(503, r.getStatus());
        assertEquals("1", r.getHeaderString("Retry-After"));
        assertEquals(500, new DatabaseUnavailableMapper().map(wrapping(new SQLException("dup", "23505"))).getStatus());
    }
}
