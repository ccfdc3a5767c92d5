package dev.tdlab.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in headless Chromium (Debian's package) against the real stack: the experiments list
 * loads, and while a run trains its page shows the run and a loss curve with points, with no errors
 * on the console; once it has finished, the metric picker offers the trainer's exact-conditional metrics and the
 * excess loss is drawn on a log scale with its seed band. A screenshot of the finished experiment is left in
 * target/dashboard.png. (The dashboard's other views on a 500-run sweep: analysis-service's DashboardScaleIT.) Each fresh browser profile
 * gets the API token in the URL's fragment (the dashboard stores it and removes it from the address).
 */
class DashboardIT {

    static final String SPEC = """
            name: dashboard-it
            data:  { family: markov, p: 0.2, q: 0.3, seqLen: 64, trainSequences: 256, evalSequences: 64 }
            model: { dModel: 4 }
            train: { steps: 2500, evalEvery: 100, lr: 0.005 }
            seeds: [0]
            """;

    static final Pattern POINTS = Pattern.compile("data-points=\"(\\d+)\"");

    @Test
    void pageLoadsAndDrawsALiveCurve() throws Exception {
        Stack s = Stack.get();
        HttpResponse<String> created = s.post("/api/v1/experiments", "application/yaml", SPEC);
        assertEquals(201, created.statusCode(), created.body());
        String id = s.json.readTree(created.body()).get("id").asText();

        Browser list = chromium(s.analysisUrl + "/dashboard/#token=" + s.adminToken, List.of("--dump-dom"));
        assertTrue(list.out.contains("dashboard-it"), "experiments list shows the experiment");

        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        JsonNode run;
        do {
            run = s.get("/api/v1/experiments/" + id).get("runs").get(0);
            Thread.sleep(300);
        } while (System.nanoTime() < deadline && !(run.get("status").asText().equals("RUNNING") && run.get("step").asInt() >= 200));
        assertEquals("RUNNING", run.get("status").asText(), "the run must still be training when the page is opened");

        Browser live = chromium(s.analysisUrl + "/dashboard/#/e/" + id + "?token=" + s.adminToken, List.of("--dump-dom"));
        assertTrue(live.out.contains("id=\"run-" + run.get("id").asText() + "\""), "run row shown");
        Matcher m = POINTS.matcher(live.out);
        assertTrue(m.find(), "a chart was drawn");
        assertTrue(Integer.parseInt(m.group(1)) > 0, "the curve has points while the run trains: " + m.group(0));
        assertFalse(live.consoleErrors().iterator().hasNext(), "console errors: " + live.consoleErrors());
        assertFalse(list.consoleErrors().iterator().hasNext(), "console errors: " + list.consoleErrors());

        while (System.nanoTime() < deadline && !s.get("/api/v1/experiments/" + id).get("status").asText().equals("FINISHED")) {
            Thread.sleep(500);
        }
        // the trainer's exact-conditional metrics in the picker; the excess loss on a log scale with the seed band
        Browser done = chromium(s.analysisUrl + "/dashboard/#/e/" + id + "?metric=eval_excess&log=1&token=" + s.adminToken,
                List.of("--dump-dom", "--window-size=1280,1100"));
        for (String metric : List.of("train_loss", "eval_loss", "eval_exact_loss", "eval_excess")) {
            assertTrue(done.out.contains("<option value=\"" + metric + "\""), metric + " in the metric picker");
        }
        Matcher chart = Pattern.compile("<div class=\"chart\"[^>]*>").matcher(done.out);
        assertTrue(chart.find(), "a cell chart");
        assertTrue(chart.group().contains("data-metric=\"eval_excess\"") && chart.group().contains("data-scale=\"log\"")
                && chart.group().contains("data-bands=\"1\""), chart.group());
        Matcher points = POINTS.matcher(chart.group());
        assertTrue(points.find() && Integer.parseInt(points.group(1)) >= 10, "the eval curve: " + chart.group());
        assertFalse(done.consoleErrors().iterator().hasNext(), "console errors: " + done.consoleErrors());
        Path png = Paths.get("target/dashboard.png").toAbsolutePath();
        chromium(s.analysisUrl + "/dashboard/#/e/" + id + "?token=" + s.adminToken, List.of("--screenshot=" + png, "--window-size=1280,1100"));
        assertTrue(Files.size(png) > 10_000, "screenshot written");
    }

    record Browser(String out, String err) {
        /** Lines Chromium logged for the page's console at error level, and uncaught exceptions. */
        List<String> consoleErrors() {
            List<String> bad = new ArrayList<>();
            for (String line : err.split("\\n")) {
                if ((line.contains("CONSOLE") && (line.contains("ERROR") || line.contains("Uncaught"))) || line.contains("Uncaught ")) {
                    bad.add(line);
                }
            }
            return bad;
        }
    }

    static Browser chromium(String url, List<String> mode) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile");
        List<String> cmd = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
                "--virtual-time-budget=6000", "--run-all-compositor-stages-before-draw"));
        cmd.addAll(mode);
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).start();
        byte[] out;
        byte[] err;
        try (var o = p.getInputStream(); var e = p.getErrorStream()) {
            var errReader = new java.util.concurrent.CompletableFuture<byte[]>();
            Thread t = new Thread(() -> {
                try {
                    errReader.complete(e.readAllBytes());
                } catch (IOException ex) {
                    errReader.complete(new byte[0]);
                }
            });
            t.start();
            out = o.readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            err = errReader.join();
        }
        return new Browser(new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
