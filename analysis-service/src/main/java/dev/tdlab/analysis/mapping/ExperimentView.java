package dev.tdlab.analysis.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tdlab.analysis.verdict.Claims;
import dev.tdlab.contracts.events.CellAggregate;

import java.time.OffsetDateTime;
import java.util.List;

/** {@code GET /experiments/{id}}: the experiment with its spec, its runs, per-cell aggregates and the claims judged. */
public record ExperimentView(String id, String name, String status, String tenant, int runCount,
                             OffsetDateTime createdAt, OffsetDateTime updatedAt, JsonNode spec, List<RunView> runs,
                             List<CellAggregate> cells, List<Claims.Claim> claims) {
}
