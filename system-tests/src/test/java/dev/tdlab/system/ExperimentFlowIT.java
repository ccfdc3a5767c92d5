package dev.tdlab.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole pipeline on the real stack: REST → runs.planned → data-gen → datasets.ready → trainer →
 * runs.metrics / runs.status → analysis → verdicts, with a 2×1 sweep and 2 seeds.
 */
class ExperimentFlowIT {

    static final String SPEC = """
            name: flow-it
            data:  { family: markov, p: 0.2, q: 0.3, seqLen: 32, trainSequences: 256, evalSequences: 64 }
            model: { family: single-layer, dModel: 4, heads: 1, mlp: true, tiedEmbedding: true, init: { scheme: gaussian, std: 0.02 } }
            train: { optimizer: adam, lr: 0.005, batch: 16, steps: 300, evalEvery: 50 }
            seeds: [0, 1]
            sweep: { data.p: [0.2, 0.6], data.q: [0.3] }
            """;

    /** h(x) = −x ln x − (1−x) ln(1−x), written here independently of dynamics-theory. */
    static double h(double x) {
        return -x * Math.log(x) - (1 - x) * Math.log(1 - x);
    }

    @Test
    void sweepFlowsFromRestToVerdicts() throws Exception {
        Stack s = Stack.get();
        HttpResponse<String> created = s.post("/api/v1/experiments", "application/yaml", SPEC);
        assertEquals(201, created.statusCode(), created.body());
        JsonNode c = s.json.readTree(created.body());
        String id = c.get("id").asText();
        assertEquals("PLANNED", c.get("status").asText());
        assertEquals(4, c.get("runCount").asInt());
        assertTrue(created.headers().firstValue("Location").orElse("").endsWith("/api/v1/experiments/" + id));

        JsonNode exp = awaitEnd(s, id, Duration.ofMinutes(5));
        assertEquals("FINISHED", exp.get("status").asText(), exp.toPrettyString());
        JsonNode runs = exp.get("runs");
        assertEquals(4, runs.size());

        Set<String> cells = new HashSet<>();
        for (JsonNode run : runs) {
            assertEquals("FINISHED", run.get("status").asText(), run.toPrettyString());
            double p = run.get("cell").get("data.p").asDouble();
            double q = run.get("cell").get("data.q").asDouble();
            cells.add(p + "/" + q);
            double pi1 = p / (p + q);
            double entropyRate = (1 - pi1) * h(p) + pi1 * h(q);
            double unigram = h(pi1);
            assertEquals(entropyRate, run.get("baselines").get("entropyRate").asDouble(), 1e-6);
            assertEquals(unigram, run.get("baselines").get("unigramEntropy").asDouble(), 1e-6);
            assertNotNull(run.get("verdict").textValue(), "verdict of " + run);
            assertTrue(List.of("GLOBAL", "LOCAL", "NOT_CONVERGED", "DIVERGED", "UNRESOLVED").contains(run.get("verdict").asText()));
            assertTrue(run.get("finalEvalLoss").isNumber());
            assertMetricsInOrderWithoutDuplicates(s, run.get("id").asText(), run.get("totalSteps").asInt());
        }
        assertEquals(Set.of("0.2/0.3", "0.6/0.3"), cells);
        assertEquals(2, exp.get("cells").size());

        // the p=0.2, q=0.3 chain is learnable in 300 steps: its runs leave the unigram plateau for the entropy rate.
        // They are judged on the exact-conditional excess (KL to the true law, no token noise, issue 14): 256 × 32
        // training tokens leave an estimation error of order 1e-3 nats that the exact metric resolves, so the verdict
        // is GLOBAL or NOT_CONVERGED, and the gap must be a small share of the distance to the plateau.
        for (JsonNode run : runs) {
            if (run.get("cell").get("data.p").asDouble() == 0.2) {
                assertEquals("exact-conditional", run.get("verdictBasis").asText(), run.toPrettyString());
                assertTrue(List.of("GLOBAL", "NOT_CONVERGED").contains(run.get("verdict").asText()), run.toPrettyString());
                double gap = run.get("gapToOptimum").asDouble();
                double plateauGap = run.get("baselines").get("unigramEntropy").asDouble()
                        - run.get("baselines").get("entropyRate").asDouble();
                assertTrue(gap >= 0 && gap < 0.25 * plateauGap, "excess " + gap + " vs U - H " + plateauGap);
            }
        }

        // verdicts were published for outside consumers
        Map<String, String> verdicts = consume(s, "runs.verdicts", id, 4, Duration.ofSeconds(60));
        for (JsonNode run : runs) {
            JsonNode v = s.json.readTree(verdicts.get(run.get("id").asText()));
            assertEquals(run.get("verdict").asText(), v.get("verdict").asText());
            assertEquals(1, v.get("schemaVersion").asInt());
            assertNotNull(v.get("eventId").textValue());
        }
        Map<String, String> reports = consume(s, "experiments.reports", id, 1, Duration.ofSeconds(60));
        assertEquals("FINISHED", s.json.readTree(reports.get(id)).get("status").asText());

        assertStreamReplaysAndResumes(s, id);
        assertReports(s, id, runs);
    }

    /** HTML report with plots and tables, JSON with the phase diagram, CSV with one row per run. */
    private static void assertReports(Stack s, String id, JsonNode runs) throws Exception {
        HttpResponse<String> html = s.send(s.request("/api/v1/experiments/" + id + "/report"));
        assertEquals(200, html.statusCode());
        assertTrue(html.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        for (JsonNode run : runs) {
            assertTrue(html.body().contains(run.get("verdict").asText()));
        }
        assertTrue(html.body().contains("Phase diagram"));
        assertFalse(html.body().contains("/webjars/"), "the report loads nothing from the server (uPlot inlined)");
        assertTrue(html.body().contains("id=\"figure-phase\"><svg"), "the phase diagram is inline SVG");
        HttpResponse<String> lib = s.http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(s.analysisUrl + "/webjars/uplot/1.6.30/dist/uPlot.iife.min.js")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, lib.statusCode(), "the charting library is served (to the dashboard)");

        JsonNode json = s.get("/api/v1/experiments/" + id + "/report.json");
        assertEquals("data.p", json.get("phase").get("xAxis").asText());
        assertEquals(2, json.get("phase").get("xs").size());
        assertEquals("below", json.get("phase").get("rows").get(0).get("cells").get(0).get("side").asText());

        HttpResponse<String> csv = s.send(s.request("/api/v1/experiments/" + id + "/report.csv"));
        assertEquals(200, csv.statusCode());
        String[] lines = csv.body().split("\n");
        assertEquals(5, lines.length, csv.body());
        assertTrue(lines[0].startsWith("run_id,cell_id,data.p,data.q,seed,status,verdict"), lines[0]);
    }

    /** The SSE stream of a finished experiment replays its journal, ends, and resumes after Last-Event-ID. */
    private static void assertStreamReplaysAndResumes(Stack s, String id) throws Exception {
        List<String[]> all = sse(s, id, null);
        assertTrue(all.size() > 8, "events: " + all.size());
        Map<String, Integer> types = new HashMap<>();
        for (String[] e : all) {
            types.merge(e[1], 1, Integer::sum);
        }
        assertEquals(4, types.getOrDefault("verdict", 0), types::toString);
        assertTrue(types.getOrDefault("metrics", 0) >= 4, types::toString);
        assertTrue(types.getOrDefault("status", 0) >= 4, types::toString);
        String[] last = all.get(all.size() - 1);
        assertEquals("experiment", last[1]);
        assertEquals("FINISHED", s.json.readTree(last[2]).get("status").asText());
        for (int i = 1; i < all.size(); i++) {
            assertTrue(Long.parseLong(all.get(i)[0]) > Long.parseLong(all.get(i - 1)[0]), "ids increase");
        }
        int mid = all.size() / 2;
        List<String[]> rest = sse(s, id, all.get(mid)[0]);
        assertEquals(all.size() - mid - 1, rest.size());
        assertEquals(all.get(mid + 1)[0], rest.get(0)[0]);
    }

    /** Reads an SSE stream to its end: [id, event, data] per event. */
    private static List<String[]> sse(Stack s, String id, String lastEventId) throws Exception {
        java.net.http.HttpRequest.Builder req = s.request("/api/v1/experiments/" + id + "/stream")
                .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(60));
        if (lastEventId != null) {
            req.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<java.util.stream.Stream<String>> r = s.http.send(req.build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        List<String[]> out = new java.util.ArrayList<>();
        String[] cur = new String[3];
        for (String line : (Iterable<String>) r.body()::iterator) {
            if (line.startsWith("id:")) {
                cur[0] = line.substring(3).trim();
            } else if (line.startsWith("event:")) {
                cur[1] = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                cur[2] = (cur[2] == null ? "" : cur[2]) + line.substring(5).trim();
            } else if (line.isEmpty() && cur[0] != null) {
                out.add(cur);
                cur = new String[3];
            }
        }
        return out;
    }

    private static JsonNode awaitEnd(Stack s, String id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode exp = null;
        while (System.nanoTime() < deadline) {
            exp = s.get("/api/v1/experiments/" + id);
            String status = exp.get("status").asText();
            if (status.equals("FINISHED") || status.equals("FAILED") || status.equals("CANCELLED")) {
                return exp;
            }
            Thread.sleep(1000);
        }
        fail("experiment did not end in " + timeout + ": " + (exp == null ? "" : exp.toPrettyString()));
        return exp;
    }

    /** Every step of train_loss present exactly once, in order, through the API and in the table. */
    private static void assertMetricsInOrderWithoutDuplicates(Stack s, String runId, int totalSteps) throws Exception {
        JsonNode m = s.get("/api/v1/runs/" + runId + "/metrics?names=train_loss,eval_loss&maxPoints=100000");
        JsonNode steps = m.get("metrics").get("train_loss").get("steps");
        assertEquals(totalSteps, steps.size(), "train_loss points of " + runId);
        for (int i = 1; i < steps.size(); i++) {
            assertTrue(steps.get(i).asInt() > steps.get(i - 1).asInt(), "steps not increasing at " + i);
        }
        assertTrue(m.get("metrics").get("eval_loss").get("steps").size() >= totalSteps / 50);
        try (Connection db = s.db(); PreparedStatement ps = db.prepareStatement(
                "SELECT count(*), count(DISTINCT step), min(step), max(step) FROM analysis.metrics WHERE run_id = ? AND name = 'train_loss'")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(totalSteps, rs.getInt(1));
                assertEquals(totalSteps, rs.getInt(2));
                assertEquals(totalSteps - 1, rs.getInt(4) - rs.getInt(3));
            }
        }
    }

    /** Reads a topic from the start until {@code count} keys of the experiment are seen. */
    static Map<String, String> consume(Stack s, String topic, String experimentId, int count, Duration timeout) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.infra.kafka().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + topic + "-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, String> out = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (s.json.readTree(r.value()).path("experimentId").asText().equals(experimentId)) {
                        out.put(r.key(), r.value());
                    }
                }
            }
        }
        assertEquals(count, out.size(), "events of " + experimentId + " on " + topic);
        return out;
    }
}
