package dev.tdlab.contracts.events;

import dev.tdlab.contracts.SchemaVersion;

/**
 * analysis → trainer: a command about a run (key: runId). {@code CANCEL} stops its training within a
 * heartbeat (about 2 s) and keeps it from starting if it has not started yet.
 */
public record RunControl(int schemaVersion, String eventId, String runId, String experimentId, String action)
        implements Event {

    public static final String CANCEL = "CANCEL";

    public static RunControl cancel(String runId, String experimentId) {
        return new RunControl(SchemaVersion.CURRENT, "cancel:" + runId + ":" + System.currentTimeMillis(), runId,
                experimentId, CANCEL);
    }
}
