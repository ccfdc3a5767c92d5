package dev.tdlab.contracts.events;

import dev.tdlab.contracts.SchemaVersion;
import dev.tdlab.contracts.spec.RunSpec;

import java.util.Map;

/** analysis → data-gen: a run to prepare (key: runId). */
public record RunPlanned(
        int schemaVersion,
        String eventId,
        String runId,
        String experimentId,
        String cellId,
        Map<String, Object> cell,
        RunSpec run) implements Event {

    public static RunPlanned of(String runId, String experimentId, String cellId, Map<String, Object> cell, RunSpec run) {
        return new RunPlanned(SchemaVersion.CURRENT, "planned:" + runId, runId, experimentId, cellId, cell, run);
    }
}
