package dev.tdlab.analysis.mapping;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tdlab.analysis.security.Quotas;
import dev.tdlab.analysis.store.TenantStore;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** The small response bodies of the API, one record each. */
public final class Responses {

    private Responses() {
    }

    /** {@code POST /experiments} → 201. */
    public record Submitted(String id, String status, int runCount) {
    }

    /** One experiment of a listing. */
    public record ExperimentSummary(String id, String name, String status, int runCount, OffsetDateTime createdAt,
                                    String tenant) {
    }

    /** {@code GET /experiments}: a page, newest first. */
    public record ExperimentPage(List<ExperimentSummary> items, int page, int size, long total) {
    }

    /** {@code DELETE /experiments/{id}}. */
    public record Cancelled(String id, String status, boolean cancelled) {
    }

    /** {@code POST /experiments/{id}/rerun}. */
    public record Rerun(String id, int rerunRuns, String status) {
    }

    /** One metric's points; a value is a number, or the string "NaN", "Infinity" or "-Infinity". */
    public record Series(List<Integer> steps, List<Object> values) {
    }

    /** {@code GET /runs/{id}/metrics}. */
    public record RunMetrics(String runId, Map<String, Series> metrics) {
    }

    /** {@code GET /runs/{id}/verdict}: {@code optimum} is the entropy rate. */
    public record RunVerdictView(String runId, String verdict, Double finalEvalLoss, Double optimum,
                                 Double unigramEntropy, Double gapToOptimum, Double tolerance, Integer convergenceStep,
                                 Double gapLow, Double gapHigh, RunView.ConvergenceRate convergenceRate,
                                 Integer stepsNearSaddle, JsonNode plateaus) {
    }

    /** {@code GET /experiments/{id}/report.json}: the experiment view and its phase diagram (null unless two numeric axes). */
    public record Report(@JsonUnwrapped ExperimentView experiment, PhaseDiagram phase) {
    }

    /** Fraction of GLOBAL verdicts over a two-axis sweep: rows = values of the y axis (descending), columns = xs. */
    public record PhaseDiagram(String xAxis, String yAxis, List<Double> xs, List<PhaseRow> rows, String theoryLine) {
    }

    public record PhaseRow(double y, List<PhaseCell> cells) {
    }

    /** One entry; {@code pPlusQ} and {@code side} (of the line p + q = 1) only for a (data.p, data.q) sweep. */
    public record PhaseCell(double x, double y, Double fractionGlobal, int runs, int global, int unresolved,
                            boolean uninformative,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Double pPlusQ,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String side) {
    }

    /** {@code GET /me}. */
    public record Me(boolean admin, String tenant, Quotas.Limits quotas, long activeRuns) {
    }

    /** A tenant: its effective quotas, its overrides (null: the default) and its runs in flight. */
    public record TenantView(String id, String name, OffsetDateTime createdAt, Quotas.Limits quotas,
                             TenantStore.QuotaOverrides overrides,
                             long activeRuns) {
    }

    /** {@code DELETE /tenants/{t}/tokens/{id}}. */
    public record Revoked(String id, String tenant, boolean revoked) {
    }

    /** {@code GET /templates}: one named template and the spec it submits. */
    public record TemplateView(String name, String paper, String claim, String measures, JsonNode spec) {
    }
}
