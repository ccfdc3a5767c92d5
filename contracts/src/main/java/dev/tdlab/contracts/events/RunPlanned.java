package dev.tdlab.contracts.events;

import dev.tdlab.contracts.SchemaVersion;
import dev.tdlab.contracts.spec.RunSpec;

import java.util.Map;

/**
 * analysis → data-gen: a run to prepare (key: runId).
 *
 * @param rerun 0 when first planned; n for the n-th rerun of a failed or cancelled run
 */
public record RunPlanned(
        int schemaVersion,
        String eventId,
        String runId,
        String experimentId,
        String cellId,
        Map<String, Object> cell,
        RunSpec run,
        int rerun) implements Event {

    public static RunPlanned of(String runId, String experimentId, String cellId, Map<String, Object> cell, RunSpec run,
                                int rerun) {
        return new RunPlanned(SchemaVersion.CURRENT, "planned:" + runId + ":" + rerun, runId, experimentId, cellId, cell,
                run, rerun);
    }
}
