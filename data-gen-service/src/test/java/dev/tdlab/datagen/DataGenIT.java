package dev.tdlab.datagen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.events.RunPlanned;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.contracts.spec.RunSpec;
import dev.tdlab.core.data.TokenCodec;
import dev.tdlab.devstack.DevStack;
import dev.tdlab.devstack.Ports;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * data-gen on a real Kafka and a real PostgreSQL (devstack, in this JVM) with the packaged service as a separate
 * process: concurrent requests for one dataset generate it once; shards carry their checksum, length and bit-packed
 * tokens of the right law; a bad spec is a 400 naming the row; over Kafka, good runs get datasets.ready with their
 * theory and runs whose data cannot be made get a FAILED status with the reason and no datasets.ready.
 * The service runs with a 5 MB quota so that the quota path is reachable.
 */
class DataGenIT {

    static final long QUOTA = 5_000_000;
    static DevStack infra;
    static Process service;
    static String url;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        Path work = Paths.get("target/it-datagen").toAbsolutePath();
        if (Files.exists(work)) {
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(work);
        infra = DevStack.start(DevStack.Options.parse("--data", work.resolve("data").toString(), "--kafka-port", "0",
                "--pg-port", "0", "--partitions", "2"));
        int port = Ports.freePort();
        url = "http://localhost:" + port;
        Path jar = Paths.get("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-Dquarkus.http.port=" + port,
                "-Dtdlab.datagen.max-dataset-bytes=" + QUOTA, "-Dtdlab.datagen.shard-bytes=65536", "-jar", jar.toString());
        pb.environment().put("TDLAB_KAFKA", infra.kafka().bootstrapServers());
        pb.environment().put("TDLAB_JDBC_URL", infra.jdbcUrl());
        pb.environment().put("TDLAB_DATAGEN_URL", url);
        pb.redirectErrorStream(true);
        pb.redirectOutput(work.resolve("data-gen.log").toFile());
        service = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            assertTrue(service.isAlive(), "data-gen exited (see target/it-datagen/data-gen.log)");
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    break;
                }
            } catch (java.io.IOException ignored) {
                // not listening yet
            }
            assertTrue(System.nanoTime() < deadline, "data-gen not ready in 120 s");
            Thread.sleep(300);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.destroy();
            if (!service.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) service.destroyForcibly();
        }
        if (infra != null) infra.close();
    }

    static HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/datasets"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static double generatedCounter(String family) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(url + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("tdlab_datasets_generated_total{") && line.contains("family=\"" + family + "\"")) {
                // "name{labels} value [# exemplar]": the value follows the first closing brace
                return Double.parseDouble(line.substring(line.indexOf('}') + 1).trim().split("\\s+")[0]);
            }
        }
        return 0;
    }

    static String metricLines(String prefix) {
        try {
            StringBuilder sb = new StringBuilder();
            for (String line : http.send(HttpRequest.newBuilder(URI.create(url + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body().split("\n")) {
                if (line.startsWith(prefix)) sb.append(line).append('\n');
            }
            return sb.toString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    static long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), infra.postgres().user(), infra.postgres().password());
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void concurrentRequestsGenerateOnceAndShardsAreExact() throws Exception {
        String body = "{\"seed\": 5, \"data\": {\"family\": \"markov\", \"p\": 0.2, \"q\": 0.3, \"seqLen\": 63,"
                + " \"trainSequences\": 30000, \"evalSequences\": 1000}}";
        double before = generatedCounter("markov");
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create(url + "/api/v1/datasets"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        int created = 0;
        String id = null;
        for (CompletableFuture<HttpResponse<String>> c : calls) {
            HttpResponse<String> r = c.get();
            assertTrue(r.statusCode() == 201 || r.statusCode() == 200, r.statusCode() + " " + r.body());
            if (r.statusCode() == 201) created++;
            String got = json.readTree(r.body()).get("id").asText();
            if (id == null) id = got;
            assertEquals(id, got);
        }
        assertEquals(1, created, "exactly one request generated");
        assertEquals(before + 1, generatedCounter("markov"), 0.0, () -> metricLines("tdlab_datasets_generated"));
        assertEquals(1, count("SELECT count(*) FROM datagen.datasets WHERE id = '" + id + "'"));

        JsonNode meta = json.readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/datasets/" + id)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("bits1", meta.get("format").get("encoding").asText());
        assertEquals(0.544587, meta.get("baselines").get("entropyRate").asDouble(), 1e-6);
        assertEquals(0.673012, meta.get("baselines").get("unigramEntropy").asDouble(), 1e-6);
        int shards = meta.get("shardCount").asInt(), evalShards = meta.get("evalShardCount").asInt();
        assertTrue(shards > 1, "several train shards at 64 KiB each");
        assertEquals(shards + evalShards, count("SELECT count(*) FROM datagen.shards WHERE dataset_id = '" + id + "'"));

        MessageDigest all = MessageDigest.getInstance("SHA-256");
        ByteArrayOutputStream tokens = new ByteArrayOutputStream();
        long seqs = 0;
        for (int n = 0; n < shards; n++) {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/datasets/" + id + "/shards/" + n)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
            byte[] b = r.body();
            assertEquals(String.valueOf(b.length), r.headers().firstValue("Content-Length").orElse(""));
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)),
                    r.headers().firstValue("X-Checksum-SHA256").orElse(""));
            assertEquals("bits1", r.headers().firstValue("X-Encoding").orElse(""));
            assertEquals("train", r.headers().firstValue("X-Split").orElse(""));
            int k = Integer.parseInt(r.headers().firstValue("X-Sequences").orElseThrow());
            assertEquals(((long) k * 64 + 7) / 8, b.length, "one bit per token");
            all.update(b);
            tokens.writeBytes(TokenCodec.decode(b, 2, k * 64));
            seqs += k;
        }
        assertEquals(30000, seqs);
        // the tokens follow the chain: P(1 | 0) = 0.2 within 5 standard errors (per-sequence counts are independent)
        byte[] t = tokens.toByteArray();
        long from0 = 0, to1 = 0;
        for (int s = 0; s < 30000; s++) {
            for (int i = 0; i < 63; i++) {
                if (t[s * 64 + i] == 0) {
                    from0++;
                    to1 += t[s * 64 + i + 1];
                }
            }
        }
        assertEquals(0.2, (double) to1 / from0, 5 * Math.sqrt(0.2 * 0.8 / from0) * 1.5);
        for (int n = shards; n < shards + evalShards; n++) {
            all.update(http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/datasets/" + id + "/shards/" + n)).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body());
        }
        assertEquals(meta.get("sha256").asText(), HexFormat.of().formatHex(all.digest()));
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/datasets/" + id + "/shards/" + (shards + evalShards))).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());

        JsonNode preview = json.readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/datasets/" + id + "/preview?n=2")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(2, preview.get("sequences").size());
        for (int i = 0; i < 64; i++) assertEquals(t[i], preview.get("sequences").get(0).get(i).asInt());
    }

    @Test
    void badSpecIsAProblemNamingTheRowAndNothingIsStored() throws Exception {
        long rows = count("SELECT count(*) FROM datagen.datasets");
        HttpResponse<String> r = post("{\"seed\": 1, \"data\": {\"family\": \"markov\", \"order\": 1, \"vocab\": 2,"
                + " \"transition\": [[0.5, 0.5], [0.5, 0.6]], \"seqLen\": 16, \"trainSequences\": 10, \"evalSequences\": 10}}");
        assertEquals(400, r.statusCode());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        JsonNode v = json.readTree(r.body()).get("violations");
        assertEquals("data.transition[1]", v.get(0).get("field").asText());
        assertTrue(v.get(0).get("message").asText().contains("sums to 1.1"), r.body());
        HttpResponse<String> quota = post("{\"seed\": 1, \"data\": {\"family\": \"noisy-patch\", \"dim\": 128, \"patches\": 4,"
                + " \"trainSequences\": 4000, \"evalSequences\": 100}}");
        assertEquals(400, quota.statusCode());
        assertTrue(quota.body().contains("tdlab.datagen.max-dataset-bytes"), quota.body());
        assertEquals(rows, count("SELECT count(*) FROM datagen.datasets"));
    }

    @Test
    void runsGetTheirDataOrAFailureWithTheReason() throws Exception {
        String prefix = UUID.randomUUID().toString().substring(0, 8);
        Map<String, DataSpec> runs = new HashMap<>();
        runs.put(prefix + "-good", new DataSpec("markov", 2, 2, null, null,
                List.of(List.of(0.9, 0.1), List.of(0.5, 0.5), List.of(0.5, 0.5), List.of(0.1, 0.9)), null, 32, 256, 64));
        runs.put(prefix + "-patch", new DataSpec("noisy-patch", null, null, null, null, null, null, null, 128, 32,
                null, null, 16, 4, 1.0, 1.0, null, 0.15, null, null, null));
        runs.put(prefix + "-icl", new DataSpec("markov", 1, 3, null, null, null, 0.5, 32, 128, 32,
                true, null, null, null, null, null, null, null, null, null, null));
        runs.put(prefix + "-periodic", new DataSpec("markov", 1, 2, null, null,
                List.of(List.of(0.0, 1.0), List.of(1.0, 0.0)), null, 32, 256, 64));
        runs.put(prefix + "-quota", new DataSpec("noisy-patch", null, null, null, null, null, null, null, 4000, 100,
                null, null, 128, 4, null, null, null, null, null, null, null));
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafka().bootstrapServers());
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
            for (Map.Entry<String, DataSpec> e : runs.entrySet()) {
                RunPlanned planned = RunPlanned.of(e.getKey(), prefix, "cell", Map.of(), new RunSpec(e.getValue(), null, null, 1L), 0);
                producer.send(new ProducerRecord<>("runs.planned", e.getKey(), json.writeValueAsString(planned))).get();
            }
        }
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafka().bootstrapServers());
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + prefix);
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, JsonNode> ready = new HashMap<>(), status = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
            consumer.subscribe(List.of("datasets.ready", "runs.status"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && (ready.size() < 3 || status.size() < 2)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() == null || !r.key().startsWith(prefix)) continue;
                    (r.topic().equals("datasets.ready") ? ready : status).put(r.key(), json.readTree(r.value()));
                }
            }
            // a little longer: nothing else may arrive for these runs
            long quiet = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < quiet) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(300))) {
                    if (r.key() == null || !r.key().startsWith(prefix)) continue;
                    (r.topic().equals("datasets.ready") ? ready : status).put(r.key(), json.readTree(r.value()));
                }
            }
        }
        assertEquals(java.util.Set.of(prefix + "-good", prefix + "-patch", prefix + "-icl"), ready.keySet(), ready.toString());
        assertEquals(java.util.Set.of(prefix + "-periodic", prefix + "-quota"), status.keySet(), status.toString());
        JsonNode good = ready.get(prefix + "-good").get("baselines");
        assertEquals(4, good.get("stationary").size());
        assertEquals(3, good.get("orderLosses").size());
        assertTrue(good.get("optimalLoss").asDouble() > good.get("entropyRate").asDouble());
        JsonNode patch = ready.get(prefix + "-patch");
        assertEquals(0.15, patch.get("baselines").get("bayesError").asDouble(), 0.0);
        assertEquals(4, patch.get("seqLen").asInt(), "patch families announce their patch count as seqLen");
        JsonNode icl = ready.get(prefix + "-icl").get("baselines");
        assertTrue(icl.get("optimalLossStdErr").asDouble() > 0, "in-context V=3: Monte Carlo with its error");
        JsonNode periodic = status.get(prefix + "-periodic");
        assertEquals("FAILED", periodic.get("state").asText());
        assertTrue(periodic.get("error").asText().contains("periodic"), periodic.toString());
        JsonNode quota = status.get(prefix + "-quota");
        assertEquals("FAILED", quota.get("state").asText());
        assertTrue(quota.get("error").asText().contains("tdlab.datagen.max-dataset-bytes"), quota.toString());
        assertFalse(ready.containsKey(prefix + "-periodic"));
    }
}
