package dev.tdlab.trainer.runner;

import dev.tdlab.contracts.events.DatasetReady;
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

/** Fetches a dataset's shards from data-gen over REST and checks each shard's checksum. */
final class DatasetClient {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** The train split (first) and the eval split (second). */
    TokenDataset[] fetch(DatasetReady r) throws IOException, InterruptedException {
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
            if (at + body.length > into.length) {
                throw new IOException("dataset " + r.datasetId() + " has more tokens than announced");
            }
            System.arraycopy(body, 0, into, at, body.length);
            at += body.length;
        }
        if (at != into.length) {
            throw new IOException("dataset " + r.datasetId() + ": got " + at + " bytes, expected " + into.length);
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
