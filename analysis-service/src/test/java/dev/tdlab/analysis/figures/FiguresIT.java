package dev.tdlab.analysis.figures;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.Baselines;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.analysis.PackagedAnalysis;
import dev.tdlab.devstack.DevStack;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The figures on the packaged service, a real Kafka and PostgreSQL: a tenant's external experiment over two (p, q)
 * cells gets its runs' curves logged through the API and finished (verdicts from the exact theory); then its figure
 * list, a PNG, two SVGs, a 404 naming an unknown figure, another tenant's 404, and the self-contained HTML report.
 */
class FiguresIT {

    static final String TOKEN = "it-admin-token-figures-0123456789abcdef0123456789";
    static final String SPEC = """
            {"name":"figures-it","data":{"family":"markov","order":1,"vocab":2,"p":0.2,"q":0.3,"seqLen":64,
             "trainSequences":128,"evalSequences":32},
             "model":{"family":"single-layer","dModel":4},
             "train":{"external":true,"steps":200,"evalEvery":10},
             "seeds":[0],
             "sweep":{"data.p":[0.2],"data.q":[0.3,0.6]}}""";
    static final Baselines BASELINES = new Baselines(0.5, 0.69, List.of(0.4, 0.6), 0.5, 0.0, List.of(0.69, 0.5),
            null, null, null, "exact");

    static DevStack infra;
    static PackagedAnalysis stack;
    static String url;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        stack = PackagedAnalysis.start("it-figures", TOKEN, "512m", true);
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
    void anExperimentWithRunsHasItsFiguresAsPngAndSvg() throws Exception {
        String alice = token("alice-fig");
        String bob = token("bob-fig");
        HttpResponse<String> sub = send("POST", "/api/v1/experiments", SPEC, alice);
        assertEquals(201, sub.statusCode(), sub.body());
        String id = json.readTree(sub.body()).get("id").asText();
        JsonNode e = json.readTree(send("GET", "/api/v1/experiments/" + id, null, alice).body());
        List<String> runs = new ArrayList<>();
        e.get("runs").forEach(r -> runs.add(r.get("id").asText()));
        assertEquals(2, runs.size());
        produce(id, runs);
        for (String run : runs) { // eval and train loss from U down to H every 10 steps; both runs GLOBAL
            StringBuilder points = new StringBuilder();
            for (int t = 0; t <= 200; t += 10) {
                points.append("{\"name\":\"eval_loss\",\"step\":").append(t).append(",\"value\":")
                        .append(0.5 + 0.19 * Math.exp(-t / 20.0)).append("},");
                points.append("{\"name\":\"train_loss\",\"step\":").append(t).append(",\"value\":")
                        .append(0.5 + 0.19 * Math.exp(-t / 18.0)).append("},");
            }
            String batch = "{\"batchId\":\"b-1\",\"metrics\":[" + points.substring(0, points.length() - 1) + "]}";
            HttpResponse<String> logged = send("POST", "/api/v1/runs/" + run + "/metrics", batch, alice);
            assertEquals(200, logged.statusCode(), logged.body());
            HttpResponse<String> fin = send("POST", "/api/v1/runs/" + run + "/finish",
                    "{\"status\":\"FINISHED\",\"finalEvalStdErr\":0.002}", alice);
            assertEquals(200, fin.statusCode(), fin.body());
            assertEquals("GLOBAL", json.readTree(fin.body()).get("verdict").asText(), fin.body());
        }

        HttpResponse<String> list = send("GET", "/api/v1/experiments/" + id + "/figures", null, alice);
        assertEquals(200, list.statusCode(), list.body());
        List<String> names = new ArrayList<>();
        json.readTree(list.body()).get("figures").forEach(f -> names.add(f.get("name").asText()));
        assertEquals(List.of("phase", "loss-p0.2-q0.3", "excess-p0.2-q0.3", "loss-p0.2-q0.6", "excess-p0.2-q0.6"), names);
        JsonNode phaseEntry = json.readTree(list.body()).get("figures").get(0);
        assertEquals("phase-diagram", phaseEntry.get("kind").asText());
        assertTrue(phaseEntry.get("claims").get(0).asText().startsWith("local-to-global: "), phaseEntry.toString());
        JsonNode first = json.readTree(list.body()).get("figures").get(1);
        assertEquals("/api/v1/experiments/" + id + "/figures/loss-p0.2-q0.3.png", first.get("png").asText());

        HttpResponse<byte[]> png = bytes("/api/v1/experiments/" + id + "/figures/loss-p0.2-q0.3.png", alice);
        assertEquals(200, png.statusCode());
        assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png.body(), 4));
        assertEquals(Charts.WIDTH, ImageIO.read(new ByteArrayInputStream(png.body())).getWidth());

        HttpResponse<byte[]> svg = bytes("/api/v1/experiments/" + id + "/figures/loss-p0.2-q0.3.svg", alice);
        assertEquals(200, svg.statusCode());
        assertTrue(svg.headers().firstValue("Content-Type").orElse("").startsWith("image/svg+xml"), svg.headers().toString());
        String desc = desc(svg.body());
        assertTrue(desc.contains("entropy rate H = 0.5000"), desc);
        assertTrue(desc.contains("unigram U = 0.6900"), desc);
        assertTrue(desc.contains("line eval loss: 21 points"), desc);
        String phase = desc(bytes("/api/v1/experiments/" + id + "/figures/phase.svg", alice).body());
        assertTrue(phase.contains("cell data.p = 0.2, data.q = 0.3: 1/1 GLOBAL, fraction 1.00 [0.21, 1.00]"), phase);
        assertTrue(phase.contains("p + q = 1"), phase);

        HttpResponse<String> unknown = send("GET", "/api/v1/experiments/" + id + "/figures/no-such-figure.svg", null, alice);
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertTrue(unknown.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        assertTrue(json.readTree(unknown.body()).get("detail").asText().contains("'no-such-figure'"), unknown.body());
        assertEquals(404, send("GET", "/api/v1/experiments/" + id + "/figures", null, bob).statusCode());
        assertEquals(404, bytes("/api/v1/experiments/" + id + "/figures/phase.png", bob).statusCode());
        assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/experiments/" + id + "/figures/phase.png"))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode());

        // the HTML report needs nothing from the server once saved: uPlot inlined, the phase diagram as inline SVG
        HttpResponse<String> report = send("GET", "/api/v1/experiments/" + id + "/report", null, alice);
        assertEquals(200, report.statusCode(), report.body());
        assertFalse(report.body().contains("/webjars/"), "the report still loads from /webjars/");
        assertFalse(report.body().matches("(?s).*<(script|link)[^>]+(src|href)=.*"), "the report loads an external file");
        assertTrue(report.body().contains("uPlot"), "uPlot is not inlined");
        assertTrue(report.body().contains("id=\"figure-phase\"><svg"), "the phase diagram is not inlined");
    }

    static String desc(byte[] svg) throws Exception {
        javax.xml.parsers.DocumentBuilderFactory f = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg)).getElementsByTagName("desc").item(0)
                .getTextContent();
    }

    static void produce(String experimentId, List<String> runs) throws Exception {
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
        for (String run : runs) { // the baselines are in before the run's curves
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!"DATA_READY".equals(json.readTree(send("GET", "/api/v1/runs/" + run, null, TOKEN).body())
                    .path("status").asText())) {
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

    static HttpResponse<byte[]> bytes(String path, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + token);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
