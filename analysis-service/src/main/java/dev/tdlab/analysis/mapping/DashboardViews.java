package dev.tdlab.analysis.mapping;

import dev.tdlab.analysis.verdict.Claims;
import dev.tdlab.contracts.events.CellAggregate;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** The response bodies of the dashboard's queries (rest/DashboardResource), one record each. */
public final class DashboardViews {

    private DashboardViews() {
    }

    /**
     * {@code GET /experiments/{id}/aggregates}: everything about an experiment but its runs: the per-cell aggregates
     * (from the cache, service/CellAggregates), the phase diagram (null unless the sweep has two numeric axes) and the
     * claims.
     */
    public record Aggregates(String experimentId, String status, int runCount, List<CellAggregate> cells,
                             Responses.PhaseDiagram phase, List<Claims.Claim> claims) {
    }

    /** {@code GET /experiments/{id}/cells?ids=}: the aggregates of the cells asked for, in cell order. */
    public record Cells(String experimentId, List<CellAggregate> cells) {
    }

    /** One metric name and how many of the experiment's runs reported it. */
    public record MetricName(String name, int runs) {
    }

    /** {@code GET /experiments/{id}/metric-names}: every metric any run of the experiment reported, sorted. */
    public record MetricNames(String experimentId, List<MetricName> metrics) {
    }

    /**
     * One run's series of one metric (at most maxPoints points, downsampled as {@code GET /runs/{id}/metrics}); a
     * value is a number or the string "NaN", "Infinity", "-Infinity".
     */
    public record RunCurve(String runId, String cellId, Map<String, Object> cell, long seed, String verdict,
                           List<Integer> steps, List<Object> values) {
    }

    /** {@code GET /experiments/{id}/curves?metric=}: one metric of every run (that reported it) in one response. */
    public record Curves(String experimentId, String metric, int maxPoints, List<RunCurve> runs) {
    }

    /** One run found by {@code GET /search/runs}, with its experiment's name and creation time. */
    public record RunHit(String runId, String experimentId, String experimentName, OffsetDateTime createdAt,
                         Map<String, Object> cell, long seed, String status, String verdict, Double finalEvalLoss,
                         Double gapToOptimum, Integer convergenceStep) {
    }

    /** {@code GET /search/runs}: the runs that match (newest experiment first), at most {@code limit}, and the total. */
    public record RunSearch(List<RunHit> items, long total, int limit) {
    }
}
