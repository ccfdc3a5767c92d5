package dev.tdlab.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.MetricBatch;
import dev.tdlab.contracts.events.MetricSeries;
import dev.tdlab.devstack.DevStack;
import dev.tdlab.devstack.Ports;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import java.util.Comparator;
import java.util.Iterator;
import org.postgresql.Driver;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metrics path of the packaged service (a separate process) on a real Kafka and a real PostgreSQL
 * (devstack, in this JVM): a backlog of MetricBatch events on runs.metrics — valid batches of five runs,
 * one of them a 1,000,000-step series, a redelivered batch, a batch of an unknown run and three poison
 * messages — is stored exactly once, the poison messages (and only they) land on runs.metrics.dlq; the
 * rate at which the consumer drains the backlog is printed. Then GET /runs/{id}/metrics: the
 * 1,000,000-point series as at most 1,000 points with its extremes (time printed), and the 404/400
 * answers for an unknown run and bad parameters, each naming the parameter.
 * Also GET /api/v1/spec/schema: the committed JSON Schema of the spec, as application/schema+json, 401 without a token.
 */
class MetricsApiIT {

    static final String TOKEN = "it-admin-token-0123456789abcdef0123456789abcdef";
    static final String[] NAMES = {"train_loss", "grad_norm", "eval_loss", "eval_loss_stderr"};
    static final int SMALL_RUNS = 4;
    static final int SMALL_BATCHES = 250;        // per small run, 200 steps × 4 metrics each
    static final int BIG_STEPS = 1_000_000;      // it-big: train_loss at every step
    static final int BIG_BATCH = 1_000;

    static DevStack infra;
    static Process service;
    static String url;
    static Path work;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();
    static final List<String> poison = new ArrayList<>();
    static long expectedPoints;
    static double bigMin = Double.POSITIVE_INFINITY;
    static double bigMax = Double.NEGATIVE_INFINITY;
    static final StringBuilder report = new StringBuilder();

    @BeforeAll
    static void start() throws Exception {
        work = Paths.get("target/it-metrics-api").toAbsolutePath();
        if (Files.exists(work)) {
            try (var walk = Files.walk(work)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(work);
        infra = DevStack.start(DevStack.Options.parse("--data", work.resolve("data").toString(), "--kafka-port", "0",
                "--pg-port", "0", "--partitions", "2"));
        // the schema as the service will find it (same migrations), with an experiment and its runs
        Flyway.configure().dataSource(infra.jdbcUrl(), infra.postgres().user(), infra.postgres().password())
                .schemas("analysis").defaultSchema("analysis").createSchemas(true).locations("classpath:db/migration")
                .load().migrate();
        try (Connection c = db()) {
            c.createStatement().execute("INSERT INTO experiments (id, name, status, spec_json, run_count) VALUES ('x', 'metrics-it', 'RUNNING', '{}', 5)");
            for (String run : runs()) {
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO runs (id, experiment_id, cell_id, cell_json, seed, status, total_steps)
                        VALUES (?, 'x', ?, '{}', 0, 'RUNNING', 1000000)""")) {
                    ps.setString(1, run);
                    ps.setString(2, run);
                    ps.executeUpdate();
                }
            }
        }
        produceBacklog();
        int port = Ports.freePort();
        url = "http://localhost:" + port;
        Path jar = Paths.get("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx768m", "-Dquarkus.http.port=" + port, "-jar", jar.toString());
        pb.environment().put("TDLAB_KAFKA", infra.kafka().bootstrapServers());
        pb.environment().put("TDLAB_JDBC_URL", infra.jdbcUrl());
        pb.environment().put("TDLAB_ADMIN_TOKEN", TOKEN);
        pb.redirectErrorStream(true);
        pb.redirectOutput(work.resolve("analysis.log").toFile());
        service = pb.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.destroy();
            if (!service.waitFor(20, TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
        }
        if (infra != null) {
            infra.close();
        }
        if (work != null) {
            Files.writeString(work.resolve("report.md"), report.toString());
        }
        System.out.print(report);
    }

    static List<String> runs() {
        List<String> out = new ArrayList<>();
        for (int r = 0; r < SMALL_RUNS; r++) {
            out.add("it-run-" + r);
        }
        out.add("it-big");
        return out;
    }

    static Connection db() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", infra.postgres().user());
        p.setProperty("password", infra.postgres().password());
        p.setProperty("currentSchema", "analysis");
        return new Driver().connect(infra.jdbcUrl(), p);
    }

    /** Everything on runs.metrics before the service starts: the consumer then drains a backlog. */
    static void produceBacklog() throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafka().bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        SplittableRandom rnd = new SplittableRandom(42);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            String redeliver = null;
            for (int b = 0; b < SMALL_BATCHES; b++) {
                for (int r = 0; r < SMALL_RUNS; r++) {
                    Map<String, MetricSeries> m = new LinkedHashMap<>();
                    int from = b * 200 + 1;
                    for (String name : NAMES) {
                        List<Integer> steps = new ArrayList<>(200);
                        List<Double> values = new ArrayList<>(200);
                        for (int s = from; s < from + 200; s++) {
                            steps.add(s);
                            values.add(name.equals("grad_norm") && s == 777 ? Double.POSITIVE_INFINITY : rnd.nextDouble());
                        }
                        m.put(name, new MetricSeries(steps, values));
                    }
                    String payload = json.writeValueAsString(MetricBatch.of("it-run-" + r, "x", 1, from, from + 199, m));
                    producer.send(new ProducerRecord<>(Topics.RUNS_METRICS, "it-run-" + r, payload));
                    expectedPoints += 800;
                    if (b == 7 && r == 2) {
                        redeliver = payload;
                    }
                }
                if (b % 50 == 0) { // a poison message now and then, between valid ones
                    String bad = switch (b / 50) {
                        case 0 -> "{not json";
                        case 1 -> json.writeValueAsString(MetricBatch.of("it-run-0", "x", 1, 1, 2,
                                Map.of("train_loss", new MetricSeries(List.of(1, 2), List.of(0.5)))));
                        case 2 -> "{\"schemaVersion\":1,\"runId\":\"it-run-1\",\"metrics\":{}}";
                        default -> null;
                    };
                    if (bad != null) {
                        poison.add(bad);
                        producer.send(new ProducerRecord<>(Topics.RUNS_METRICS, "it-run-" + (b / 50), bad));
                    }
                }
            }
            producer.send(new ProducerRecord<>(Topics.RUNS_METRICS, "it-run-2", redeliver)); // stored once
            producer.send(new ProducerRecord<>(Topics.RUNS_METRICS, "ghost", json.writeValueAsString(
                    MetricBatch.of("ghost", "x", 1, 1, 1, Map.of("train_loss", new MetricSeries(List.of(1), List.of(1.0)))))));
            for (int from = 1; from <= BIG_STEPS; from += BIG_BATCH) {
                List<Integer> steps = new ArrayList<>(BIG_BATCH);
                List<Double> values = new ArrayList<>(BIG_BATCH);
                for (int s = from; s < from + BIG_BATCH; s++) {
                    double v = 0.5 + 0.2 * Math.exp(-s / 1e5) + 0.01 * rnd.nextDouble();
                    steps.add(s);
                    values.add(v);
                    bigMin = Math.min(bigMin, v);
                    bigMax = Math.max(bigMax, v);
                }
                producer.send(new ProducerRecord<>(Topics.RUNS_METRICS, "it-big", json.writeValueAsString(
                        MetricBatch.of("it-big", "x", 1, from, from + BIG_BATCH - 1, Map.of("train_loss", new MetricSeries(steps, values))))));
                expectedPoints += BIG_BATCH;
            }
            producer.flush();
        }
    }

    static long storedPoints() throws Exception {
        try (Connection c = db(); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM metric_points")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void awaitReady() throws Exception {
        PackagedAnalysis.awaitReady(service, url, "target/it-metrics-api/analysis.log");
    }

    /** tdlab_analysis_ingest_points_total from /q/metrics: points of the batches stored so far (cheap to read). */
    static long ingestedCounter() throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create(url + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
            if (line.startsWith("tdlab_analysis_ingest_points_total")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    /**
     * Drains the backlog; the rate is measured between the first and the last change of the service's
     * ingest counter (sampled every 100 ms), so it counts the consumer's work only, not the start-up.
     */
    static synchronized void awaitBacklog() throws Exception {
        if (report.length() > 0) {
            return;
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        long firstN = -1;
        long firstT = 0;
        long n;
        long t;
        while (true) {
            n = ingestedCounter();
            t = System.nanoTime();
            if (firstN < 0 && n > 0) {
                firstN = n;
                firstT = t;
            }
            if (n >= expectedPoints) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "ingested " + n + " of " + expectedPoints + " points in 5 min");
            Thread.sleep(100);
        }
        double secs = (t - firstT) / 1e9;
        report.append(String.format(Locale.ROOT, "in-system ingest (Kafka runs.metrics backlog → analysis → PostgreSQL): "
                + "%,d points in %.2f s = %,.0f points/s (from the first stored poll to the last; counter sampled every 100 ms)%n",
                n - firstN, secs, (n - firstN) / secs));
    }

    @Test
    void theBacklogIsStoredOnceAndOnlyThePoisonGoesToTheDlq() throws Exception {
        awaitReady();
        awaitBacklog();
        Thread.sleep(2000); // anything still to come would be a duplicate
        assertEquals(expectedPoints, storedPoints(), "every valid point once, nothing of the ghost run");
        try (Connection c = db(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*), count(*) FILTER (WHERE value = 'Infinity') FROM metrics WHERE run_id = 'it-run-3' AND name = 'grad_norm'")) {
            rs.next();
            assertEquals(SMALL_BATCHES * 200, rs.getLong(1));
            assertEquals(1, rs.getLong(2), "the infinity of step 777 is stored as such");
        }
        try (Connection c = db(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT step, last_train_loss IS NOT NULL FROM runs WHERE id = 'it-big'")) {
            rs.next();
            assertEquals(BIG_STEPS, rs.getInt(1), "the run's step follows its batches");
            assertTrue(rs.getBoolean(2), "latest train loss on the run row");
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafka().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "metrics-api-it");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<String> dead = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(Topics.RUNS_METRICS + ".dlq"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (dead.size() < poison.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    dead.add(r.value());
                    assertTrue(r.headers().lastHeader("dead-letter-reason") != null, "the reason travels with it");
                }
            }
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofSeconds(2))) {
                dead.add(r.value());
            }
        }
        assertEquals(poison.stream().sorted().toList(), dead.stream().sorted().toList(), "exactly the poison messages");
    }

    @Test
    void aMillionPointSeriesIsReadAsAThousandWithItsExtremes() throws Exception {
        awaitReady();
        awaitBacklog();
        String path = "/api/v1/runs/it-big/metrics?names=train_loss&maxPoints=1000";
        HttpResponse<String> first = get(path);
        assertEquals(200, first.statusCode(), first.body());
        JsonNode tl = json.readTree(first.body()).get("metrics").get("train_loss");
        int n = tl.get("steps").size();
        assertTrue(n <= 1000 && n >= 750, "points " + n);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (JsonNode v : tl.get("values")) {
            min = Math.min(min, v.asDouble());
            max = Math.max(max, v.asDouble());
        }
        assertEquals(bigMin, min, "the global minimum is kept");
        assertEquals(bigMax, max, "the global maximum is kept");
        double[] ms = new double[9];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            assertEquals(200, get(path).statusCode());
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        report.append(String.format(Locale.ROOT, "GET /runs/{id}/metrics?names=train_loss&maxPoints=1000 on a 1,000,000-point series "
                + "over HTTP: %d points, median %.1f ms (min %.1f, max %.1f, 9 requests after one warm-up)%n", n, ms[4], ms[0], ms[8]));
        HttpResponse<String> small = get("/api/v1/runs/it-big/metrics?names=train_loss&from=1000&to=1999&maxPoints=1000");
        JsonNode exact = json.readTree(small.body()).get("metrics").get("train_loss").get("steps");
        assertEquals(1000, exact.size(), "a small range comes back exactly");
        assertEquals(1000, exact.get(0).asInt());
        assertEquals(1999, exact.get(999).asInt());
    }

    @Test
    void anUnknownRunIs404AndEveryBadParameterIsNamed() throws Exception {
        awaitReady();
        awaitBacklog();
        HttpResponse<String> unknown = get("/api/v1/runs/nope/metrics?from=5&to=1&names=x");
        assertEquals(404, unknown.statusCode(), "the run is checked first: " + unknown.body());
        assertBad("from=5&to=1", List.of("from"), "5 > 1");
        assertBad("maxPoints=1", List.of("maxPoints"), "[2, 100000]");
        assertBad("maxPoints=100001", List.of("maxPoints"), "[2, 100000]");
        assertBad("maxPoints=many&from=x", List.of("from", "maxPoints"), "integer");
        assertBad("names=train_loss,acuracy", List.of("names"), "'acuracy'");
        HttpResponse<String> ok = get("/api/v1/runs/it-run-0/metrics?names=" + URLEncoder.encode("train_loss, eval_loss", StandardCharsets.UTF_8)
                + "&from=1&to=400&maxPoints=100");
        assertEquals(200, ok.statusCode(), ok.body());
        JsonNode m = json.readTree(ok.body()).get("metrics");
        assertEquals(List.of("train_loss", "eval_loss"), iterable(m.fieldNames()));
        assertTrue(m.get("train_loss").get("steps").size() <= 100);
        HttpResponse<String> all = get("/api/v1/runs/it-run-0/metrics?maxPoints=10");
        assertEquals(List.of("eval_loss", "eval_loss_stderr", "grad_norm", "train_loss"),
                iterable(json.readTree(all.body()).get("metrics").fieldNames()));
    }

    @Test
    void theSpecSchemaIsServedAsCommittedAndNeedsAToken() throws Exception {
        awaitReady();
        HttpResponse<String> r = get("/api/v1/spec/schema");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/schema+json", r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        assertEquals(Files.readString(Paths.get("src/main/resources/spec/experiment-spec.schema.json")), r.body());
        assertEquals("https://json-schema.org/draft/2020-12/schema", json.readTree(r.body()).get("$schema").asText());
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/spec/schema")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode(), anonymous.body());
    }

    static List<String> iterable(Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    static void assertBad(String query, List<String> fields, String mentions) throws Exception {
        HttpResponse<String> r = get("/api/v1/runs/it-run-0/metrics?" + query);
        assertEquals(400, r.statusCode(), query + ": " + r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse("").split(";")[0], query);
        JsonNode body = json.readTree(r.body());
        List<String> got = new ArrayList<>();
        body.get("violations").forEach(v -> got.add(v.get("field").asText()));
        assertEquals(fields, got, query + ": " + r.body());
        assertTrue(r.body().contains(mentions), query + ": " + r.body());
    }
}
