package dev.tdlab.trainer.runner;

import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.contracts.shards.ShardEncoding;
import dev.tdlab.contracts.shards.ShardProtocol;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.core.data.Dataset;
import dev.tdlab.core.data.LabeledSequences;
import dev.tdlab.core.data.PatchDataset;
import dev.tdlab.core.data.TokenCodec;
import dev.tdlab.core.data.TokenDataset;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Fetches a dataset's shards from data-gen ({@link ShardProtocol}), checks each shard's checksum and decodes it by its
 * {@link ShardEncoding} (a response without the header is {@link ShardEncoding#DEFAULT}). The result is the train
 * split and the eval split as the engine's {@link Dataset}s.
 */
final class DatasetClient {

    // HTTP/1.1: the JDK's HTTP/2 client and Vert.x disagreed on frame sizes for large shards (1 run in 112 failed)
    /**
     * data-gen's service token ({@code tdlab.service-token}, env TDLAB_SERVICE_TOKEN), sent as a bearer token when set:
     * data-gen serves datasets only to the services that hold it.
     */
    private static final String SERVICE_TOKEN = ConfigProvider.getConfig()
            .getOptionalValue("tdlab.service-token", String.class).filter(t -> !t.isBlank()).orElse(null);

    static HttpRequest.Builder authorized(HttpRequest.Builder b) {
        return SERVICE_TOKEN == null ? b : b.header("Authorization", "Bearer " + SERVICE_TOKEN);
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private static final Logger LOG = Logger.getLogger(DatasetClient.class);

    /** How long a shard is retried while data-gen is unreachable or answers 502/503/504 (a restart, a rollout). */
    static final Duration PATIENCE = Duration.ofSeconds(120);

    /** Called between retries (the caller extends its lease there); may be a no-op. */
    private final Runnable whileWaiting;

    DatasetClient() {
        this(() -> { });
    }

    DatasetClient(Runnable whileWaiting) {
        this.whileWaiting = whileWaiting;
    }

    /** One shard as served: its encoding, the items in it, its body. */
    private record Shard(int n, String encoding, int items, byte[] body) {

        /** The encoding, or empty when this trainer does not know its name. */
        Optional<ShardEncoding> known() {
            return ShardEncoding.fromWire(encoding);
        }
    }

    /** The train split (first) and the eval split (second). */
    Dataset[] fetch(DatasetReady r) throws IOException, InterruptedException {
        DataSpec data = r.planned() == null || r.planned().run() == null ? null : r.planned().run().data();
        String family = data == null || data.family() == null ? DataSpec.MARKOV : data.family();
        return switch (family) {
            case DataSpec.MARKOV -> new Dataset[]{
                    tokens(r, shards(r, 0, r.shardCount()), r.trainSequences(), false).tokens(),
                    tokens(r, shards(r, r.shardCount(), r.evalShardCount()), r.evalSequences(), false).tokens()};
            case DataSpec.SEQUENCE_CLASSIFICATION -> new Dataset[]{
                    tokens(r, shards(r, 0, r.shardCount()), r.trainSequences(), true),
                    tokens(r, shards(r, r.shardCount(), r.evalShardCount()), r.evalSequences(), true)};
            case DataSpec.NOISY_PATCH, DataSpec.PATCH_IMAGE -> new Dataset[]{
                    patches(r, shards(r, 0, r.shardCount()), r.trainSequences()),
                    patches(r, shards(r, r.shardCount(), r.evalShardCount()), r.evalSequences())};
            default -> throw new UnsupportedOperationException("data family '" + family + "' of dataset "
                    + r.datasetId() + " has no decoder in this trainer");
        };
    }

    /** Token sequences (with their labels when {@code labeled}); for markov data use {@code .tokens()}. */
    private LabeledSequences tokens(DatasetReady r, List<Shard> shards, int expected, boolean labeled) throws IOException {
        int row = r.seqLen() + 1;
        byte[] tokens = new byte[expected * row];
        byte[] labels = new byte[expected];
        int at = 0, items = 0;
        for (Shard s : shards) {
            ShardEncoding enc = s.known().orElse(null);
            boolean hasLabels = enc != null && enc.labeled();
            if (hasLabels != labeled) {
                throw new IOException("shard " + s.n() + " of dataset " + r.datasetId() + " has encoding '" + s.encoding()
                        + "', expected " + (labeled ? "a labeled" : "a token") + " encoding");
            }
            int skip = hasLabels ? s.items() : 0;
            if (items + s.items() > expected || s.body().length < skip) {
                throw new IOException("dataset " + r.datasetId() + " has more sequences than announced");
            }
            if (hasLabels) System.arraycopy(s.body(), 0, labels, items, s.items());
            byte[] body = Arrays.copyOfRange(s.body(), skip, s.body().length);
            ShardEncoding layout = enc == null ? null : enc.tokenLayout();
            if (layout != ShardEncoding.U8 && layout != ShardEncoding.BITS1) {
                throw new IOException("shard " + s.n() + " of dataset " + r.datasetId() + " has encoding '"
                        + s.encoding() + "', which the trainer cannot read");
            }
            byte[] decoded;
            try {
                decoded = TokenCodec.decode(body, layout == ShardEncoding.BITS1 ? 2 : r.vocab(), s.items() * row);
            } catch (IllegalArgumentException e) {
                throw new IOException("shard " + s.n() + " of dataset " + r.datasetId() + " does not decode: " + e.getMessage(), e);
            }
            System.arraycopy(decoded, 0, tokens, at, decoded.length);
            at += decoded.length;
            items += s.items();
        }
        if (items != expected) {
            throw new IOException("dataset " + r.datasetId() + ": got " + items + " sequences, expected " + expected);
        }
        return new LabeledSequences(labels, new TokenDataset(tokens, expected, r.seqLen(), r.vocab()));
    }

    /** Patch examples; the patch dimension follows from the record size (seqLen carries the patches per example). */
    private PatchDataset patches(DatasetReady r, List<Shard> shards, int expected) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int items = 0;
        for (Shard s : shards) {
            if (s.known().orElse(null) != ShardEncoding.PATCH_F32) {
                throw new IOException("shard " + s.n() + " of dataset " + r.datasetId() + " has encoding '" + s.encoding()
                        + "', expected " + ShardEncoding.PATCH_F32.wire());
            }
            all.write(s.body());
            items += s.items();
        }
        int patches = r.seqLen();
        byte[] records = all.toByteArray();
        if (items != expected || patches < 1 || records.length % expected != 0) {
            throw new IOException("dataset " + r.datasetId() + ": got " + items + " examples in " + records.length
                    + " bytes, expected " + expected);
        }
        int recordBytes = records.length / expected;
        int dim = (recordBytes - PatchDataset.HEADER_BYTES) / (4 * patches);
        if (dim < 1 || PatchDataset.recordBytes(patches, dim) != recordBytes) {
            throw new IOException("dataset " + r.datasetId() + ": records of " + recordBytes + " bytes do not hold "
                    + patches + " patches");
        }
        return PatchDataset.of(records, expected, patches, dim);
    }

    private List<Shard> shards(DatasetReady r, int first, int count) throws IOException, InterruptedException {
        List<Shard> out = new ArrayList<>();
        for (int n = first; n < first + count; n++) {
            URI uri = ShardProtocol.shardUri(r.dataUrl(), r.datasetId(), n);
            HttpResponse<byte[]> resp = get(uri);
            if (resp.statusCode() != 200) {
                throw new IOException("GET " + uri + " answered " + resp.statusCode());
            }
            byte[] body = resp.body();
            if (!ShardProtocol.verifies(body, resp.headers().firstValue(ShardProtocol.CHECKSUM).orElse(""))) {
                throw new IOException("shard " + n + " of dataset " + r.datasetId() + " failed its checksum");
            }
            String encoding = resp.headers().firstValue(ShardProtocol.ENCODING).orElse(ShardEncoding.DEFAULT.wire());
            int items = resp.headers().firstValue(ShardProtocol.ITEMS).map(Integer::parseInt)
                    .orElse(body.length / (r.seqLen() + 1));
            out.add(new Shard(n, encoding, items, body));
        }
        return out;
    }

    /**
     * GET with retries for {@link #PATIENCE} while data-gen cannot be reached (connection refused or reset, a timeout) or
     * answers 502/503/504: a data-gen restart delays the run instead of failing it. Backoff 0.25 s doubling to 4 s.
     */
    private HttpResponse<byte[]> get(URI uri) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        long backoff = 250;
        for (int attempt = 1; ; attempt++) {
            String why;
            try {
                HttpResponse<byte[]> resp = http.send(authorized(HttpRequest.newBuilder(uri)).timeout(Duration.ofMinutes(2)).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                int code = resp.statusCode();
                if ((code != 502 && code != 503 && code != 504) || System.nanoTime() > deadline) {
                    if (attempt > 1) {
                        LOG.infof("GET %s answered %d at attempt %d", uri, code, attempt);
                    }
                    return resp;
                }
                why = "answered " + code;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("GET " + uri + " failed for " + PATIENCE.toSeconds() + " s: " + e, e);
                }
                why = e.toString();
            }
            if (attempt == 1) {
                LOG.warnf("GET %s: %s; retrying for up to %d s", uri, why, PATIENCE.toSeconds());
            }
            whileWaiting.run();
            Thread.sleep(backoff);
            backoff = Math.min(4000, backoff * 2);
        }
    }
}
