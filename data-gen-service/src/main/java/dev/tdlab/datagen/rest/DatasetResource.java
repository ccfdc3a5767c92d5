package dev.tdlab.datagen.rest;

import dev.tdlab.datagen.store.DatasetEntity;
import dev.tdlab.datagen.store.DatasetService;
import dev.tdlab.datagen.store.ShardEntity;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Datasets over REST: metadata and theory, binary shards, small JSON previews. */
@Path("/api/v1/datasets")
public class DatasetResource {

    @Inject
    DatasetService datasets;

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> get(@PathParam("id") String id) {
        DatasetEntity e = found(id);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", e.id);
        out.put("seed", e.seed);
        out.put("vocab", e.vocab);
        out.put("seqLen", e.seqLen);
        out.put("tokensPerSequence", e.seqLen + 1);
        out.put("trainSequences", e.trainSequences);
        out.put("evalSequences", e.evalSequences);
        out.put("sequencesPerShard", e.sequencesPerShard);
        out.put("shardCount", e.shardCount);
        out.put("evalShardCount", e.evalShardCount);
        out.put("sha256", e.sha256);
        Map<String, Object> baselines = new LinkedHashMap<>();
        baselines.put("entropyRate", e.entropyRate);
        baselines.put("unigramEntropy", e.unigramEntropy);
        baselines.put("stationary", datasets.stationary(e));
        out.put("baselines", baselines);
        out.put("spec", e.specJson);
        out.put("createdAt", e.createdAt);
        return out;
    }

    /** Shard n: train shards first (0..shardCount-1), then eval shards. One byte per token, row-major. */
    @GET
    @Path("/{id}/shards/{n}")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public Response shard(@PathParam("id") String id, @PathParam("n") int n) {
        found(id);
        ShardEntity s = datasets.shard(id, n);
        if (s == null) {
            throw new NotFoundException("dataset " + id + " has no shard " + n);
        }
        return Response.ok(s.data)
                .header("X-Checksum-SHA256", s.sha256)
                .header("X-Sequences", s.sequences)
                .header("X-Split", s.split)
                .build();
    }

    @GET
    @Path("/{id}/preview")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> preview(@PathParam("id") String id, @QueryParam("n") @DefaultValue("4") int n) {
        if (n < 1 || n > 100) {
            throw new BadRequestException("n must be in [1, 100]");
        }
        DatasetEntity e = found(id);
        ShardEntity s = datasets.shard(id, 0);
        int row = e.seqLen + 1;
        List<int[]> seqs = new ArrayList<>();
        for (int i = 0; i < Math.min(n, s.sequences); i++) {
            int[] seq = new int[row];
            for (int t = 0; t < row; t++) {
                seq[t] = s.data[i * row + t];
            }
            seqs.add(seq);
        }
        return Map.of("id", id, "split", "train", "sequences", seqs);
    }

    private DatasetEntity found(String id) {
        DatasetEntity e = datasets.find(id);
        if (e == null) {
            throw new NotFoundException("no dataset " + id);
        }
        return e;
    }
}
