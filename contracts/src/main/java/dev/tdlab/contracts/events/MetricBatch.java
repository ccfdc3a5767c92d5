package dev.tdlab.contracts.events;

import dev.tdlab.contracts.SchemaVersion;

import java.util.Map;

/**
 * trainer → analysis: the metrics of a run over a step range (key: runId). The event id is
 * derived from (run, attempt, step range) so a re-sent batch is recognised.
 *
 * @param fromStep first step in the batch (inclusive)
 * @param toStep   last step in the batch (inclusive)
 * @param metrics  metric name (train_loss, eval_loss, grad_norm, ...) → its points in the range
 */
public record MetricBatch(
        int schemaVersion,
        String eventId,
        String runId,
        String experimentId,
        int attempt,
        int fromStep,
        int toStep,
        Map<String, MetricSeries> metrics) implements Event {

    public static MetricBatch of(String runId, String experimentId, int attempt, int fromStep, int toStep,
                                 Map<String, MetricSeries> metrics) {
        return new MetricBatch(SchemaVersion.CURRENT, "metrics:" + runId + ":" + attempt + ":" + fromStep + "-" + toStep,
                runId, experimentId, attempt, fromStep, toStep, metrics);
    }
}
