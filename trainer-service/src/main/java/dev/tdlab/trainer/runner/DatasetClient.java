package dev.tdlab.trainer.runner;

import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.core.data.TokenCodec;
import dev.tdlab.core.data.TokenDataset;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Fetches a dataset's shards from data-gen over REST, checks each shard's checksum and decodes it by its
 * {@code X-Encoding}: {@code bits1} (V = 2, one bit per token, least significant bit first) or {@code u8} (one byte per
 * token; also what a server without the header sends). Only token datasets of the {@code markov} family (fixed or
 * in-context chains) can be trained as next-token prediction; any other family is refused with a clear error.
 */
final class DatasetClient {

    // HTTP/1.1: the JDK's HTTP/2 client and Vert.x disagreed on frame sizes for large shards (1 run in 112 failed)
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** The train split (first) and the eval split (second). */
    TokenDataset[] fetch(DatasetReady r) throws IOException, InterruptedException {
        DataSpec data = r.planned() == null || r.planned().run() == null ? null : r.planned().run().data();
        String family = data == null || data.family() == null ? DataSpec.MARKOV : data.family();
        if (!DataSpec.MARKOV.equals(family)) {
            throw new UnsupportedOperationException("data family '" + family + "' is generated and served by data-gen "
                    + "(dataset " + r.datasetId() + "), but this trainer has no model for it yet: it trains next-token "
                    + "prediction on markov data only");
        }
        int row = r.seqLen() + 1;
        byte[] train = new byte[r.trainSequences() * row];
        byte[] eval = new byte[r.evalSequences() * row];
        fill(r, 0, r.shardCount(), train);
        fill(r, r.shardCount(), r.evalShardCount(), eval);
        return new TokenDataset[]{
                new TokenDataset(train, r.trainSequences(), r.seqLen(), r.vocab()),
                new TokenDataset(eval, r.evalSequences(), r.seqLen(), r.vocab())};
    }

    private void fill(DatasetReady r, int first, int count, byte[] into) throws IOException, InterruptedException {
        int at = 0;
        int row = r.seqLen() + 1;
        for (int n = first; n < first + count; n++) {
            URI uri = URI.create(r.dataUrl() + "/api/v1/datasets/" + r.datasetId() + "/shards/" + n);
            HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() != 200) {
                throw new IOException("GET " + uri + " answered " + resp.statusCode());
            }
            byte[] body = resp.body();
            String expected = resp.headers().firstValue("X-Checksum-SHA256").orElse("");
            if (!expected.equals(sha256(body))) {
                throw new IOException("shard " + n + " of dataset " + r.datasetId() + " failed its checksum");
            }
            String encoding = resp.headers().firstValue("X-Encoding").orElse("u8");
            int sequences = resp.headers().firstValue("X-Sequences").map(Integer::parseInt)
                    .orElse(body.length / row);
            byte[] tokens;
            try {
                tokens = switch (encoding) {
                    case "u8", "bits1" -> TokenCodec.decode(body, "bits1".equals(encoding) ? 2 : r.vocab(), sequences * row);
                    default -> throw new IOException("shard " + n + " of dataset " + r.datasetId() + " has encoding '"
                            + encoding + "', which the trainer cannot read");
                };
            } catch (IllegalArgumentException e) {
                throw new IOException("shard " + n + " of dataset " + r.datasetId() + " does not decode: " + e.getMessage(), e);
            }
            if (at + tokens.length > into.length) {
                throw new IOException("dataset " + r.datasetId() + " has more tokens than announced");
            }
            System.arraycopy(tokens, 0, into, at, tokens.length);
            at += tokens.length;
        }
        if (at != into.length) {
            throw new IOException("dataset " + r.datasetId() + ": got " + at + " tokens, expected " + into.length);
        }
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
