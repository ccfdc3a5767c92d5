package dev.tdlab.analysis.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/**
 * The request bodies that the resources read as text or a JSON tree (to name every bad field themselves), typed here
 * for the OpenAPI document only: {@code @RequestBody} of the operations points at these records.
 */
final class OpenApiSchemas {

    private OpenApiSchemas() {
    }

    /** {@code POST /runs/{id}/metrics}. */
    @Schema(name = "MetricsBatch", description = "One batch of metric points, stored atomically; the same batchId again changes nothing")
    record MetricsBatch(
            @Schema(required = true, maxLength = 128, pattern = "^[A-Za-z0-9_.:-]+$", description = "client-chosen id of the batch; a retry sends the same id")
            String batchId,
            @Schema(required = true, minItems = 1, maxItems = 10000, description = "the points, at most 10,000")
            List<MetricPoint> metrics) {
    }

    @Schema(name = "MetricPoint", description = "One value of one metric at one step")
    record MetricPoint(
            @Schema(required = true, maxLength = 250, pattern = "^[A-Za-z0-9_./ -]+$", description = "metric name: train_loss, eval_loss, ...")
            String name,
            @Schema(required = true, minimum = "0", description = "training step")
            int step,
            @Schema(required = true, description = "a number, or the string NaN, Infinity or -Infinity")
            double value,
            @Schema(description = "ignored (accepted for MLflow-style clients)")
            Long timestamp) {
    }

    /** {@code POST /runs/{id}/finish}. */
    @Schema(name = "FinishRun", description = "The end of a run trained outside the lab")
    record FinishRun(
            @Schema(required = true, enumeration = {"FINISHED", "FAILED"}) String status,
            @Schema(description = "why it failed (FAILED)", maxLength = 2000) String error,
            @Schema(description = "final eval loss; default: the last logged eval_loss (logged at the last step)") Double finalEvalLoss,
            @Schema(description = "standard error of the final eval loss over the eval set", minimum = "0") Double finalEvalStdErr,
            @Schema(description = "final train loss; default: the last logged train_loss") Double finalTrainLoss,
            @Schema(description = "wall time of the training", minimum = "0") Double secondsElapsed) {
    }
}
