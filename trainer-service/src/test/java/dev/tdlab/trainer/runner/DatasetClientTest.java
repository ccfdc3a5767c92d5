package dev.tdlab.trainer.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.contracts.shards.ShardEncoding;
import dev.tdlab.contracts.shards.ShardProtocol;
import dev.tdlab.core.data.Dataset;
import dev.tdlab.core.data.LabeledSequences;
import dev.tdlab.core.data.PatchDataset;
import dev.tdlab.core.data.TokenCodec;
import dev.tdlab.core.data.TokenDataset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer's side of the shard protocol against a small HTTP server in this JVM that serves shards as data-gen
 * does: every encoding decodes to the tokens (labels, patch records) that were served, a checksum that does not match
 * the body fails the fetch, as do an encoding the trainer cannot read and one that does not fit the data family.
 */
class DatasetClientTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A served shard: headers (null value: header left out) and body. */
    record Served(Map<String, String> headers, byte[] body) {
    }

    HttpServer server;
    String url;
    final Map<String, Served> shards = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(ShardProtocol.DATASETS_PATH, ex -> {
            Served s = shards.get(ex.getRequestURI().getPath());
            if (s == null) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            s.headers().forEach((k, v) -> {
                if (v != null) {
                    ex.getResponseHeaders().add(k, v);
                }
            });
            ex.sendResponseHeaders(200, s.body().length == 0 ? -1 : s.body().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(s.body());
            }
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    void serve(int n, ShardEncoding encoding, int items, byte[] body) {
        serve(n, encoding == null ? null : encoding.wire(), items, body, ShardProtocol.checksum(body));
    }

    void serve(int n, String encoding, int items, byte[] body, String checksum) {
        Map<String, String> h = new java.util.HashMap<>();
        h.put(ShardProtocol.ENCODING, encoding);
        h.put(ShardProtocol.CHECKSUM, checksum);
        h.put(ShardProtocol.ITEMS, Integer.toString(items));
        shards.put(ShardProtocol.shardPath("ds", n), new Served(h, body));
    }

    DatasetReady ready(String family, int shardCount, int evalShardCount, int train, int eval, int seqLen, int vocab)
            throws Exception {
        return JSON.readValue("""
                {"schemaVersion": 1, "runId": "r1", "experimentId": "e1", "datasetId": "ds", "sha256": "x",
                 "shardCount": %d, "evalShardCount": %d, "sequencesPerShard": 8, "trainSequences": %d,
                 "evalSequences": %d, "seqLen": %d, "vocab": %d, "dataUrl": "%s",
                 "planned": {"schemaVersion": 1, "runId": "r1", "experimentId": "e1", "rerun": 0,
                             "run": {"data": {"family": "%s"}, "seed": 0}}}"""
                .formatted(shardCount, evalShardCount, train, eval, seqLen, vocab, url, family), DatasetReady.class);
    }

    static byte[] tokens(SplittableRandom rnd, int sequences, int seqLen, int vocab) {
        byte[] t = new byte[sequences * (seqLen + 1)];
        for (int i = 0; i < t.length; i++) {
            t[i] = (byte) rnd.nextInt(vocab);
        }
        return t;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void bits1ShardsDecodeToTheServedTokensTrainThenEval() throws Exception {
        SplittableRandom rnd = new SplittableRandom(1);
        int seqLen = 15;
        byte[] a = tokens(rnd, 8, seqLen, 2), b = tokens(rnd, 8, seqLen, 2), e = tokens(rnd, 8, seqLen, 2);
        serve(0, ShardEncoding.BITS1, 8, TokenCodec.encode(a, 2));
        serve(1, ShardEncoding.BITS1, 8, TokenCodec.encode(b, 2));
        serve(2, ShardEncoding.BITS1, 8, TokenCodec.encode(e, 2));
        Dataset[] d = new DatasetClient().fetch(ready("markov", 2, 1, 16, 8, seqLen, 2));
        assertArrayEquals(concat(a, b), ((TokenDataset) d[0]).tokens());
        assertArrayEquals(e, ((TokenDataset) d[1]).tokens());
    }

    @Test
    void u8IsAlsoWhatAShardWithoutAnEncodingHeaderIs() throws Exception {
        SplittableRandom rnd = new SplittableRandom(2);
        byte[] a = tokens(rnd, 5, 9, 7), e = tokens(rnd, 3, 9, 7);
        serve(0, ShardEncoding.U8, 5, a);
        serve(1, (ShardEncoding) null, 3, e);
        Dataset[] d = new DatasetClient().fetch(ready("markov", 1, 1, 5, 3, 9, 7));
        assertArrayEquals(a, ((TokenDataset) d[0]).tokens());
        assertArrayEquals(e, ((TokenDataset) d[1]).tokens());
    }

    @Test
    void labeledShardsCarryOneLabelBytePerSequenceBeforeTheTokens() throws Exception {
        SplittableRandom rnd = new SplittableRandom(3);
        byte[] labels = {1, 0, 0, 1, 1, 0, 1, 0};
        byte[] a = tokens(rnd, 8, 7, 2), e = tokens(rnd, 8, 7, 2);
        serve(0, ShardEncoding.LABELED_BITS1, 8, concat(labels, TokenCodec.encode(a, 2)));
        serve(1, ShardEncoding.LABELED_BITS1, 8, concat(labels, TokenCodec.encode(e, 2)));
        assertThrows(IOException.class, () -> new DatasetClient().fetch(ready("markov", 1, 1, 8, 8, 7, 2)),
                "a labeled shard is not markov data");
        Dataset[] d = new DatasetClient().fetch(ready("sequence-classification", 1, 1, 8, 8, 7, 2));
        LabeledSequences train = assertInstanceOf(LabeledSequences.class, d[0]);
        assertArrayEquals(labels, train.labels());
        assertArrayEquals(a, train.tokens().tokens());
        assertArrayEquals(e, ((LabeledSequences) d[1]).tokens().tokens());
        serve(0, ShardEncoding.LABELED_U8, 8, concat(labels, e));
        serve(1, ShardEncoding.LABELED_U8, 8, concat(labels, e));
        LabeledSequences u8 = (LabeledSequences) new DatasetClient().fetch(ready("sequence-classification", 1, 1, 8, 8, 7, 5))[0];
        assertArrayEquals(e, u8.tokens().tokens());
        assertArrayEquals(labels, u8.labels());
    }

    @Test
    void patchRecordsComeBackWithTheirPatchDimension() throws Exception {
        int patches = 3, dim = 4, n = 5;
        byte[] records = new byte[n * PatchDataset.recordBytes(patches, dim)];
        new SplittableRandom(4).nextBytes(records);
        for (int i = 0; i < n; i++) {
            records[i * PatchDataset.recordBytes(patches, dim)] = (byte) (i % 2 == 0 ? 1 : -1);
        }
        serve(0, ShardEncoding.PATCH_F32, n, records);
        serve(1, ShardEncoding.PATCH_F32, n, records);
        Dataset[] d = new DatasetClient().fetch(ready("noisy-patch", 1, 1, n, n, patches, 0));
        PatchDataset p = assertInstanceOf(PatchDataset.class, d[0]);
        assertEquals(n, p.examples());
        assertEquals(dim, p.dim());
        assertEquals(1, p.label(0));
        serve(1, ShardEncoding.U8, n, records);
        IOException wrong = assertThrows(IOException.class,
                () -> new DatasetClient().fetch(ready("noisy-patch", 1, 1, n, n, patches, 0)));
        assertTrue(wrong.getMessage().contains("expected patch-f32"), wrong.getMessage());
    }

    @Test
    void aShardWhoseChecksumDoesNotMatchItsBodyFailsTheFetch() throws Exception {
        byte[] a = tokens(new SplittableRandom(5), 4, 9, 7);
        byte[] other = a.clone();
        other[0] ^= 1;
        serve(0, ShardEncoding.U8.wire(), 4, a, ShardProtocol.checksum(other));
        IOException e = assertThrows(IOException.class,
                () -> new DatasetClient().fetch(ready("markov", 1, 0, 4, 0, 9, 7)));
        assertTrue(e.getMessage().contains("failed its checksum"), e.getMessage());
        serve(0, ShardEncoding.U8.wire(), 4, a, null);
        assertThrows(IOException.class, () -> new DatasetClient().fetch(ready("markov", 1, 0, 4, 0, 9, 7)),
                "a shard without its checksum");
        serve(0, ShardEncoding.U8.wire(), 4, a, ShardProtocol.checksum(a).toUpperCase());
        assertThrows(IOException.class, () -> new DatasetClient().fetch(ready("markov", 1, 0, 4, 0, 9, 7)),
                "the checksum is lowercase hex");
    }

    @Test
    void anEncodingTheTrainerDoesNotKnowFailsTheFetch() throws Exception {
        byte[] a = tokens(new SplittableRandom(6), 4, 9, 7);
        serve(0, "u16le", 4, a, ShardProtocol.checksum(a));
        IOException e = assertThrows(IOException.class,
                () -> new DatasetClient().fetch(ready("markov", 1, 0, 4, 0, 9, 7)));
        assertTrue(e.getMessage().contains("cannot read"), e.getMessage());
    }

    @Test
    void aMissingShardFailsTheFetchWithoutRetrying() throws Exception {
        IOException e = assertThrows(IOException.class,
                () -> new DatasetClient().fetch(ready("markov", 1, 0, 4, 0, 9, 7)));
        assertTrue(e.getMessage().contains("answered 404"), e.getMessage());
    }
}
