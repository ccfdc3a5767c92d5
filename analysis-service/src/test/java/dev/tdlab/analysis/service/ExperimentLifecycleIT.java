package dev.tdlab.analysis.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.PackagedAnalysis;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.Baselines;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.contracts.events.MetricBatch;
import dev.tdlab.contracts.events.MetricSeries;
import dev.tdlab.contracts.events.RunState;
import dev.tdlab.contracts.events.RunStatus;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Planning and the run lifecycle of the packaged service on a real Kafka and PostgreSQL (devstack): a submission
 * stores one run per cell and seed and their RunPlanned events in the same transaction, relayed once each; a
 * submission over the tenant's concurrent-runs quota stores nothing, events included; then the three topics of each
 * run arrive in a different order per run, with duplicates, and each run gets exactly one verdict, the experiment
 * one report; late events after the verdict change nothing; concurrent submissions fill a tenant's quota exactly; and
 * events that arrive while PostgreSQL is killed wait for its restart and are stored once, only a malformed one
 * dead-lettered.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExperimentLifecycleIT {

    static final String TOKEN = "it-admin-token-lifecycle-0123456789abcdef0123456789";
    static final String SPEC = """
            {"name":"lifecycle-it","data":{"family":"markov","order":1,"vocab":2,"p":0.2,"q":0.3,"seqLen":64,
             "trainSequences":128,"evalSequences":32},
             "model":{"family":"single-layer","dModel":4,"heads":1,"attention":"softmax","mlp":true,
             "tiedEmbedding":true,"init":{"scheme":"gaussian","std":0.02}},
             "train":{"optimizer":"adam","lr":1.0e-3,"batch":16,"steps":100,"trainable":["all"],"evalEvery":50},
             "seeds":[0,1],"sweep":{"data.p":[0.1,0.3]}}""";
    static final Baselines BASELINES = new Baselines(0.5, 0.69, List.of(0.4, 0.6), 0.5, 0.0, List.of(0.69, 0.5),
            null, null, null, "exact");

    static DevStack infra;
    /** The PostgreSQL started again after the outage test's kill -9 (same data dir and port). */
    static dev.tdlab.devstack.Postgres restarted;
    static Process service;
    static String url;
    static Path work;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();
    static String experimentId;
    static List<String> runIds;

    @BeforeAll
    static void start() throws Exception {
        work = Paths.get("target/it-lifecycle").toAbsolutePath();
        if (Files.exists(work)) {
            try (var walk = Files.walk(work)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(work);
        infra = DevStack.start(DevStack.Options.parse("--data", work.resolve("data").toString(), "--kafka-port", "0",
                "--pg-port", "0", "--partitions", "2"));
        int port = Ports.freePort();
        url = "http://localhost:" + port;
        Path jar = Paths.get("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-Dquarkus.http.port=" + port, "-jar", jar.toString());
        pb.environment().put("TDLAB_KAFKA", infra.kafka().bootstrapServers());
        pb.environment().put("TDLAB_JDBC_URL", infra.jdbcUrl());
        pb.environment().put("TDLAB_ADMIN_TOKEN", TOKEN);
        pb.redirectErrorStream(true);
        pb.redirectOutput(work.resolve("analysis.log").toFile());
        service = pb.start();
        awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.destroy();
            if (!service.waitFor(20, TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
        }
        if (restarted != null) {
            restarted.close();
        }
        if (infra != null) {
            infra.close();
        }
    }

    @Test
    @Order(1)
    void aSubmissionStoresItsRunsAndTheirEventsTogetherAndRelaysEachOnce() throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/experiments", SPEC, TOKEN);
        assertEquals(201, r.statusCode(), r.body());
        JsonNode created = json.readTree(r.body());
        experimentId = created.get("id").asText();
        assertEquals("PLANNED", created.get("status").asText());
        assertEquals(4, created.get("runCount").asInt());

        runIds = rows("SELECT id FROM runs WHERE experiment_id = '" + experimentId + "' AND status = 'PLANNED' ORDER BY cell_id, seed");
        List<String> cells = rows("SELECT cell_id || '|' || seed FROM runs WHERE experiment_id = '" + experimentId
                + "' ORDER BY cell_id, seed");
        assertEquals(4, runIds.size());
        assertEquals(2, cells.stream().map(x -> x.split("\\|")[0]).distinct().count()); // two cells × two seeds
        for (int i = 0; i < 4; i++) {
            String[] cs = cells.get(i).split("\\|");
            assertEquals(Planning.runId(experimentId, cs[0], Long.parseLong(cs[1])), runIds.get(i));
        }
        assertEquals(List.of("4"), rows("SELECT count(*) FROM outbox WHERE topic = 'runs.planned'"));

        Map<String, Integer> planned = countByKey(Topics.RUNS_PLANNED, m -> m.size() >= 4, Duration.ofSeconds(30));
        Thread.sleep(3000); // the scheduled relay passes a few times: nothing goes out again
        planned = countByKey(Topics.RUNS_PLANNED, m -> m.size() >= 4, Duration.ofSeconds(10));
        assertEquals(4, planned.size(), planned.toString());
        planned.forEach((run, n) -> assertEquals(1, n, "RunPlanned of " + run + " relayed " + n + " times"));
        assertTrue(planned.keySet().containsAll(runIds));
        assertEquals(List.of("0"), rows("SELECT count(*) FROM outbox WHERE sent_at IS NULL"));
    }

    @Test
    @Order(2)
    void aSubmissionOverTheQuotaStoresNothing() throws Exception {
        assertEquals(201, send("POST", "/api/v1/tenants", "{\"id\":\"tiny\",\"quotas\":{\"concurrentRuns\":3}}", TOKEN)
                .statusCode());
        HttpResponse<String> issued = send("POST", "/api/v1/tenants/tiny/tokens", "{}", TOKEN);
        assertEquals(201, issued.statusCode(), issued.body());
        String tiny = json.readTree(issued.body()).get("token").asText();
        List<String> outboxBefore = rows("SELECT count(*) FROM outbox");
        HttpResponse<String> refused = send("POST", "/api/v1/experiments", SPEC, tiny);
        assertEquals(429, refused.statusCode(), refused.body());
        assertEquals("concurrentRuns", json.readTree(refused.body()).get("quota").asText());
        assertEquals(List.of("0"), rows("SELECT count(*) FROM experiments WHERE tenant_id = 'tiny'"));
        assertEquals(outboxBefore, rows("SELECT count(*) FROM outbox"));
    }

    @Test
    @Order(2)
    void concurrentSubmissionsAreAdmittedExactlyUpToTheQuota() throws Exception {
        int quota = 7;
        int submissions = 30;
        assertEquals(201, send("POST", "/api/v1/tenants", "{\"id\":\"racing\",\"quotas\":{\"concurrentRuns\":" + quota + "}}",
                TOKEN).statusCode());
        HttpResponse<String> issued = send("POST", "/api/v1/tenants/racing/tokens", "{}", TOKEN);
        assertEquals(201, issued.statusCode(), issued.body());
        String racing = json.readTree(issued.body()).get("token").asText();
        String oneRun = SPEC.replace("\"seeds\":[0,1],\"sweep\":{\"data.p\":[0.1,0.3]}", "\"seeds\":[0]");
        assertTrue(oneRun.contains("\"seeds\":[0]}"), oneRun);
        // a two-run submission of the same tenant races too: whatever wins, the runs admitted never pass the quota
        String twoRuns = SPEC.replace("\"seeds\":[0,1],\"sweep\":{\"data.p\":[0.1,0.3]}", "\"seeds\":[0,1]");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(submissions);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<HttpResponse<String>>> posts = new ArrayList<>();
        for (int i = 0; i < submissions; i++) {
            String spec = i == submissions / 2 ? twoRuns : oneRun;
            posts.add(pool.submit(() -> {
                go.await();
                return send("POST", "/api/v1/experiments", spec, racing);
            }));
        }
        go.countDown();
        Map<Integer, Integer> status = new HashMap<>();
        int runsAdmitted = 0;
        for (java.util.concurrent.Future<HttpResponse<String>> f : posts) {
            HttpResponse<String> r = f.get(2, TimeUnit.MINUTES);
            status.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() == 201) {
                runsAdmitted += json.readTree(r.body()).get("runCount").asInt();
            } else {
                assertEquals(429, r.statusCode(), r.body());
                assertEquals("concurrentRuns", json.readTree(r.body()).get("quota").asText());
            }
        }
        pool.shutdownNow();
        // the quota is filled exactly: one-run submissions keep coming after any two-run one, so the last free run
        // is always taken
        assertEquals(quota, runsAdmitted, status.toString());
        assertEquals(List.of(String.valueOf(quota)), rows("SELECT count(*) FROM runs r JOIN experiments e "
                + "ON e.id = r.experiment_id WHERE e.tenant_id = 'racing'"));
        assertEquals(List.of(String.valueOf(status.get(201))), rows("SELECT count(*) FROM experiments WHERE tenant_id = 'racing'"));
        assertEquals(List.of(String.valueOf(quota)), rows("SELECT count(*) FROM outbox WHERE msg_key IN (SELECT r.id FROM runs r "
                + "JOIN experiments e ON e.id = r.experiment_id WHERE e.tenant_id = 'racing')"));
    }

    @Test
    @Order(3)
    void everyOrderOfTheThreeTopicsGivesOneVerdictAndTheExperimentOneReport() throws Exception {
        assertNotNull(runIds);
        String a = runIds.get(0), b = runIds.get(1), c = runIds.get(2), failed = runIds.get(3);
        List<ProducerRecord<String, String>> out = new ArrayList<>();
        // a: dataset, status, metrics; b: metrics, status, dataset; c: status, metrics, dataset, each twice
        out.addAll(List.of(dataset(a), finished(a), metrics(a, 0, 50), metrics(a, 50, 100)));
        out.addAll(List.of(metrics(b, 50, 100), metrics(b, 0, 50), finished(b), dataset(b)));
        for (int i = 0; i < 2; i++) {
            out.addAll(List.of(finished(c), metrics(c, 0, 50), metrics(c, 50, 100), dataset(c)));
        }
        out.addAll(List.of(dataset(failed), status(failed, RunState.RUNNING, 10, null),
                status(failed, RunState.FAILED, 20, "out of memory")));
        produce(out);

        JsonNode e = await("/api/v1/experiments/" + experimentId, v -> "FINISHED".equals(v.path("status").asText()),
                Duration.ofSeconds(60));
        Map<String, String> verdicts = new HashMap<>();
        for (JsonNode run : e.get("runs")) {
            verdicts.put(run.get("id").asText(), run.get("verdict").isNull() ? null : run.get("verdict").asText());
        }
        for (String run : List.of(a, b, c)) {
            assertNotNull(verdicts.get(run), e.toString());
        }
        assertEquals(null, verdicts.get(failed));
        Map<String, Integer> published = countByKey(Topics.RUNS_VERDICTS, m -> m.size() >= 3, Duration.ofSeconds(30));
        assertEquals(Map.of(a, 1, b, 1, c, 1), published);
        Map<String, Integer> reports = countByKey(Topics.EXPERIMENTS_REPORTS, m -> !m.isEmpty(), Duration.ofSeconds(30));
        assertEquals(Map.of(experimentId, 1), reports);

        // late events after the verdict: a progress report, a failure, metrics of a later step
        produce(List.of(status(a, RunState.RUNNING, 60, null), status(a, RunState.FAILED, 70, "late"),
                metrics(a, 100, 120)));
        Thread.sleep(4000);
        JsonNode run = json.readTree(send("GET", "/api/v1/runs/" + a, null, TOKEN).body());
        assertEquals("FINISHED", run.get("status").asText());
        assertEquals(verdicts.get(a), run.get("verdict").asText());
        assertTrue(run.get("error").isNull());
        assertEquals(Map.of(a, 1, b, 1, c, 1), countByKey(Topics.RUNS_VERDICTS, m -> false, Duration.ofSeconds(5)));
        assertEquals("FINISHED", json.readTree(send("GET", "/api/v1/experiments/" + experimentId, null, TOKEN).body())
                .get("status").asText());
    }

    @Test
    @Order(4)
    void eventsThatArriveWhilePostgresIsDownWaitForItAndAreStoredOnce() throws Exception {
        // a new experiment of its own (the event helpers take experimentId)
        HttpResponse<String> r = send("POST", "/api/v1/experiments", SPEC, TOKEN);
        assertEquals(201, r.statusCode(), r.body());
        experimentId = json.readTree(r.body()).get("id").asText();
        List<String> runs = rows("SELECT id FROM runs WHERE experiment_id = '" + experimentId + "' ORDER BY cell_id, seed");
        String a = runs.get(0), b = runs.get(1);
        Map<String, Integer> dlqBefore = dlqCounts();

        long pid = infra.postgres().kill9();
        try {
            List<ProducerRecord<String, String>> out = new ArrayList<>();
            for (String run : List.of(a, b)) {
                out.addAll(List.of(dataset(run), metrics(run, 0, 50), metrics(run, 50, 100), metrics(run, 0, 50), finished(run)));
            }
            out.add(new ProducerRecord<>(Topics.RUNS_METRICS, "outage-malformed", "{\"runId\": 42, not json"));
            produce(out);
            // the consumers used to give up after about 1.5 s and dead-letter valid events: let the outage last longer
            Thread.sleep(8000);
            assertEquals(dlqBefore.get(Topics.RUNS_STATUS + ".dlq"), dlqCounts().get(Topics.RUNS_STATUS + ".dlq"));
        } finally {
            restarted = dev.tdlab.devstack.Postgres.start(infra.postgres().dataDir(), infra.postgres().port(), false);
        }
        for (String run : List.of(a, b)) {
            JsonNode v = await("/api/v1/runs/" + run, x -> "FINISHED".equals(x.path("status").asText())
                    && !x.path("verdict").isNull(), Duration.ofSeconds(90));
            assertNotNull(v.get("verdict").asText(), "postgres pid " + pid);
        }
        // every point once (a batch was sent twice; the store keeps one row per run, metric and step)
        assertEquals(List.of("4"), rows("SELECT count(*) FROM metrics WHERE run_id = '" + a + "'"));
        assertEquals(List.of("4"), rows("SELECT count(*) FROM metrics WHERE run_id = '" + b + "'"));
        Map<String, Integer> verdicts = countByKey(Topics.RUNS_VERDICTS, m -> m.containsKey(a) && m.containsKey(b),
                Duration.ofSeconds(30));
        assertEquals(1, verdicts.get(a));
        assertEquals(1, verdicts.get(b));
        // only the malformed event went to a dead-letter topic
        Map<String, Integer> dlq = dlqCounts();
        Map<String, Integer> added = new HashMap<>();
        dlq.forEach((topic, n) -> {
            if (n - dlqBefore.getOrDefault(topic, 0) != 0) {
                added.put(topic, n - dlqBefore.getOrDefault(topic, 0));
            }
        });
        assertEquals(Map.of(Topics.RUNS_METRICS + ".dlq", 1), added);
        assertEquals(Map.of("outage-malformed", 1), countByKey(Topics.RUNS_METRICS + ".dlq",
                m -> m.containsKey("outage-malformed"), Duration.ofSeconds(5)).entrySet().stream()
                .filter(e -> e.getKey().startsWith("outage")).collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
                        Map.Entry::getValue)));
    }

    /** Records on each dead-letter topic of analysis' consumers. */
    static Map<String, Integer> dlqCounts() {
        Map<String, Integer> out = new HashMap<>();
        for (String t : List.of(Topics.RUNS_METRICS, Topics.RUNS_STATUS, Topics.DATASETS_READY)) {
            out.put(t + ".dlq", countByKey(t + ".dlq", m -> false, Duration.ofSeconds(2)).values().stream()
                    .mapToInt(Integer::intValue).sum());
        }
        return out;
    }

    static ProducerRecord<String, String> dataset(String run) throws Exception {
        DatasetReady d = new DatasetReady(1, "dataset:" + run, run, experimentId, "ds-" + run, "sha", 1, 1, 128, 128, 32,
                64, 2, BASELINES, null, null);
        return new ProducerRecord<>(Topics.DATASETS_READY, run, json.writeValueAsString(d));
    }

    static ProducerRecord<String, String> finished(String run) throws Exception {
        return new ProducerRecord<>(Topics.RUNS_STATUS, run, json.writeValueAsString(
                RunStatus.finished(run, experimentId, 0, 100, 100, 0.502, 0.004, 0.501, 1.0)));
    }

    static ProducerRecord<String, String> status(String run, RunState state, int step, String error) throws Exception {
        RunStatus s = new RunStatus(1, UUID.randomUUID().toString(), run, experimentId, state, 0, step, 100,
                System.currentTimeMillis(), error, null, null, null, null);
        return new ProducerRecord<>(Topics.RUNS_STATUS, run, json.writeValueAsString(s));
    }

    static ProducerRecord<String, String> metrics(String run, int from, int to) throws Exception {
        MetricBatch m = MetricBatch.of(run, experimentId, 0, from, to, Map.of(
                "eval_loss", new MetricSeries(List.of(to), List.of(to >= 100 ? 0.502 : 0.6)),
                "train_loss", new MetricSeries(List.of(to), List.of(0.55))));
        return new ProducerRecord<>(Topics.RUNS_METRICS, run, json.writeValueAsString(m));
    }

    static void produce(List<ProducerRecord<String, String>> records) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafka().bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (ProducerRecord<String, String> r : records) {
                producer.send(r).get(); // one at a time: the order per run is the order here
            }
        }
    }

    /** Records of a topic by key, read from the start until {@code enough} or the time is up. */
    static Map<String, Integer> countByKey(String topic, Predicate<Map<String, Integer>> enough, Duration within) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafka().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, Integer> out = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < deadline && !enough.test(out)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    out.merge(r.key(), 1, Integer::sum);
                }
            }
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(1000))) {
                out.merge(r.key(), 1, Integer::sum); // anything right behind
            }
        }
        return out;
    }

    static JsonNode await(String path, Predicate<JsonNode> done, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = send("GET", path, null, TOKEN);
            if (r.statusCode() == 200) {
                last = json.readTree(r.body());
                if (done.test(last)) {
                    return last;
                }
            }
            Thread.sleep(300);
        }
        throw new AssertionError("not reached in " + within + ": " + last);
    }

    static List<String> rows(String sql) throws Exception {
        return PackagedAnalysis.rows(infra, sql);
    }

    static HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + token);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void awaitReady() throws Exception {
        PackagedAnalysis.awaitReady(service, url, "target/it-lifecycle/analysis.log");
    }
}
