package dev.tdlab.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.Topics;
import dev.tdlab.contracts.events.Baselines;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.devstack.DevStack;
import dev.tdlab.fixtures.Chromium;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard on a 500-run sweep, on the packaged service with a real Kafka and PostgreSQL, in headless Chromium. An
 * external experiment (runs logged through the API, as a researcher's own loop would) sweeps a 10 × 10 grid of the
 * Markov chain's (p, q) with 5 seeds; its datasets are announced on {@code datasets.ready} with each cell's exact
 * entropy rate and unigram entropy, and each run logs train_loss, eval_loss, eval_exact_loss, eval_excess (with its
 * standard error) and grad_norm: seeds above the line p + q = 1 end on the unigram plateau (LOCAL) every other seed,
 * the others reach the optimum (GLOBAL). Measured (target/dashboard/measurements.txt, and printed): report.json with
 * a cold and a warm cell cache, the aggregates endpoint, one cell after one verdict, and the dashboard's render.
 * Checked in the browser: the metric picker, log scale, seed bands, the run filter, the search, the comparison of runs
 * from two experiments, the claims panel, and one cell updated from the live stream; screenshots in
 * target/dashboard/ (committed copies: docs/dashboard/).
 */
class DashboardScaleIT {

    static final String TOKEN = "it-admin-token-dashboard-0123456789abcdef0123456789";
    static final double[] GRID = {0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95};
    static final int SEEDS = 5;
    static final int STEPS = 1000;

    static DevStack infra;
    static PackagedAnalysis stack;
    static String url;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();
    static final Path OUT = Paths.get("target/dashboard").toAbsolutePath();
    /** What was measured, written to target/dashboard/measurements.txt at the end (also when a check failed). */
    static final Map<String, String> measured = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(OUT);
        stack = PackagedAnalysis.start("it-dashboard", TOKEN, "768m", false);
        infra = stack.infra();
        url = stack.url();
    }

    @AfterAll
    static void stop() throws Exception {
        StringBuilder txt = new StringBuilder();
        measured.forEach((k, v) -> txt.append(k).append(": ").append(v).append('\n'));
        Files.writeString(OUT.resolve("measurements.txt"), txt.toString());
        System.out.println("dashboard measurements (500 runs):\n" + txt);
        if (stack != null) {
            stack.close();
        }
    }

    static String spec(String name, String family, double[] ps, double[] qs, int seeds) {
        return """
                {"name":"%s","data":{"family":"markov","order":1,"vocab":2,"p":0.2,"q":0.3,"seqLen":64,
                 "trainSequences":128,"evalSequences":64},
                 "model":{"family":"%s","dModel":4},
                 "train":{"external":true,"steps":%d,"evalEvery":50},
                 "seeds":%s, "sweep":{"data.p":%s,"data.q":%s}}""".formatted(name, family, STEPS,
                Arrays.toString(java.util.stream.IntStream.range(0, seeds).toArray()), Arrays.toString(ps), Arrays.toString(qs));
    }

    @Test
    void aFiveHundredRunSweepStaysResponsive() throws Exception {
        // a small experiment first (older), to compare runs across experiments
        String small = submit(spec("dashboard-small", "makkuva-minimal", new double[]{0.2}, new double[]{0.35, 0.95}, 2));
        List<JsonNode> smallRuns = runs(small);
        announce(small, smallRuns);
        for (JsonNode r : smallRuns) {
            logAndFinish(r);
        }
        String big = submit(spec("dashboard-500", "single-layer", GRID, GRID, SEEDS));
        List<JsonNode> all = runs(big);
        assertEquals(500, all.size());
        announce(big, all);
        // every run but the last cell's 5 ends now; the last cell's end later, one while the browser watches
        List<JsonNode> last = all.stream().filter(r -> r.get("cellId").asText().equals(all.get(all.size() - 1).get("cellId").asText())).toList();
        long t0 = System.nanoTime();
        for (JsonNode r : all) {
            if (!last.contains(r)) {
                logAndFinish(r);
            }
        }
        measured.put("log and finish 495 runs (s)", String.format("%.1f", (System.nanoTime() - t0) / 1e9));

        // report.json: the first read computes every cell (a cold cache: what each read cost before the cache), then warm
        measured.put("report.json, cold cell cache (ms)", ms(() -> get("/api/v1/experiments/" + big + "/report.json")));
        measured.put("report.json, warm (median of 5, ms)", median(5, () -> get("/api/v1/experiments/" + big + "/report.json")));
        measured.put("aggregates, warm (median of 5, ms)", median(5, () -> get("/api/v1/experiments/" + big + "/aggregates")));
        String lastCell = last.get(0).get("cellId").asText();
        logAndFinish(last.get(0)); // one verdict: only its cell is recomputed
        measured.put("cells?ids=<the changed cell> after one verdict (ms)", ms(() -> get("/api/v1/experiments/" + big + "/cells?ids=" + lastCell)));
        measured.put("cells?ids=<one cell>, warm (median of 5, ms)", median(5, () -> get("/api/v1/experiments/" + big + "/cells?ids=" + lastCell)));
        logAndFinish(last.get(1));
        measured.put("aggregates after one verdict (ms)", ms(() -> get("/api/v1/experiments/" + big + "/aggregates")));
        logAndFinish(last.get(2));
        measured.put("report.json after one verdict (ms)", ms(() -> get("/api/v1/experiments/" + big + "/report.json")));
        measured.put("curves?metric=eval_excess, 500 runs (median of 3, ms)", median(3, () -> get("/api/v1/experiments/" + big + "/curves?metric=eval_excess")));
        byte[] report = getBytes("/api/v1/experiments/" + big + "/report.json");
        measured.put("report.json size (kB)", Long.toString(report.length / 1000));
        measured.put("aggregates size (kB)", Long.toString(getBytes("/api/v1/experiments/" + big + "/aggregates").length / 1000));

        // the API: a cell's aggregate, metric names, curves, search
        JsonNode cells = get("/api/v1/experiments/" + big + "/cells?ids=" + lastCell);
        assertEquals(1, cells.get("cells").size());
        assertEquals(3, cells.get("cells").get(0).get("finished").asInt(), cells.toString());
        assertEquals(400, send("/api/v1/experiments/" + big + "/cells?ids=nope").statusCode());
        JsonNode names = get("/api/v1/experiments/" + big + "/metric-names");
        List<String> metricNames = new ArrayList<>();
        names.get("metrics").forEach(m -> metricNames.add(m.get("name").asText()));
        assertTrue(metricNames.containsAll(List.of("eval_excess", "eval_exact_loss", "eval_loss", "grad_norm", "train_loss")), metricNames.toString());
        JsonNode agg = get("/api/v1/experiments/" + big + "/aggregates");
        assertEquals(100, agg.get("cells").size());
        assertEquals(10, agg.get("phase").get("rows").size());
        assertTrue(agg.get("claims").size() >= 1, agg.get("claims").toString());
        JsonNode found = get("/api/v1/search/runs?verdict=LOCAL&params=" + enc("data.p=0.95,model.dModel=4"));
        assertTrue(found.get("total").asInt() > 0, found.toString());
        found.get("items").forEach(h -> {
            assertEquals("LOCAL", h.get("verdict").asText());
            assertEquals(0.95, h.get("cell").get("data.p").asDouble());
        });
        assertEquals(0, get("/api/v1/search/runs?params=" + enc("model.dModel=5")).get("total").asInt());
        // the template's model family, data family and sweep axes: the small experiment (makkuva-minimal), not the big one
        JsonNode byTemplate = get("/api/v1/search/runs?template=local-to-global&createdFrom=2000-01-01");
        assertEquals(smallRuns.size(), byTemplate.get("total").asInt(), byTemplate.toString());
        byTemplate.get("items").forEach(h -> assertEquals(small, h.get("experimentId").asText()));
        assertEquals(400, send("/api/v1/search/runs?verdict=GOOD&createdFrom=yesterday").statusCode());

        String page = url + "/dashboard/#/e/" + big + "?token=" + TOKEN;
        // live: the last cell's runs end while the page is open; the page refetches that cell only (Chromium dumps the page
        // once the stream has ended, with the experiment)
        Thread finisher = new Thread(() -> {
            try {
                Thread.sleep(10_000); // the page has loaded and listens (its stream holds Chromium until the experiment ends)
                logAndFinish(last.get(3));
                logAndFinish(last.get(4));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        finisher.start();
        Chromium.Page l = Chromium.dumpDom(page + "&metric=eval_excess&log=1", 30000, "1400,1000");
        finisher.join();
        assertTrue(Integer.parseInt(attr(l.dom(), "data-cell-updates", "0")) >= 1, "a cell updated from the stream");
        Matcher row = Pattern.compile("<tr id=\"cell-" + Pattern.quote(lastCell) + "\".*?</tr>").matcher(l.dom());
        assertTrue(row.find());
        assertTrue(row.group().contains("<td>5</td><td>5</td>"), "the cell shows its 5 finished runs: " + row.group());


        // the browser: the 500-run experiment's page with eval_excess on a log scale, median and min–max bands
        long w0 = System.nanoTime();
        Chromium.Page p = Chromium.dumpDom(page + "&metric=eval_excess&log=1", 20000, "1400,1000");
        measured.put("dashboard, 500 runs: chromium load to DOM dump, wall (s)", String.format("%.1f", (System.nanoTime() - w0) / 1e9));
        assertTrue(p.consoleErrors().isEmpty(), "console errors: " + p.consoleErrors());
        long b0 = System.nanoTime();
        Chromium.dumpDom("about:blank", 20000, "1400,1000");
        measured.put("chromium start and dump of about:blank, wall (s)", String.format("%.1f", (System.nanoTime() - b0) / 1e9));
        assertEquals("500", attr(p.dom(), "data-runs"));
        assertTrue(p.dom().contains("<option value=\"eval_exact_loss\""), "the metric picker lists every metric");
        Matcher chart = Pattern.compile("<div class=\"chart\" data-cell=\"[^\"]+\"[^>]*>").matcher(p.dom());
        assertTrue(chart.find(), "a cell chart");
        String first = chart.group();
        assertEquals("eval_excess", attr(first, "data-metric"));
        assertEquals("log", attr(first, "data-scale"));
        assertEquals("1", attr(first, "data-bands"), first);
        assertEquals("5", attr(first, "data-seeds"), first);
        assertTrue(Integer.parseInt(attr(first, "data-points")) >= 5 * 20, first);
        assertTrue(p.dom().contains("class=\"uplot"), "charts drawn");
        assertTrue(p.dom().contains("id=\"claims\""), "claims panel");
        assertTrue(p.dom().contains("local-to-global"), "the Makkuva claim is judged");
        assertTrue(p.dom().contains("id=\"phase\""), "phase diagram");
        assertTrue(p.dom().contains("uninformative (optimum = plateau)"), "p + q = 1 cells say so in their chart title");
        Chromium.screenshot(page + "&metric=eval_excess&log=1", OUT.resolve("experiment-bands-log.png"), 20000, "1400,1500");

        // every seed instead of bands, filtered to one p and LOCAL runs
        Chromium.Page f = Chromium.dumpDom(page + "&metric=eval_loss&log=0&seeds=runs&filter=" + enc("p=0.95") + "&verdict=LOCAL", 20000, "1400,1000");
        int shownRows = count(f.dom(), "<tr id=\"run-[^\"]+\" data-cell=\"[^\"]+\">");
        int hiddenRows = count(f.dom(), "<tr id=\"run-[^\"]+\" data-cell=\"[^\"]+\" hidden=\"\">");
        assertEquals(500, shownRows + hiddenRows);
        long local95 = get("/api/v1/search/runs?verdict=LOCAL&params=" + enc("data.p=0.95") + "&q=dashboard-500").get("total").asLong();
        assertEquals(local95, shownRows, "the filter shows exactly the LOCAL runs with p = 0.95");
        assertTrue(f.dom().contains("data-scale=\"linear\""));
        assertTrue(f.dom().contains("data-bands=\"0\""));
        Chromium.screenshot(page + "&metric=eval_loss&log=0&seeds=runs&filter=" + enc("p=0.95"), OUT.resolve("experiment-filter-seeds.png"), 20000, "1400,1100");

        // the search across experiments, and two runs of two experiments in one chart
        String search = url + "/dashboard/#/?verdict=GLOBAL&params=" + enc("data.q=0.35") + "&token=" + TOKEN;
        Chromium.Page s = Chromium.dumpDom(search, 15000, "1400,1000");
        assertTrue(s.dom().contains("id=\"search-results\""), "search results");
        assertTrue(s.dom().contains("dashboard-small") && s.dom().contains("dashboard-500"), "runs of both experiments found");
        Chromium.screenshot(search, OUT.resolve("search.png"), 15000, "1400,900");
        String compare = url + "/dashboard/#/compare?runs=" + smallRuns.get(0).get("id").asText() + "," + all.get(0).get("id").asText()
                + "," + all.get(499 - 5).get("id").asText() + "&metric=eval_excess&log=1&token=" + TOKEN;
        Chromium.Page c = Chromium.dumpDom(compare, 15000, "1400,900");
        Matcher cc = Pattern.compile("<div id=\"compare-chart\"[^>]*>").matcher(c.dom());
        assertTrue(cc.find(), c.dom());
        assertEquals("2", attr(cc.group(), "data-experiments"), cc.group());
        assertEquals("3", attr(cc.group(), "data-series"), cc.group());
        assertEquals("log", attr(cc.group(), "data-scale"));
        Chromium.screenshot(compare, OUT.resolve("compare.png"), 15000, "1400,800");


    }

    // ---- the sweep's runs, as an external loop would report them ----

    static double h(double x) {
        return x <= 0 || x >= 1 ? 0 : -x * Math.log(x) - (1 - x) * Math.log(1 - x);
    }

    /** Announces each run's dataset with its cell's exact entropy rate and unigram entropy, as data-gen would. */
    static void announce(String experimentId, List<JsonNode> runs) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafka().bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (JsonNode r : runs) {
                double pp = r.get("cell").get("data.p").asDouble();
                double q = r.get("cell").get("data.q").asDouble();
                double pi0 = q / (pp + q);
                double entropy = pi0 * h(pp) + (1 - pi0) * h(q);
                double unigram = h(pi0);
                Baselines b = new Baselines(entropy, unigram, List.of(pi0, 1 - pi0), entropy, 0.0, List.of(unigram, entropy),
                        null, null, null, "exact");
                String run = r.get("id").asText();
                DatasetReady d = new DatasetReady(1, "dataset:" + run, run, experimentId, "ds-" + run, "sha", 1, 1, 128,
                        128, 64, 64, 2, b, null, null);
                producer.send(new ProducerRecord<>(Topics.DATASETS_READY, run, json.writeValueAsString(d)));
            }
            producer.flush();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!rows("SELECT count(*) FROM runs WHERE experiment_id = '" + experimentId + "' AND status = 'DATA_READY'")
                .equals(List.of(Integer.toString(runs.size())))) {
            assertTrue(System.nanoTime() < deadline, "datasets.ready not applied");
            Thread.sleep(200);
        }
    }

    /**
     * Logs a run's curves in one batch and finishes it: the excess over the optimum decays to 1 % of (U − H) (GLOBAL), or,
     * above the line p + q = 1 for odd seeds, stays on the unigram plateau (LOCAL).
     */
    static void logAndFinish(JsonNode run) throws Exception {
        String id = run.get("id").asText();
        double p = run.get("cell").get("data.p").asDouble();
        double q = run.get("cell").get("data.q").asDouble();
        long seed = run.get("seed").asLong();
        double pi0 = q / (p + q);
        double entropy = pi0 * h(p) + (1 - pi0) * h(q);
        double gap = h(pi0) - entropy;
        boolean local = p + q > 1.0001 && seed % 2 == 1;
        double tau = 60 + 25 * seed;
        StringBuilder points = new StringBuilder();
        for (int t = 0; t <= STEPS; t += 10) {
            double excess = local ? gap * (1 + 0.5 * Math.exp(-t / tau)) : gap * (0.01 + 1.5 * Math.exp(-t / tau)) + 1e-6;
            point(points, "train_loss", t, entropy + excess * 1.02 + 0.003 * Math.sin(t + seed));
            point(points, "grad_norm", t, 0.05 + Math.exp(-t / tau));
            if (t % 50 == 0) {
                point(points, "eval_loss", t, entropy + excess + 0.001 * Math.cos(t * 0.1 + seed));
                point(points, "eval_exact_loss", t, entropy + excess);
                point(points, "eval_excess", t, excess);
                point(points, "eval_excess_stderr", t, 1e-5);
            }
        }
        String batch = "{\"batchId\":\"b-1\",\"metrics\":[" + points.substring(0, points.length() - 1) + "]}";
        HttpResponse<String> logged = post("/api/v1/runs/" + id + "/metrics", batch);
        assertEquals(200, logged.statusCode(), logged.body());
        HttpResponse<String> fin = post("/api/v1/runs/" + id + "/finish", "{\"status\":\"FINISHED\",\"finalEvalStdErr\":0.002}");
        assertEquals(200, fin.statusCode(), fin.body());
    }

    static void point(StringBuilder sb, String name, int step, double value) {
        sb.append("{\"name\":\"").append(name).append("\",\"step\":").append(step).append(",\"value\":").append(value).append("},");
    }

    // ---- HTTP, SQL and timing ----

    static String submit(String spec) throws Exception {
        HttpResponse<String> sub = post("/api/v1/experiments", spec);
        assertEquals(201, sub.statusCode(), sub.body());
        return json.readTree(sub.body()).get("id").asText();
    }

    static List<JsonNode> runs(String experimentId) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        get("/api/v1/experiments/" + experimentId).get("runs").forEach(out::add);
        return out;
    }

    interface Call {
        Object run() throws Exception;
    }

    static String ms(Call c) throws Exception {
        long t = System.nanoTime();
        c.run();
        return String.format("%.0f", (System.nanoTime() - t) / 1e6);
    }

    static String median(int n, Call c) throws Exception {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = Double.parseDouble(ms(c));
        }
        Arrays.sort(t);
        return String.format("%.0f", t[n / 2]);
    }

    static String attr(String html, String name) {
        return attr(html, name, null);
    }

    static String attr(String html, String name, String otherwise) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(html);
        if (!m.find()) {
            if (otherwise != null) {
                return otherwise;
            }
            throw new AssertionError(name + " missing in " + (html.length() > 2000 ? html.substring(0, 2000) : html));
        }
        return m.group(1);
    }

    static int count(String html, String regex) {
        Matcher m = Pattern.compile(regex).matcher(html);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = send(path);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return json.readTree(r.body());
    }

    static byte[] getBytes(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    static HttpResponse<String> send(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static List<String> rows(String sql) throws Exception {
        return PackagedAnalysis.rows(infra, sql);
    }
}
