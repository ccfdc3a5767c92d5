package dev.tdlab.datagen.rest;

import dev.tdlab.contracts.shards.ShardEncoding;
import dev.tdlab.contracts.shards.ShardProtocol;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.contracts.spec.SpecValidator;
import dev.tdlab.contracts.spec.Violation;
import dev.tdlab.core.data.PatchDataset;
import dev.tdlab.core.data.TokenCodec;
import dev.tdlab.datagen.store.DatasetEntity;
import dev.tdlab.datagen.service.DatasetService;
import dev.tdlab.datagen.store.ShardEntity;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Datasets over REST: generate (or find) one, its metadata and theory, binary shards, small JSON previews. */
@Path(ShardProtocol.DATASETS_PATH)
public class DatasetResource {

    static final String PROBLEM_JSON = "application/problem+json";
    /** Most values a preview returns. */
    static final int MAX_PREVIEW_VALUES = 200_000;

    @Inject
    DatasetService datasets;

    /** The body of {@code POST /api/v1/datasets}. */
    public record CreateRequest(DataSpec data, Long seed) {
    }

    /**
     * Generates the dataset of a data spec and seed, or finds it: 201 with {@code Location} when this request made it,
     * 200 when it existed; 400 problem+json naming every bad field (nothing is stored).
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, PROBLEM_JSON})
    public Response create(CreateRequest req, @Context UriInfo uri) {
        List<Violation> bad = new ArrayList<>();
        if (req == null) {
            bad.add(new Violation("", "the body must be {\"data\": {...}, \"seed\": n}"));
        } else {
            bad.addAll(SpecValidator.validateData(req.data()));
            if (req.seed() != null && req.seed() < 0) {
                bad.add(new Violation("seed", "must be a non-negative integer"));
            }
        }
        if (!bad.isEmpty()) {
            return problem(400, "invalid data spec", "the data spec has " + bad.size() + " problem(s)", bad);
        }
        DatasetService.Outcome o;
        try {
            o = datasets.getOrCreate(req.data().withDefaults(), req.seed() == null ? 0L : req.seed());
        } catch (IllegalArgumentException e) {
            return problem(400, "the data cannot be generated", e.getMessage(), List.of(new Violation("data", e.getMessage())));
        }
        Map<String, Object> body = describe(o.dataset());
        if (o.created()) {
            return Response.created(uri.getAbsolutePathBuilder().path(o.dataset().id).build()).entity(body)
                    .type(MediaType.APPLICATION_JSON).build();
        }
        return Response.ok(body, MediaType.APPLICATION_JSON).build();
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> get(@PathParam("id") String id) {
        return describe(found(id));
    }

    static Map<String, Object> describe(DatasetEntity e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", e.id);
        out.put("family", e.family);
        out.put("seed", e.seed);
        out.put("vocab", e.vocab);
        out.put("seqLen", e.seqLen);
        out.put("tokensPerSequence", e.seqLen == null ? null : e.seqLen + 1);
        out.put("patches", e.patches);
        out.put("dim", e.dim);
        out.put("trainSequences", e.trainSequences);
        out.put("evalSequences", e.evalSequences);
        out.put("sequencesPerShard", e.sequencesPerShard);
        out.put("shardCount", e.shardCount);
        out.put("evalShardCount", e.evalShardCount);
        out.put("format", format(e));
        out.put("storedBytes", e.storedBytes);
        out.put("sha256", e.sha256);
        out.put("baselines", DatasetService.baselines(e));
        out.put("theory", DatasetService.theory(e));
        out.put("spec", e.specJson);
        out.put("generationMs", e.generationMs);
        out.put("createdAt", e.createdAt);
        return out;
    }

    static Map<String, Object> format(DatasetEntity e) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("encoding", e.encoding);
        ShardEncoding enc = ShardEncoding.fromWire(e.encoding).orElseThrow();
        switch (enc) {
            case BITS1 -> f.put("layout", "sequences of seqLen+1 tokens, row-major, one bit per token, least "
                    + "significant bit first (numpy.packbits(x, bitorder='little')), zero padding in the last byte");
            case U8 -> f.put("layout", "sequences of seqLen+1 tokens, row-major, one unsigned byte per token");
            case PATCH_F32 -> {
                f.put("recordBytes", PatchDataset.recordBytes(e.patches, e.dim));
                f.put("layout", "one record per example: int8 label, int8 clean label, uint8 aux0, uint8 aux1, then "
                        + "patches x dim float32 little-endian (patch-major)");
                f.put("aux", "noisy-patch".equals(e.family) ? "aux0 = index of the signal patch, aux1 = 0"
                        : "aux0, aux1 = row and column of the bar's top-left pixel");
            }
            case LABELED_BITS1, LABELED_U8 -> f.put("layout", "one label byte per sequence, then the sequences' tokens as in "
                    + enc.tokenLayout().wire());
        }
        f.put("sha256", ShardProtocol.CHECKSUM + " of each shard is the SHA-256 of its body; the dataset's sha256 is that of "
                + "every shard body in shard order (train shards 0..shardCount-1, then eval shards)");
        return f;
    }

    /** Shard n: train shards first (0..shardCount-1), then eval shards. See {@code format} for the layout. */
    @GET
    @Path(ShardProtocol.SHARD_SUBPATH)
    @Produces({MediaType.APPLICATION_OCTET_STREAM, PROBLEM_JSON})
    public Response shard(@PathParam("id") String id, @PathParam("n") int n) {
        DatasetEntity e = found(id);
        ShardEntity s = datasets.shard(id, n);
        if (s == null) {
            throw notFound("dataset " + id + " has no shard " + n + " (it has " + (e.shardCount + e.evalShardCount) + ")");
        }
        return Response.ok(s.data, MediaType.APPLICATION_OCTET_STREAM)
                .header("Content-Length", s.data.length)
                .header(ShardProtocol.CHECKSUM, s.sha256)
                .header(ShardProtocol.ITEMS, s.sequences)
                .header(ShardProtocol.SPLIT, s.split)
                .header(ShardProtocol.ENCODING, e.encoding)
                .header(ShardProtocol.FAMILY, e.family)
                .build();
    }

    /** The first n sequences (examples) of a split as JSON. */
    @GET
    @Path("/{id}/preview")
    @Produces({MediaType.APPLICATION_JSON, PROBLEM_JSON})
    public Response preview(@PathParam("id") String id, @QueryParam("n") @DefaultValue("4") int n,
                            @QueryParam("split") @DefaultValue("train") String split) {
        if (n < 1 || n > 100) {
            return problem(400, "bad preview", "n must be in [1, 100]", List.of(new Violation("n", "must be in [1, 100]")));
        }
        if (!split.equals("train") && !split.equals("eval")) {
            return problem(400, "bad preview", "split must be train or eval", List.of(new Violation("split", "must be train or eval")));
        }
        DatasetEntity e = found(id);
        ShardEntity s = datasets.shard(id, split.equals("train") ? 0 : e.shardCount);
        int k = Math.min(n, s.sequences);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("family", e.family);
        out.put("split", split);
        if (e.encoding.equals(ShardEncoding.PATCH_F32.wire())) {
            if ((long) k * e.patches * e.dim > MAX_PREVIEW_VALUES) {
                return problem(400, "preview too large", k + " examples of " + e.patches + "x" + e.dim + " values exceed "
                        + MAX_PREVIEW_VALUES + "; ask for fewer", List.of(new Violation("n", "too many values")));
            }
            int rec = PatchDataset.recordBytes(e.patches, e.dim);
            PatchDataset d = PatchDataset.of(Arrays.copyOf(s.data, k * rec), k, e.patches, e.dim);
            List<Map<String, Object>> ex = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("label", d.label(i));
                m.put("cleanLabel", d.cleanLabel(i));
                m.put("aux0", d.aux0(i));
                m.put("aux1", d.aux1(i));
                float[][] x = new float[e.patches][e.dim];
                for (int p = 0; p < e.patches; p++) for (int j = 0; j < e.dim; j++) x[p][j] = d.value(i, p, j);
                m.put("x", x);
                ex.add(m);
            }
            out.put("examples", ex);
        } else {
            int row = e.seqLen + 1;
            boolean labeled = ShardEncoding.fromWire(e.encoding).map(ShardEncoding::labeled).orElse(false);
            int labels = labeled ? s.sequences : 0;
            byte[] body = Arrays.copyOfRange(s.data, labels, s.data.length);
            byte[] tokens = TokenCodec.decode(body, e.vocab, s.sequences * row);
            List<int[]> seqs = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                int[] seq = new int[row];
                for (int t = 0; t < row; t++) seq[t] = tokens[i * row + t] & 0xff;
                seqs.add(seq);
            }
            out.put("sequences", seqs);
            if (labeled) {
                int[] lab = new int[k];
                for (int i = 0; i < k; i++) lab[i] = s.data[i];
                out.put("labels", lab);
            }
        }
        return Response.ok(out, MediaType.APPLICATION_JSON).build();
    }

    private DatasetEntity found(String id) {
        DatasetEntity e = datasets.find(id);
        if (e == null) {
            throw notFound("no dataset " + id);
        }
        return e;
    }

    private static WebApplicationException notFound(String detail) {
        return new WebApplicationException(problem(404, "not found", detail, List.of()));
    }

    static Response problem(int status, String title, String detail, List<Violation> violations) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "about:blank");
        p.put("title", title);
        p.put("status", status);
        p.put("detail", detail);
        p.put("violations", violations);
        return Response.status(status).type(PROBLEM_JSON).entity(p).build();
    }
}
