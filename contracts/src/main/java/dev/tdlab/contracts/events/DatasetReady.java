package dev.tdlab.contracts.events;

import dev.tdlab.contracts.SchemaVersion;

/**
 * data-gen → trainer (and analysis): a run's dataset exists (key: runId).
 *
 * @param datasetId         content address: hash of the normalized data spec and the seed
 * @param sha256            checksum of the stored tokens (train then eval)
 * @param shardCount        number of shards of the train split ({@code /datasets/{id}/shards/{n}})
 * @param evalShardCount    number of shards of the eval split (shard numbers after the train shards)
 * @param sequencesPerShard sequences in each full shard
 * @param dataUrl           base URL of the data-gen service that serves the shards
 * @param planned           the run this dataset was made for, passed on so the trainer needs nothing else
 */
public record DatasetReady(
        int schemaVersion,
        String eventId,
        String runId,
        String experimentId,
        String datasetId,
        String sha256,
        int shardCount,
        int evalShardCount,
        int sequencesPerShard,
        int trainSequences,
        int evalSequences,
        int seqLen,
        int vocab,
        Baselines baselines,
        String dataUrl,
        RunPlanned planned) implements Event {

    public static DatasetReady of(RunPlanned planned, String datasetId, String sha256, int shardCount, int evalShardCount,
                                  int sequencesPerShard, int trainSequences, int evalSequences, int seqLen, int vocab,
                                  Baselines baselines, String dataUrl) {
        return new DatasetReady(SchemaVersion.CURRENT, "ready:" + planned.runId() + ":" + datasetId + ":" + planned.rerun(),
                planned.runId(), planned.experimentId(), datasetId, sha256, shardCount, evalShardCount,
                sequencesPerShard, trainSequences, evalSequences, seqLen, vocab, baselines, dataUrl, planned);
    }
}
