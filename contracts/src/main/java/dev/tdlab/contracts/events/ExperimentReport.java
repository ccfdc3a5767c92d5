package dev.tdlab.contracts.events;

import dev.tdlab.contracts.SchemaVersion;

import java.util.List;

/** analysis → anyone: per-cell aggregates of an experiment once it is done (key: experimentId). */
public record ExperimentReport(
        int schemaVersion,
        String eventId,
        String experimentId,
        String name,
        String status,
        List<CellAggregate> cells) implements Event {

    public static ExperimentReport of(String experimentId, String name, String status, List<CellAggregate> cells) {
        return new ExperimentReport(SchemaVersion.CURRENT, "report:" + experimentId + ":" + status, experimentId, name,
                status, cells);
    }
}
