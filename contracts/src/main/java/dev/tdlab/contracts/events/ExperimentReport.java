package dev.tdlab.contracts.events;

import dev.tdlab.contracts.SchemaVersion;

import java.util.List;

/**
 * analysis → anyone: per-cell aggregates of an experiment once it is done (key: experimentId).
 *
 * @param tenant the tenant that owns the experiment (the report also goes to its {@code results.<tenant>.reports});
 *               absent (null) in events from before tenants were carried
 */
public record ExperimentReport(
        int schemaVersion,
        String eventId,
        String experimentId,
        String name,
        String status,
        List<CellAggregate> cells,
        String tenant) implements Event {

    public static ExperimentReport of(String experimentId, String name, String status, List<CellAggregate> cells) {
        return of(experimentId, name, status, cells, null);
    }

    public static ExperimentReport of(String experimentId, String name, String status, List<CellAggregate> cells,
                                      String tenant) {
        return new ExperimentReport(SchemaVersion.CURRENT, "report:" + experimentId + ":" + status, experimentId, name,
                status, cells, tenant);
    }
}
