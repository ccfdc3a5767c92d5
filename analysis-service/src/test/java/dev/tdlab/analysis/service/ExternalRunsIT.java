package dev.tdlab.analysis.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.Baselines;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.analysis.PackagedAnalysis;
import dev.tdlab.devstack.DevStack;
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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs trained outside the lab ({@code train.external: true}) on the packaged service, a real Kafka and PostgreSQL:
 * a tenant submits an external experiment, the dataset is announced on {@code datasets.ready} (as data-gen does), the
 * researcher's loop logs a known curve through {@code POST /runs/{id}/metrics} in one batch of more than 1,000
 * points (a retry with the same batch id changes nothing; a bad batch is a 400 naming each bad field and stores
 * nothing; another tenant gets a 404) and finishes it; the run gets its verdict (GLOBAL, published once on
 * {@code runs.verdicts}), the live stream its events, and the experiment ends when the other run is reported FAILED.
 */
class ExternalRunsIT {

    static final String TOKEN = "it-admin-token-external-0123456789abcdef0123456789";
    static final String SPEC = """
            {"name":"external-it","data":{"family":"markov","order":1,"vocab":2,"p":0.2,"q":0.3,"seqLen":64,
             "trainSequences":128,"evalSequences":32},
             "model":{"family":"single-layer","dModel":4},
             "train":{"external":true,"steps":1000,"evalEvery":10},
             "seeds":[0,1]}""";
    static final Baselines BASELINES = new Baselines(0.5, 0.69, List.of(0.4, 0.6), 0.5, 0.0, List.of(0.69, 0.5),
            null, null, null, "exact");

    static DevStack infra;
    static PackagedAnalysis stack;
    static String url;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        stack = PackagedAnalysis.start("it-external", TOKEN, "512m", false);
        infra = stack.infra();
        url = stack.url();
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void anExternalRunLoggedAndFinishedThroughTheApiGetsItsVerdict() throws Exception {
        String alice = token("alice-ext");
        String bob = token("bob-ext");
        HttpResponse<String> sub = send("POST", "/api/v1/experiments", SPEC, alice);
        assertEquals(201, sub.statusCode(), sub.body());
        String experimentId = json.readTree(sub.body()).get("id").asText();
        JsonNode e = json.readTree(send("GET", "/api/v1/experiments/" + experimentId, null, alice).body());
        String run = e.get("runs").get(0).get("id").asText();
        String other = e.get("runs").get(1).get("id").asText();
        produce(experimentId, run, other);

        // the known curve: eval loss H + (U − H)·exp(−t/100) every 10 steps, train loss every step: 1,101 points
        StringBuilder points = new StringBuilder();
        for (int t = 0; t <= 1000; t++) {
            if (t < 1000) {
                points.append("{\"name\":\"train_loss\",\"step\":").append(t).append(",\"value\":")
                        .append(0.5 + 0.19 * Math.exp(-t / 90.0)).append("},");
            }
            if (t % 10 == 0) {
                points.append("{\"name\":\"eval_loss\",\"step\":").append(t).append(",\"value\":")
                        .append(0.5 + 0.19 * Math.exp(-t / 100.0)).append("},");
            }
        }
        String batch = "{\"batchId\":\"b-0001\",\"metrics\":[" + points.substring(0, points.length() - 1) + "]}";
        HttpResponse<String> logged = send("POST", "/api/v1/runs/" + run + "/metrics", batch, alice);
        assertEquals(200, logged.statusCode(), logged.body());
        assertEquals(1101, json.readTree(logged.body()).get("points").asInt());
        assertTrue(json.readTree(logged.body()).get("applied").asBoolean());
        HttpResponse<String> retried = send("POST", "/api/v1/runs/" + run + "/metrics", batch, alice);
        assertEquals(200, retried.statusCode(), retried.body());
        assertFalse(json.readTree(retried.body()).get("applied").asBoolean(), retried.body());
        assertEquals(List.of("1101"), rows("SELECT count(*) FROM metric_points p JOIN metric_series s ON s.id = p.series_id"
                + " WHERE s.run_id = '" + run + "'"));

        // a bad batch names each bad field and stores nothing; another tenant's token sees no such run
        HttpResponse<String> bad = send("POST", "/api/v1/runs/" + run + "/metrics", """
                {"batchId":"b 2","metrics":[{"name":"eval_loss","step":-1,"value":0.5},{"name":"x","step":3,"value":"high"},
                 {"name":"x","step":4,"value":1,"colour":"red"},{"name":"y","step":5,"value":1},{"name":"y","step":5,"value":2}]}""",
                alice);
        assertEquals(400, bad.statusCode(), bad.body());
        List<String> fields = new ArrayList<>();
        json.readTree(bad.body()).get("violations").forEach(v -> fields.add(v.get("field").asText()));
        assertEquals(List.of("batchId", "metrics[0].step", "metrics[1].value", "metrics[2].colour", "metrics[4].step"),
                fields, bad.body());
        assertEquals(404, send("POST", "/api/v1/runs/" + run + "/metrics", batch, bob).statusCode());
        assertEquals(404, send("POST", "/api/v1/runs/" + run + "/finish", "{\"status\":\"FINISHED\"}", bob).statusCode());
        assertEquals(400, send("POST", "/api/v1/runs/" + run + "/finish", "{\"status\":\"DONE\"}", alice).statusCode());

        HttpResponse<String> fin = send("POST", "/api/v1/runs/" + run + "/finish",
                "{\"status\":\"FINISHED\",\"finalEvalStdErr\":0.002,\"secondsElapsed\":12.5}", alice);
        assertEquals(200, fin.statusCode(), fin.body());
        JsonNode finished = json.readTree(fin.body());
        assertEquals("FINISHED", finished.get("status").asText());
        assertEquals("GLOBAL", finished.get("verdict").asText(), fin.body());
        assertEquals(1000, finished.get("step").asInt());
        assertEquals(200, send("POST", "/api/v1/runs/" + run + "/finish", "{\"status\":\"FINISHED\"}", alice).statusCode());
        assertEquals(409, send("POST", "/api/v1/runs/" + run + "/finish", "{\"status\":\"FAILED\"}", alice).statusCode());
        HttpResponse<String> late = send("POST", "/api/v1/runs/" + run + "/metrics",
                "{\"batchId\":\"b-late\",\"metrics\":[{\"name\":\"eval_loss\",\"step\":1001,\"value\":0.5}]}", alice);
        assertEquals(409, late.statusCode(), late.body());
        assertEquals(200, send("POST", "/api/v1/runs/" + run + "/metrics", batch, alice).statusCode()); // a retry, still

        HttpResponse<String> failed = send("POST", "/api/v1/runs/" + other + "/finish",
                "{\"status\":\"FAILED\",\"error\":\"CUDA out of memory\"}", alice);
        assertEquals(200, failed.statusCode(), failed.body());
        JsonNode done = await("/api/v1/experiments/" + experimentId, alice);
        assertEquals("FINISHED", done.get("status").asText());
        assertEquals("CUDA out of memory", done.get("runs").get(1).get("error").asText());
        assertEquals(Map.of(run, 1), countByKey(Topics.RUNS_VERDICTS, m -> m.containsKey(run)));
        List<String> stream = rows("SELECT type FROM experiment_events WHERE experiment_id = '" + experimentId + "' ORDER BY id");
        for (String type : List.of("experiment", "progress", "metrics", "status", "verdict")) {
            assertTrue(stream.contains(type), type + " missing from the stream: " + stream);
        }

        // every curve in long format, and the findings and claims columns of the report
        HttpResponse<String> curves = send("GET", "/api/v1/experiments/" + experimentId + "/curves.csv", null, alice);
        assertEquals(200, curves.statusCode(), curves.body());
        List<String> lines = curves.body().lines().toList();
        assertEquals("experiment,run,seed,metric,step,value", lines.get(0));
        assertEquals(1 + 1101, lines.size());
        assertEquals(experimentId + "," + run + ",0,eval_loss,1000," + (0.5 + 0.19 * Math.exp(-10.0)), lines.get(101));
        assertEquals(404, send("GET", "/api/v1/experiments/" + experimentId + "/curves.csv", null, bob).statusCode());
        String header = send("GET", "/api/v1/experiments/" + experimentId + "/report.csv", null, alice).body().lines()
                .findFirst().orElseThrow();
        assertTrue(header.endsWith(",findings,claims"), header);
    }

    @Test
    void aRunTheLabTrainsTakesNoMetricsFromTheApi() throws Exception {
        String spec = SPEC.replace("\"external\":true,", "").replace("external-it", "internal-it");
        HttpResponse<String> sub = send("POST", "/api/v1/experiments", spec, TOKEN);
        assertEquals(201, sub.statusCode(), sub.body());
        JsonNode e = json.readTree(send("GET", "/api/v1/experiments/" + json.readTree(sub.body()).get("id").asText(), null,
                TOKEN).body());
        String run = e.get("runs").get(0).get("id").asText();
        HttpResponse<String> r = send("POST", "/api/v1/runs/" + run + "/metrics",
                "{\"batchId\":\"b1\",\"metrics\":[{\"name\":\"eval_loss\",\"step\":1,\"value\":0.5}]}", TOKEN);
        assertEquals(409, r.statusCode(), r.body());
        assertEquals(List.of("0"), rows("SELECT count(*) FROM metric_series WHERE run_id = '" + run + "'"));
    }

    static void produce(String experimentId, String... runs) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafka().bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (String run : runs) {
                DatasetReady d = new DatasetReady(1, "dataset:" + run, run, experimentId, "ds-" + run, "sha", 1, 1, 128,
                        128, 32, 64, 2, BASELINES, null, null);
                producer.send(new ProducerRecord<>(Topics.DATASETS_READY, run, json.writeValueAsString(d))).get();
            }
        }
        for (String run : runs) { // the baselines are in before the run is finished
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!rows("SELECT status FROM runs WHERE id = '" + run + "'").equals(List.of("DATA_READY"))) {
                assertTrue(System.nanoTime() < deadline, "datasets.ready of " + run + " not applied");
                Thread.sleep(200);
            }
        }
    }

    static String token(String tenant) throws Exception {
        assertEquals(201, send("POST", "/api/v1/tenants", "{\"id\":\"" + tenant + "\"}", TOKEN).statusCode());
        HttpResponse<String> t = send("POST", "/api/v1/tenants/" + tenant + "/tokens", "{}", TOKEN);
        assertEquals(201, t.statusCode(), t.body());
        return json.readTree(t.body()).get("token").asText();
    }

    static JsonNode await(String path, String token) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = json.readTree(send("GET", path, null, token).body());
            if ("FINISHED".equals(last.path("status").asText())) {
                return last;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("not finished in 30 s: " + last);
    }

    static Map<String, Integer> countByKey(String topic, java.util.function.Predicate<Map<String, Integer>> enough) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafka().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, Integer> out = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && !enough.test(out)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    out.merge(r.key(), 1, Integer::sum);
                }
            }
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(2000))) {
                out.merge(r.key(), 1, Integer::sum); // anything right behind
            }
        }
        return out;
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
}
