package dev.tdlab.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The operations view of a running system: while an experiment trains, each service's
 * {@code /q/metrics} carries its tdlab meters (runs by state, steps/s, tokens/s, ingest rate, DLQ
 * counts), the Kafka consumer lag and every series the Grafana dashboard plots; the trainer's
 * {@code /q/health} names its ND4J backend and device; a poison message is counted on its DLQ.
 */
class ObservabilityIT {

    static final String SPEC = """
            name: observability-it
            data:  { family: markov, p: 0.2, q: 0.3, seqLen: 16, trainSequences: 128, evalSequences: 32 }
            model: { family: single-layer, dModel: 4, heads: 1, mlp: true, tiedEmbedding: true, init: { scheme: gaussian, std: 0.02 } }
            train: { optimizer: adam, lr: 0.005, batch: 8, steps: 60, evalEvery: 20 }
            seeds: [0]
            """;

    /** A series line of the Prometheus text format: name{labels} value. */
    static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+)", Pattern.MULTILINE);

    @Test
    void metricsHealthAndDeadLettersDuringAnExperiment() throws Exception {
        Stack s = Stack.get();
        HttpResponse<String> created = s.post("/api/v1/experiments", "application/yaml", SPEC);
        assertEquals(201, created.statusCode(), created.body());
        String id = s.json.readTree(created.body()).get("id").asText();

        // a poison message on runs.status: analysis sends it to runs.status.dlq and counts it
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.infra.kafka().bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>("runs.status", "observability-it", "{not json")).get();
        }

        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        String st = "";
        while (System.nanoTime() < deadline && !List.of("FINISHED", "FAILED", "CANCELLED").contains(st)) {
            Thread.sleep(1000);
            st = s.get("/api/v1/experiments/" + id).get("status").asText();
        }
        assertEquals("FINISHED", st, "experiment " + id);

        // trainer: steps, tokens, outcomes, throughput gauges, its queue, the device
        await(s.trainerUrl, "tdlab_trainer_steps_total", v -> v >= 60);
        await(s.trainerUrl, "tdlab_trainer_tokens_total", v -> v >= 60 * 8 * 16);
        await(s.trainerUrl, "tdlab_trainer_runs_total{state=\"FINISHED\"}", v -> v >= 1);
        await(s.trainerUrl, "tdlab_trainer_queue_runs{state=\"FINISHED\"}", v -> v >= 1);
        String trainer = metrics(s.trainerUrl);
        for (String name : List.of("tdlab_trainer_steps_per_second", "tdlab_trainer_tokens_per_second",
                "tdlab_trainer_runs_active", "tdlab_trainer_workers", "tdlab_trainer_device_memory_total_bytes",
                "tdlab_trainer_run_duration_seconds_count", "kafka_consumer_fetch_manager_records_lag_max",
                "tdlab_dlq_messages_total")) {
            assertTrue(names(trainer).contains(name), "trainer /q/metrics lacks " + name);
        }
        // analysis: runs by state (from the store), ingest rate, DLQ count of the poison message
        await(s.analysisUrl, "tdlab_runs{state=\"FINISHED\"}", v -> v >= 1);
        await(s.analysisUrl, "tdlab_analysis_ingest_points_total", v -> v >= 60);
        await(s.analysisUrl, "tdlab_dlq_messages_total{channel=\"runs-status\",topic=\"runs.status.dlq\"}", v -> v >= 1);
        // data-gen: its stored datasets, its DLQ
        await(s.dataGenUrl, "tdlab_db_table_rows{table=\"datasets\"}", v -> v >= 1);
        assertTrue(metrics(s.dataGenUrl).contains("tdlab_dlq_messages_total{channel=\"runs-planned\",topic=\"runs.planned.dlq\"}"));

        // every tdlab_* series of the Grafana dashboard is exported by some service
        TreeSet<String> exported = new TreeSet<>();
        for (String url : List.of(s.dataGenUrl, s.trainerUrl, s.analysisUrl)) {
            exported.addAll(names(metrics(url)));
        }
        Path dashboard = Paths.get(System.getProperty("tdlab.root", "..")).resolve("k8s/base/grafana/tdlab-dashboard.json");
        Matcher m = Pattern.compile("\\btdlab_[a-z0-9_]+").matcher(Files.readString(dashboard));
        while (m.find()) {
            assertTrue(exported.contains(m.group()), "dashboard series " + m.group() + " is not exported");
        }

        // the trainer's health names the ND4J backend and its device
        HttpResponse<String> health = s.http.send(HttpRequest.newBuilder(URI.create(s.trainerUrl + "/q/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode backend = null;
        for (JsonNode c : s.json.readTree(health.body()).get("checks")) {
            if ("nd4j-backend".equals(c.path("name").asText())) {
                backend = c;
            }
        }
        assertTrue(backend != null && "UP".equals(backend.path("status").asText()), health.body());
        assertEquals("CPU", backend.at("/data/backend").asText());
        assertTrue(backend.at("/data/device0.totalBytes").asLong() > 0, backend.toString());
    }

    static String metrics(String url) throws Exception {
        HttpResponse<String> r = Stack.get().http.send(HttpRequest.newBuilder(URI.create(url + "/q/metrics"))
                .header("Accept", "text/plain; version=0.0.4").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body().replace(",}", "}"); // the 0.0.4 text format may end a label set with a comma
    }

    static TreeSet<String> names(String text) {
        TreeSet<String> out = new TreeSet<>();
        Matcher m = LINE.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The value of one series (name plus its exact label set as printed), or null. */
    static Double value(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim().split("\\s+")[0]);
            }
        }
        return null;
    }

    /** Waits (database-backed gauges refresh every 10 s) until the series satisfies the condition. */
    static void await(String url, String series, Predicate<Double> ok) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Double v = null;
        while (System.nanoTime() < deadline) {
            v = value(metrics(url), series);
            if (v != null && ok.test(v)) {
                return;
            }
            Thread.sleep(1000);
        }
        fail(url + "/q/metrics: " + series + " = " + v);
    }
}
