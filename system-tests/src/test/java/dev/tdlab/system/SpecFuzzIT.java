package dev.tdlab.system;

import dev.tdlab.fixtures.MalformedSpecs;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz against the real stack (the in-process SpecFuzzTest of analysis-service runs 10,000 specs; this sends a sample
 * of the same generator over HTTP, plus query strings and events): malformed specs (JSON and YAML) and malformed query
 * strings must all get a 4xx problem+json that names what is wrong, and never a 5xx; malformed events on the three
 * topics analysis consumes must land in their dead-letter topics; nothing is stored (experiments, runs, planned events,
 * metrics, processed event ids); the service stays healthy. Counts go to target/fuzz/spec-fuzz-it.json.
 */
class SpecFuzzIT {

    static final int SPECS = Integer.getInteger("tdlab.fuzz.http-specs", 1_200);
    static final int QUERIES = Integer.getInteger("tdlab.fuzz.http-queries", 400);
    static final int EVENTS = Integer.getInteger("tdlab.fuzz.events", 300);
    static final long SEED = Long.getLong("tdlab.fuzz.seed", 7_000_000L);

    /** HTTP/1.1, as curl and browsers speak to a cleartext port (the JDK's default h2c upgrade resets streams early). */
    static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static final String SMALL = """
            name: fuzz-queries
            data:  { family: markov, p: 0.2, q: 0.3, seqLen: 16, trainSequences: 64, evalSequences: 16 }
            model: { dModel: 4 }
            train: { steps: 20, evalEvery: 10, batch: 8 }
            seeds: [0]
            """;

    @Test
    void malformedSpecsQueriesAndEventsAreRefusedAndNothingIsStored() throws Exception {
        Stack s = Stack.get();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        // a run to aim the query strings at, made before the counts are taken
        String queryToken = s.tenantToken("fuzzq-" + suffix, null);
        HttpResponse<String> small = s.post("/api/v1/experiments", "application/yaml", SMALL, queryToken);
        assertEquals(201, small.statusCode(), small.body());
        String expId = s.json.readTree(small.body()).get("id").asText();
        String runId = s.json.readTree(s.send(s.request("/api/v1/experiments/" + expId, queryToken)).body())
                .get("runs").get(0).get("id").asText();
        long until = System.nanoTime() + Duration.ofMinutes(3).toNanos(); // ended: its stream replays and closes
        while (System.nanoTime() < until && !List.of("FINISHED", "FAILED", "CANCELLED").contains(
                s.json.readTree(s.send(s.request("/api/v1/experiments/" + expId, queryToken)).body()).get("status").asText())) {
            Thread.sleep(500);
        }
        String token = s.tenantToken("fuzz-" + suffix, null);
        long[] before = rows(s);

        // 1. specs
        Map<Integer, Integer> specStatus = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        int yaml = 0;
        for (int i = 0; i < SPECS; i++) {
            MalformedSpecs.Case c = MalformedSpecs.of(SEED + i);
            yaml += c.yaml() ? 1 : 0;
            HttpResponse<String> r = send(s.request("/api/v1/experiments", token)
                    .header("Content-Type", c.yaml() ? "application/yaml" : "application/json")
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(c.body())));
            specStatus.merge(r.statusCode(), 1, Integer::sum);
            check("spec seed " + c.seed() + " (" + c.kind() + ")", r, failures, true);
        }

        // 2. query strings on the list, the metrics of a run, the stream's resume point
        Map<Integer, Integer> queryStatus = new TreeMap<>();
        SplittableRandom rnd = new SplittableRandom(SEED);
        String[] junk = {"abc", "-1", "0", "1e3", "99999999999999999999", "%00", "NaN", "' OR 1=1 --", "<script>", "",
                "2147483648", "1.5", "null", "[]", "%E2%82%AC", "ü", "0x1F", " ", "RUNNING", "train_loss,,", "a".repeat(300)};
        for (int i = 0; i < QUERIES; i++) {
            String v1 = URLEncoder.encode(junk[rnd.nextInt(junk.length)], StandardCharsets.UTF_8);
            String v2 = URLEncoder.encode(junk[rnd.nextInt(junk.length)], StandardCharsets.UTF_8);
            String path = switch (rnd.nextInt(3)) {
                case 0 -> "/api/v1/experiments?page=" + v1 + "&size=" + v2 + "&status=" + v1 + "&name=" + v2;
                case 1 -> "/api/v1/runs/" + runId + "/metrics?names=" + v1 + "&from=" + v2 + "&to=" + v1 + "&maxPoints=" + v2;
                default -> "/api/v1/experiments/" + expId + "/stream?after=" + (rnd.nextBoolean() ? v1 : "-" + v2 + "x");
            };
            HttpResponse<String> r = send(s.request(path, queryToken).timeout(Duration.ofSeconds(30)));
            queryStatus.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() >= 500) {
                failures.add("query " + path + ": " + r.statusCode() + " " + r.body());
            } else if (r.statusCode() >= 400) {
                check("query " + path, r, failures, false);
            }
        }

        // 3. events: poison on each consumed topic goes to its .dlq; well-formed ones for unknown runs change nothing
        Map<String, Object> events = fuzzEvents(s, new SplittableRandom(SEED + 1), failures);

        long[] after = rows(s);
        HttpResponse<String> health = s.send(s.request("/q/health/ready", null));

        int specs4xx = specStatus.entrySet().stream().filter(e -> e.getKey() >= 400 && e.getKey() < 500).mapToInt(Map.Entry::getValue).sum();
        int specs5xx = specStatus.entrySet().stream().filter(e -> e.getKey() >= 500).mapToInt(Map.Entry::getValue).sum();
        int queries4xx = queryStatus.entrySet().stream().filter(e -> e.getKey() >= 400 && e.getKey() < 500).mapToInt(Map.Entry::getValue).sum();
        int queries5xx = queryStatus.entrySet().stream().filter(e -> e.getKey() >= 500).mapToInt(Map.Entry::getValue).sum();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("specsTried", SPECS);
        out.put("specsYaml", yaml);
        out.put("specs4xx", specs4xx);
        out.put("specs5xx", specs5xx);
        out.put("specStatus", specStatus);
        out.put("queriesTried", QUERIES);
        out.put("queries4xx", queries4xx);
        out.put("queries5xx", queries5xx);
        out.put("queryStatus", queryStatus);
        out.put("events", events);
        out.put("rowsStored", Map.of("experiments", after[0] - before[0], "runs", after[1] - before[1],
                "plannedEvents", after[2] - before[2]));
        out.put("healthAfter", health.statusCode());
        Path file = Path.of("target/fuzz/spec-fuzz-it.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, s.json.writerWithDefaultPrettyPrinter().writeValueAsString(out));
        System.out.println("SpecFuzzIT: " + out);

        assertTrue(failures.isEmpty(), failures.size() + " failures, first: " + failures.stream().limit(5).toList());
        assertEquals(SPECS, specs4xx, "every malformed spec refused with a 4xx: " + specStatus);
        assertEquals(0, queries5xx, "no 5xx on query strings: " + queryStatus);
        assertEquals(before[0], after[0], "experiments stored");
        assertEquals(before[1], after[1], "runs stored");
        assertEquals(before[2], after[2], "runs.planned events stored");
        assertEquals(200, health.statusCode(), "healthy after the fuzz");
    }

    /** A 4xx with problem+json that says what is wrong (a detail, and for a refused spec a named violation). */
    static void check(String what, HttpResponse<String> r, List<String> failures, boolean mustBe4xx) {
        if (r.statusCode() >= 500 || (mustBe4xx && (r.statusCode() < 400))) {
            failures.add(what + ": " + r.statusCode() + " " + r.body());
            return;
        }
        if (!r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
            failures.add(what + ": " + r.statusCode() + " without problem+json: " + r.body());
            return;
        }
        try {
            JsonNode p = Stack.get().json.readTree(r.body());
            if (p.path("detail").asText().isBlank() || p.path("status").asInt() != r.statusCode()
                    || (r.statusCode() != 413 && r.statusCode() != 415 && mustBe4xx && p.path("violations").isEmpty())) {
                failures.add(what + ": unclear problem " + r.body());
            }
        } catch (Exception e) {
            failures.add(what + ": body is not JSON: " + r.body());
        }
    }

    /** Experiments, runs and planned-run events in the store. */
    static long[] rows(Stack s) throws Exception {
        try (Connection db = s.db(); Statement st = db.createStatement()) {
            long[] out = new long[3];
            String[] q = {"SELECT count(*) FROM analysis.experiments", "SELECT count(*) FROM analysis.runs",
                    "SELECT count(*) FROM analysis.outbox WHERE topic = 'runs.planned'"};
            for (int i = 0; i < q.length; i++) {
                try (ResultSet rs = st.executeQuery(q[i])) {
                    rs.next();
                    out[i] = rs.getLong(1);
                }
            }
            return out;
        }
    }

    static Map<String, Object> fuzzEvents(Stack s, SplittableRandom rnd, List<String> failures) throws Exception {
        String[] topics = {"runs.status", "runs.metrics", "datasets.ready"};
        Set<String> poison = new HashSet<>();   // markers that must reach a .dlq
        Set<String> markers = new HashSet<>();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.infra.kafka().bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        int wellFormed = 0;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < EVENTS; i++) {
                String m = "fuzz-" + UUID.randomUUID();
                markers.add(m);
                String topic = topics[rnd.nextInt(topics.length)];
                String value;
                boolean mustDlq = true;
                switch (rnd.nextInt(8)) {
                    case 0 -> value = m + "{not json";
                    case 1 -> value = "[\"" + m + "\", 1]";
                    case 2 -> value = "{\"note\": \"" + m + "\"}"; // no runId, no eventId
                    case 3 -> value = "{\"eventId\": \"" + m + "\", \"runId\": \"" + m + "\", \"attempt\": \"many\", \"fromStep\": {}}";
                    case 4 -> value = "{\"eventId\": \"" + m + "\", \"runId\": \"" + m + "\", \"state\": \"EXPLODED\", \"metrics\": 7}";
                    case 5 -> value = topic.equals("datasets.ready")
                            ? "{\"eventId\": \"" + m + "\", \"runId\": \"" + m + "\", \"shardCount\": \"x\"}"
                            : "{\"eventId\": \"" + m + "\", \"runId\": \"" + m + "\"}"; // no state / no metrics
                    case 6 -> value = "\"" + m + "\"";
                    default -> {
                        // well formed, for a run that does not exist: ignored, nothing stored
                        mustDlq = false;
                        wellFormed++;
                        value = switch (topic) {
                            case "runs.status" -> "{\"schemaVersion\":1,\"eventId\":\"" + m + "\",\"runId\":\"" + m
                                    + "\",\"experimentId\":\"" + m + "\",\"state\":\"RUNNING\",\"attempt\":0,\"step\":5}";
                            case "runs.metrics" -> "{\"schemaVersion\":1,\"eventId\":\"" + m + "\",\"runId\":\"" + m
                                    + "\",\"experimentId\":\"" + m + "\",\"attempt\":0,\"fromStep\":0,\"toStep\":1,"
                                    + "\"metrics\":{\"train_loss\":{\"steps\":[0,1],\"values\":[0.7,0.6]}}}";
                            default -> "{\"schemaVersion\":1,\"eventId\":\"" + m + "\",\"runId\":\"" + m + "\",\"datasetId\":\"d\","
                                    + "\"shardCount\":1,\"evalShardCount\":1}";
                        };
                    }
                }
                if (mustDlq) {
                    poison.add(m);
                }
                producer.send(new ProducerRecord<>(topic, m, value)).get();
            }
        }
        // every poison message reaches a dead-letter topic
        Set<String> dead = new HashSet<>();
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.infra.kafka().bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "spec-fuzz-it-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of("runs.status.dlq", "runs.metrics.dlq", "datasets.ready.dlq"));
            while (System.nanoTime() < deadline && !dead.containsAll(poison)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() != null && markers.contains(r.key())) {
                        dead.add(r.key());
                    }
                }
            }
        }
        Set<String> missing = new HashSet<>(poison);
        missing.removeAll(dead);
        if (!missing.isEmpty()) {
            failures.add(missing.size() + " poison events did not reach a .dlq, e.g. " + missing.iterator().next());
        }
        Thread.sleep(2000); // the well-formed ones are consumed in order with the rest: give the last a moment
        long stored = 0;
        try (Connection db = s.db()) {
            for (String q : List.of("SELECT count(*) FROM analysis.runs WHERE id = ANY(?)",
                    "SELECT count(*) FROM analysis.processed_events WHERE event_id = ANY(?)",
                    "SELECT count(*) FROM analysis.experiment_events WHERE experiment_id = ANY(?)")) {
                try (PreparedStatement ps = db.prepareStatement(q)) {
                    ps.setArray(1, db.createArrayOf("text", markers.toArray()));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        stored += rs.getLong(1);
                    }
                }
            }
        }
        if (stored != 0) {
            failures.add(stored + " rows stored for fuzzed events");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sent", EVENTS);
        out.put("poison", poison.size());
        out.put("deadLettered", dead.size());
        out.put("wellFormedForUnknownRuns", wellFormed);
        out.put("rowsStored", stored);
        return out;
    }
}
