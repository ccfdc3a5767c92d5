package dev.tdlab.analysis.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tdlab.contracts.spec.DataSpec;

import java.util.List;

/** Response bodies of the external-run endpoints (runs trained outside the lab, {@code train.external: true}). */
public final class ExternalRunViews {

    private ExternalRunViews() {
    }

    /**
     * {@code POST /runs/{id}/metrics}: the batch and how many points it carried; {@code applied} is false when a batch
     * with this id was stored before (a retry: nothing changed).
     */
    public record MetricsLogged(String runId, String batchId, int points, boolean applied) {
    }

    /**
     * {@code GET /runs/{id}/dataset}: what a run is trained on. {@code data} and {@code seed} determine the bytes
     * (to generate the same data locally); {@code dataset} is data-gen's metadata (format, encoding, baselines,
     * theory, shard counts); {@code shards} the proxy URLs of every shard, train shards first, then eval shards.
     */
    public record RunDataset(String runId, String experimentId, long seed, String datasetId, DataSpec data,
                             JsonNode dataset, int shardCount, int evalShardCount, List<String> shards) {
    }
}
