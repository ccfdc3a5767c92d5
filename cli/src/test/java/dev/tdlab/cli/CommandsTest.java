package dev.tdlab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands against an in-process HTTP stub of the API (the JDK's HttpServer): requests sent, output, exit codes. */
class CommandsTest {

    record Request(String method, String path, String query, Map<String, String> headers, String body) {
    }

    /** What the stub answers: status, content type, body. */
    record Answer(int status, String type, String body) {
    }

    HttpServer server;
    final List<Request> requests = new ArrayList<>();
    final Map<String, java.util.function.Function<Request, Answer>> routes = new HashMap<>();
    String url;
    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange x) throws IOException {
        Map<String, String> h = new HashMap<>();
        x.getRequestHeaders().forEach((k, v) -> h.put(k.toLowerCase(), v.get(0)));
        Request r = new Request(x.getRequestMethod(), x.getRequestURI().getPath(), x.getRequestURI().getRawQuery(), h,
                new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        synchronized (requests) {
            requests.add(r);
        }
        var route = routes.get(r.method() + " " + r.path());
        Answer a = route == null ? new Answer(404, "application/problem+json",
                "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"no experiment x\"}") : route.apply(r);
        byte[] b = a.body().getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", a.type());
        x.sendResponseHeaders(a.status(), b.length);
        x.getResponseBody().write(b);
        x.close();
    }

    static Answer ok(String json) {
        return new Answer(200, "application/json", json);
    }

    /** Runs tdlab with these args against the stub; [exit code, stdout, stderr]. */
    Object[] tdlab(Map<String, String> env, String... args) {
        Tdlab root = new Tdlab();
        root.env = env;
        root.cwd = dir;
        root.tty = false;
        long[] t = {0};
        root.clock = () -> t[0] += 500_000_000L; // every look at the clock is half a second later
        CommandLine cl = Tdlab.commandLine(root);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Object[]{code, out.toString(), err.toString()};
    }

    Object[] tdlab(String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("TDLAB_URL", url);
        return tdlab(env, args);
    }

    Request last() {
        return requests.get(requests.size() - 1);
    }

    @Test
    void submitsAFileAsItIsAndWithOverridesAsJson() throws Exception {
        routes.put("POST /api/v1/experiments", r -> new Answer(201, "application/json",
                "{\"id\":\"e1\",\"status\":\"PLANNED\",\"runCount\":3}"));
        Path spec = dir.resolve("reference.yaml");
        Files.writeString(spec, "name: ref\ntrain: { steps: 1000, lr: 0.005 }\nseeds: [0, 1, 2]\n");

        Object[] r = tdlab("submit", spec.toString());
        assertEquals(0, r[0], r[2].toString());
        assertEquals("e1\n", r[1]);
        assertTrue(r[2].toString().contains("3 runs"));
        assertEquals("application/yaml", last().headers().get("content-type"));
        assertEquals(Files.readString(spec), last().body());

        r = tdlab("submit", spec.toString(), "--set", "train.steps=100", "--set", "seeds=[0]");
        assertEquals(0, r[0], r[2].toString());
        assertEquals("application/json", last().headers().get("content-type"));
        JsonNode sent = Api.JSON.readTree(last().body());
        assertEquals(100, sent.at("/train/steps").asInt());
        assertEquals(0.005, sent.at("/train/lr").asDouble(), 0);
        assertEquals("[0]", sent.get("seeds").toString());
    }

    @Test
    void submitsATemplateWithOverrides() throws Exception {
        routes.put("POST /api/v1/experiments", r -> new Answer(201, "application/json",
                "{\"id\":\"e2\",\"status\":\"PLANNED\",\"runCount\":1}"));
        Object[] r = tdlab("submit", "--template", "local-to-global", "--set", "train.steps=100", "--set", "seeds=[0]");
        assertEquals(0, r[0], r[2].toString());
        assertEquals("e2\n", r[1]);
        assertEquals("template=local-to-global", last().query());
        assertEquals("{\"train\":{\"steps\":100},\"seeds\":[0]}", last().body());
    }

    @Test
    void badUsageExitsWith2AndSendsNothing() {
        assertEquals(2, tdlab("submit")[0]);
        assertEquals(2, tdlab("submit", "x.yaml", "--template", "t")[0]);
        assertEquals(2, tdlab("submit", dir.resolve("missing.yaml").toString())[0]);
        assertEquals(2, tdlab("submit", "--template", "t", "--set", "nokey")[0]);
        assertEquals(2, tdlab("export", "e1", "--format", "xml")[0]);
        assertEquals(2, tdlab("watch", "e1", "--progress", "fancy")[0]);
        assertEquals(2, tdlab("frobnicate")[0]);
        assertEquals(2, tdlab()[0]);
        assertTrue(requests.isEmpty());
    }

    @Test
    void aProblemAnswerExitsWith1AndPrintsItsDetailAndViolations() {
        routes.put("POST /api/v1/experiments", r -> new Answer(400, "application/problem+json", """
                {"type":"about:blank","title":"Bad request","status":400,"detail":"2 bad fields",
                 "violations":[{"field":"train.lr","message":"must be > 0"},{"field":"data.p","message":"must be in (0, 1)"}]}"""));
        Object[] r = tdlab("submit", "--template", "local-to-global");
        assertEquals(1, r[0]);
        assertEquals("error: HTTP 400 Bad request: 2 bad fields\n  train.lr: must be > 0\n  data.p: must be in (0, 1)\n", r[2]);

        r = tdlab("verdicts", "x");
        assertEquals(1, r[0]);
        assertEquals("error: HTTP 404 Not Found: no experiment x\n", r[2]);
    }

    @Test
    void anUnreachableApiExitsWith1() {
        Map<String, String> env = new HashMap<>();
        Object[] r = tdlab(env, "--url", "http://127.0.0.1:1", "list");
        assertEquals(1, r[0]);
        assertTrue(r[2].toString().startsWith("error: Cannot reach http://127.0.0.1:1: connection refused"), r[2].toString());
    }

    @Test
    void theTokenComesFromTheOptionTheEnvironmentOrTheLabFile() throws Exception {
        routes.put("GET /api/v1/experiments", r -> ok("{\"items\":[],\"page\":0,\"size\":20,\"total\":0}"));
        tdlab("list");
        assertNull(last().headers().get("authorization"));

        Path labDir = dir.resolve(".lab");
        Files.createDirectories(labDir);
        Files.writeString(labDir.resolve("token"), "from-file\n");
        tdlab("list");
        assertEquals("Bearer from-file", last().headers().get("authorization"));

        Map<String, String> env = new HashMap<>(Map.of("TDLAB_URL", url, "TDLAB_TOKEN", "from-env"));
        tdlab(env, "list");
        assertEquals("Bearer from-env", last().headers().get("authorization"));

        tdlab(env, "list", "--token", "from-option"); // an inherited option: after the command too
        assertEquals("Bearer from-option", last().headers().get("authorization"));
    }

    @Test
    void listShowsATableAndPassesFilters() {
        routes.put("GET /api/v1/experiments", r -> ok("""
                {"items":[{"id":"e1","name":"makkuva-reference","status":"FINISHED","runCount":3,
                           "createdAt":"2025-01-02T03:04:05.123Z"}],"page":0,"size":1,"total":2}"""));
        Object[] r = tdlab("list", "--status", "FINISHED", "--size", "1");
        assertEquals(0, r[0], r[2].toString());
        assertEquals("page=0&size=1&status=FINISHED", last().query());
        assertEquals("""
                ID  NAME               STATUS    RUNS  CREATED
                e1  makkuva-reference  FINISHED     3  2025-01-02 03:04:05
                (2 in all; next: --page 1)
                """, r[1]);
    }

    static final String RUNNING = """
            {"id":"e1","name":"ref","status":"RUNNING","runs":[
             {"id":"r1","cell":{},"seed":0,"status":"DATA_READY","attempt":0,"step":0,"totalSteps":100}]}""";
    static final String FINISHED = """
            {"id":"e1","name":"ref","status":"FINISHED","runs":[
             {"id":"r1","cell":{},"seed":0,"status":"FINISHED","attempt":0,"step":100,"totalSteps":100,
              "verdict":"GLOBAL","finalEvalLoss":0.5471,"gapToOptimum":0.0025,"gapLow":-0.005,"gapHigh":0.01,
              "convergenceStep":80,"convergenceRate":{"model":"exponential","rate":0.02,"r2":0.99},"stepsNearSaddle":0}]}""";

    static String sse(String... events) {
        return String.join("", events);
    }

    static String event(int id, String name, String data) {
        return "id: " + id + "\nevent: " + name + "\ndata: " + data + "\n\n";
    }

    @Test
    void watchFollowsTheStreamLinePerUpdateAndResumesAfterADrop() {
        AtomicInteger gets = new AtomicInteger();
        routes.put("GET /api/v1/experiments/e1", r -> ok(gets.getAndIncrement() == 0 ? RUNNING : FINISHED));
        AtomicInteger streams = new AtomicInteger();
        routes.put("GET /api/v1/experiments/e1/stream", r -> new Answer(200, "text/event-stream",
                streams.getAndIncrement() == 0
                        ? sse(event(1, "progress", "{\"runId\":\"r1\",\"status\":\"RUNNING\",\"attempt\":0,\"step\":0,\"totalSteps\":100}"),
                        event(2, "metrics", "{\"runId\":\"r1\",\"fromStep\":1,\"toStep\":50,\"metrics\":{\"train_loss\":{\"steps\":[50],\"values\":[0.6012]}}}"))
                        : sse(event(3, "status", "{\"runId\":\"r1\",\"status\":\"FINISHED\",\"attempt\":0,\"step\":100,\"totalSteps\":100}"),
                        event(4, "verdict", "{\"runId\":\"r1\",\"verdict\":\"GLOBAL\",\"finalEvalLoss\":0.5471,\"gapToOptimum\":0.0025,\"convergenceStep\":80}"),
                        event(5, "experiment", "{\"id\":\"e1\",\"status\":\"FINISHED\"}"))));
        Object[] r = tdlab("watch", "e1", "--interval", "0");
        assertEquals(0, r[0], r[2].toString());
        String out = r[1].toString();
        assertEquals("""
                [..............................]   0.0%  steps 0/100  runs 0/1  ETA --  RUNNING
                run r1 seed 0: RUNNING
                [###############...............]  50.0%  steps 50/100  runs 0/1  loss 0.6012  ETA 2s  RUNNING
                run r1 seed 0: FINISHED
                [##############################] 100.0%  steps 100/100  runs 1/1  loss 0.6012  ETA 0s  RUNNING
                run r1 seed 0: GLOBAL  final loss 0.547100  gap 0.002500  converged at step 80
                [##############################] 100.0%  steps 100/100  runs 1/1  loss 0.6012  ETA 0s  FINISHED
                experiment e1 FINISHED: 1/1 runs ended (GLOBAL 1)
                RUN  CELL  SEED  VERDICT  FINAL LOSS       GAP  GAP 95% CI             CONV STEP  RATE                          NEAR SADDLE
                r1   -        0  GLOBAL     0.547100  0.002500  [-0.005000, 0.010000]         80  exp 2.00e-02/step (R² 0.990)            0
                """, out);
        // the second connection resumed after the last event of the first
        List<Request> streamRequests = requests.stream().filter(q -> q.path().endsWith("/stream")).toList();
        assertEquals(2, streamRequests.size());
        assertNull(streamRequests.get(0).headers().get("last-event-id"));
        assertEquals("2", streamRequests.get(1).headers().get("last-event-id"));
        assertEquals("text/event-stream", streamRequests.get(0).headers().get("accept"));
    }

    @Test
    void watchOfAnEndedExperimentPrintsItsEndAndTable() {
        routes.put("GET /api/v1/experiments/e1", r -> ok(FINISHED));
        Object[] r = tdlab("watch", "e1", "--no-table");
        assertEquals(0, r[0], r[2].toString());
        assertEquals("""
                [##############################] 100.0%  steps 100/100  runs 1/1  ETA 0s  FINISHED
                experiment e1 FINISHED: 1/1 runs ended (GLOBAL 1)
                """, r[1]);
        assertFalse(requests.stream().anyMatch(q -> q.path().endsWith("/stream")));
    }

    @Test
    void watchDrawsABarInPlaceOnATerminal() {
        routes.put("GET /api/v1/experiments/e1", r -> ok(FINISHED));
        Object[] r = tdlab("watch", "e1", "--no-table", "--progress", "bar");
        assertEquals("\r[##############################] 100.0%  steps 100/100  runs 1/1  ETA 0s  FINISHED\033[K\n"
                + "experiment e1 FINISHED: 1/1 runs ended (GLOBAL 1)\n", r[1]);
    }

    @Test
    void exportWritesTheReportToAFileOrStdout() throws Exception {
        routes.put("GET /api/v1/experiments/e1/report.csv", r -> new Answer(200, "text/csv", "run_id,seed\nr1,0\n"));
        routes.put("GET /api/v1/experiments/e1/report.json", r -> ok("{\"id\":\"e1\"}"));
        Path file = dir.resolve("out/e1.csv");
        Object[] r = tdlab("export", "e1", "--format", "csv", "-o", file.toString());
        assertEquals(0, r[0], r[2].toString());
        assertEquals("run_id,seed\nr1,0\n", Files.readString(file));
        assertEquals("text/csv", last().headers().get("accept"));
        r = tdlab("export", "e1", "--format", "json");
        assertEquals("{\"id\":\"e1\"}", r[1]);
    }

    @Test
    void exportCurvesInLongFormat() {
        String csv = "experiment,run,data.p,seed,metric,step,value\ne1,r1,0.2,0,eval_loss,0,0.69\n";
        routes.put("GET /api/v1/experiments/e1/curves.csv", r -> new Answer(200, "text/csv", csv));
        Object[] r = tdlab("export", "e1", "--format", "curves-csv");
        assertEquals(0, r[0], r[2].toString());
        assertEquals(csv, r[1]);
        assertEquals(2, tdlab("export", "e1", "--format", "curves_csv")[0]);
    }

    @Test
    void figuresWritesEveryFigureInTheChosenFormats() throws Exception {
        routes.put("GET /api/v1/experiments/e1/figures", r -> ok("{\"experimentId\":\"e1\",\"figures\":["
                + "{\"name\":\"phase\",\"title\":\"Phase diagram\"},{\"name\":\"loss-p0.2-q0.3\",\"title\":\"Loss\"}]}"));
        for (String n : List.of("phase", "loss-p0.2-q0.3")) {
            routes.put("GET /api/v1/experiments/e1/figures/" + n + ".svg", r -> new Answer(200, "image/svg+xml", "<svg>" + n + "</svg>"));
            routes.put("GET /api/v1/experiments/e1/figures/" + n + ".png", r -> new Answer(200, "image/png", "PNG " + n));
        }
        Path out = dir.resolve("figs");
        Object[] r = tdlab("figures", "e1", "-o", out.toString());
        assertEquals(0, r[0], r[2].toString());
        assertEquals("<svg>phase</svg>", Files.readString(out.resolve("phase.svg")));
        assertEquals("PNG loss-p0.2-q0.3", Files.readString(out.resolve("loss-p0.2-q0.3.png")));
        assertTrue(r[2].toString().contains("wrote 4 files to " + out), r[2].toString());
        assertEquals("image/png", last().headers().get("accept"));

        Path svgOnly = dir.resolve("svg");
        assertEquals(0, tdlab("figures", "e1", "-o", svgOnly.toString(), "--format", "svg")[0]);
        try (var files = Files.list(svgOnly)) {
            assertEquals(List.of("loss-p0.2-q0.3.svg", "phase.svg"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(2, tdlab("figures", "e1", "-o", out.toString(), "--format", "pdf")[0]);
        assertEquals(2, tdlab("figures", "e1")[0], "-o is required");
        Object[] missing = tdlab("figures", "nope", "-o", out.toString());
        assertEquals(1, missing[0]);
        assertTrue(missing[2].toString().contains("no experiment x"), missing[2].toString());
        // a name that would leave the folder is refused
        routes.put("GET /api/v1/experiments/e2/figures", q -> ok("{\"figures\":[{\"name\":\"../evil\",\"title\":\"x\"}]}"));
        assertEquals(1, tdlab("figures", "e2", "-o", out.toString())[0]);
        assertFalse(Files.exists(dir.resolve("evil.svg")));
    }

    @Test
    void cancelAndRerun() {
        routes.put("DELETE /api/v1/experiments/e1", r -> ok("{\"id\":\"e1\",\"status\":\"CANCELLED\",\"cancelled\":true}"));
        routes.put("POST /api/v1/experiments/e1/rerun", r -> ok("{\"id\":\"e1\",\"rerunRuns\":2,\"status\":\"RUNNING\"}"));
        Object[] r = tdlab("cancel", "e1");
        assertEquals(0, r[0]);
        assertEquals("experiment e1: CANCELLED\n", r[1]);
        r = tdlab("rerun", "e1");
        assertEquals(0, r[0]);
        assertEquals("experiment e1: 2 runs planned again, status RUNNING\n", r[1]);
    }
}
