package dev.tdlab.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Load on the real stack (issue 9): while runs train, 50 experiments are submitted at once, 10 SSE clients follow
 * experiments on {@code /experiments/{id}/stream} and 4 clients read experiments, listings and metrics in a loop until
 * every experiment has finished. Asserted: every submission 201, no other status than 200 on any read (so no 5xx),
 * every SSE client gets 200 and events up to its experiment's terminal event, every experiment FINISHED. Latency
 * percentiles go to stdout and {@code target/reliability/load.md}.
 */
class LoadIT {

    static final int SUBMISSIONS = 50;
    static final int SSE_CLIENTS = 10;
    static final int READERS = 4;
    static final int STEPS = 100;
    static final Duration BOUND = Duration.ofMinutes(4);

    static final String SPEC = """
            name: load-%d
            data:  { family: markov, p: %s, q: 0.3, seqLen: 16, trainSequences: 64, evalSequences: 32 }
            model: { dModel: 4 }
            train: { optimizer: adam, lr: 0.005, steps: %d, evalEvery: 25 }
            seeds: [%d]
            """;

    /** One SSE client's outcome. */
    record Sse(int status, int events, boolean sawEnd, long firstEventMs, String error) {
    }

    @Test
    void submissionsStreamsAndReadsUnderLoad() throws Exception {
        Stack s = Stack.get();
        long t0 = System.nanoTime();
        Random random = new Random(42);

        // runs are training when the burst comes
        HttpResponse<String> bg = s.post("/api/v1/experiments", "application/yaml", """
                name: load-background
                data:  { family: markov, p: 0.2, q: 0.3, seqLen: 32, trainSequences: 256, evalSequences: 64 }
                model: { dModel: 4 }
                train: { optimizer: adam, lr: 0.005, steps: 600, evalEvery: 50 }
                seeds: [0, 1]
                """);
        assertEquals(201, bg.statusCode(), bg.body());
        String background = s.json.readTree(bg.body()).get("id").asText();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline && s.get("/api/v1/experiments/" + background).get("runs").findValues("step").stream()
                .noneMatch(st -> st.asInt() > 0)) {
            Thread.sleep(200);
        }

        // 50 submissions at once
        ExecutorService pool = Executors.newCachedThreadPool();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<long[]>> posts = new ArrayList<>();
        String[] ids = new String[SUBMISSIONS];
        List<String> submitErrors = new CopyOnWriteArrayList<>();
        for (int i = 0; i < SUBMISSIONS; i++) {
            int n = i;
            String spec = SPEC.formatted(n, List.of("0.1", "0.2", "0.4", "0.6", "0.8").get(n % 5), STEPS, n);
            posts.add(pool.submit(() -> {
                go.await();
                long a = System.nanoTime();
                HttpResponse<String> r = s.post("/api/v1/experiments", "application/yaml", spec);
                long ns = System.nanoTime() - a;
                if (r.statusCode() == 201) {
                    ids[n] = s.json.readTree(r.body()).get("id").asText();
                } else {
                    submitErrors.add(r.statusCode() + " " + r.body());
                }
                return new long[]{r.statusCode(), ns};
            }));
        }
        long burst0 = System.nanoTime();
        go.countDown();
        List<Long> submitNs = new ArrayList<>();
        Map<Integer, Integer> submitStatus = new ConcurrentHashMap<>();
        for (Future<long[]> f : posts) {
            long[] r = f.get(2, TimeUnit.MINUTES);
            submitStatus.merge((int) r[0], 1, Integer::sum);
            submitNs.add(r[1]);
        }
        long burstMs = (System.nanoTime() - burst0) / 1_000_000;
        assertEquals(Map.of(201, SUBMISSIONS), submitStatus, submitErrors.toString());
        List<String> all = List.of(ids);

        // 10 SSE clients on 10 of the experiments
        List<String> followed = new ArrayList<>(all);
        Collections.shuffle(followed, random);
        followed = followed.subList(0, SSE_CLIENTS);
        List<Stream<String>> bodies = new CopyOnWriteArrayList<>();
        List<Future<Sse>> streams = new ArrayList<>();
        for (String id : followed) {
            streams.add(pool.submit(() -> follow(s, id, bodies)));
        }

        // readers until every experiment has ended
        AtomicBoolean stop = new AtomicBoolean();
        Map<String, List<Long>> readNs = new ConcurrentHashMap<>();
        Map<Integer, AtomicInteger> readStatus = new ConcurrentHashMap<>();
        List<String> readErrors = new CopyOnWriteArrayList<>();
        List<String> runIds = new CopyOnWriteArrayList<>();
        List<Future<?>> readers = new ArrayList<>();
        for (int t = 0; t < READERS; t++) {
            Random r = new Random(t);
            readers.add(pool.submit(() -> {
                while (!stop.get()) {
                    int pick = r.nextInt(10);
                    String kind;
                    String path;
                    if (pick < 4 || runIds.isEmpty()) {
                        kind = "GET experiment";
                        path = "/api/v1/experiments/" + all.get(r.nextInt(all.size()));
                    } else if (pick < 6) {
                        kind = "GET experiments (list)";
                        path = "/api/v1/experiments?size=20&page=" + r.nextInt(3);
                    } else {
                        kind = "GET run metrics";
                        // every metric the run has so far (none yet is an empty answer; naming one it lacks would be a 400)
                        path = "/api/v1/runs/" + runIds.get(r.nextInt(runIds.size())) + "/metrics?maxPoints=200";
                    }
                    long a = System.nanoTime();
                    HttpResponse<String> resp = s.send(s.request(path));
                    long ns = System.nanoTime() - a;
                    readNs.computeIfAbsent(kind, k -> Collections.synchronizedList(new ArrayList<>())).add(ns);
                    readStatus.computeIfAbsent(resp.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                    if (resp.statusCode() != 200) {
                        readErrors.add(resp.statusCode() + " " + path + " " + resp.body());
                    } else if (kind.equals("GET experiment") && runIds.size() < 200) {
                        for (JsonNode run : s.json.readTree(resp.body()).get("runs")) {
                            if (!runIds.contains(run.get("id").asText())) {
                                runIds.add(run.get("id").asText());
                            }
                        }
                    }
                    Thread.sleep(20);
                }
                return null;
            }));
        }

        long end = System.nanoTime() + BOUND.toNanos();
        int ended = 0;
        while (System.nanoTime() < end && (ended = ended(s, all)) < SUBMISSIONS) {
            Thread.sleep(500);
        }
        long trainMs = (System.nanoTime() - burst0) / 1_000_000;
        stop.set(true);
        for (Future<?> f : readers) {
            f.get(1, TimeUnit.MINUTES);
        }
        List<Sse> sse = new ArrayList<>();
        for (Future<Sse> f : streams) {
            try {
                sse.add(f.get(Math.max(1, (end - System.nanoTime()) / 1_000_000) + 30_000, TimeUnit.MILLISECONDS));
            } catch (java.util.concurrent.TimeoutException e) {
                bodies.forEach(Stream::close); // the bound: stop reading
                sse.add(f.get(30, TimeUnit.SECONDS));
            }
        }
        pool.shutdownNow();
        int finished = 0;
        for (String id : all) {
            finished += s.get("/api/v1/experiments/" + id).get("status").asText().equals("FINISHED") ? 1 : 0;
        }
        long totalMs = (System.nanoTime() - t0) / 1_000_000;

        // the figures
        List<Long> allReads = new ArrayList<>();
        readNs.values().forEach(allReads::addAll);
        StringBuilder md = new StringBuilder("# Load (LoadIT)\n\n");
        md.append(String.format(Locale.ROOT, "%d experiment submissions at once (1 run of %d steps each) while a background"
                + " experiment trains; %d SSE clients on /experiments/{id}/stream; %d reader threads (20 ms pause between"
                + " requests) on experiments, listings and run metrics until every experiment ended. The stack (Kafka,"
                + " PostgreSQL, 3 services) and the test share the machine's cores.%n%n", SUBMISSIONS, STEPS, SSE_CLIENTS, READERS));
        md.append("| requests | n | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |\n|---|---:|---:|---:|---:|---:|\n");
        md.append(row("POST /api/v1/experiments (50 at once)", submitNs));
        md.append(row("GET, all", allReads));
        for (String kind : new java.util.TreeSet<>(readNs.keySet())) {
            md.append(row(kind, readNs.get(kind)));
        }
        md.append('\n');
        md.append(String.format(Locale.ROOT, "- submissions: %s (status → count); the burst of %d took %d ms%n", submitStatus,
                SUBMISSIONS, burstMs));
        md.append(String.format(Locale.ROOT, "- reads: %s (status → count); 5xx: %d%n", readStatus,
                readStatus.entrySet().stream().filter(e -> e.getKey() >= 500).mapToInt(e -> e.getValue().get()).sum()));
        int sseOk = (int) sse.stream().filter(x -> x.status() == 200 && x.events() > 0 && x.sawEnd()).count();
        md.append(String.format(Locale.ROOT, "- SSE clients: %d / %d got 200 and events through their experiment's terminal"
                        + " event; events per client %d..%d; first event after %d..%d ms%n", sseOk, SSE_CLIENTS,
                sse.stream().mapToInt(Sse::events).min().orElse(0), sse.stream().mapToInt(Sse::events).max().orElse(0),
                sse.stream().mapToLong(Sse::firstEventMs).min().orElse(0), sse.stream().mapToLong(Sse::firstEventMs).max().orElse(0)));
        md.append(String.format(Locale.ROOT, "- experiments FINISHED: %d / %d, %.1f s from the burst to the last one; whole test %.1f s%n",
                finished, SUBMISSIONS, trainMs / 1e3, totalMs / 1e3));
        System.out.println(md);
        Path out = Paths.get(System.getProperty("tdlab.work", "target/it-stack")).toAbsolutePath().getParent().resolve("reliability");
        Files.createDirectories(out);
        Files.writeString(out.resolve("load.md"), md.toString());

        assertTrue(readErrors.isEmpty(), readErrors.size() + " reads failed, e.g. " + readErrors.subList(0, Math.min(5, readErrors.size())));
        for (Sse x : sse) {
            assertEquals(200, x.status(), x.toString());
            assertTrue(x.events() > 0, x.toString());
            assertTrue(x.sawEnd(), "stream ended with its experiment: " + x);
        }
        assertEquals(SUBMISSIONS, ended, "experiments ended within " + BOUND);
        assertEquals(SUBMISSIONS, finished);
    }

    /** Reads one experiment's stream to its end (or until its body is closed at the bound). */
    static Sse follow(Stack s, String id, List<Stream<String>> bodies) {
        long a = System.nanoTime();
        int events = 0;
        long first = -1;
        boolean sawEnd = false;
        int status = 0;
        try {
            HttpResponse<Stream<String>> r = s.http.send(s.request("/api/v1/experiments/" + id + "/stream")
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
            status = r.statusCode();
            bodies.add(r.body());
            String event = null;
            for (String line : (Iterable<String>) r.body()::iterator) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:") && "experiment".equals(event)
                        && line.matches(".*\"(FINISHED|FAILED|CANCELLED)\".*")) {
                    sawEnd = true;
                } else if (line.isEmpty() && event != null) {
                    events++;
                    if (first < 0) {
                        first = (System.nanoTime() - a) / 1_000_000;
                    }
                    event = null;
                }
            }
            return new Sse(status, events, sawEnd, first, null);
        } catch (Exception e) {
            return new Sse(status, events, sawEnd, first, e.toString());
        }
    }

    /** How many of the experiments have ended (from the table: no load on the API). */
    static int ended(Stack s, List<String> ids) throws Exception {
        try (Connection db = s.db(); PreparedStatement ps = db.prepareStatement(
                "SELECT count(*) FROM analysis.experiments WHERE id = ANY(?) AND status IN ('FINISHED', 'FAILED', 'CANCELLED')")) {
            ps.setArray(1, db.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    static String row(String what, List<Long> ns) {
        List<Long> sorted = new ArrayList<>(ns);
        Collections.sort(sorted);
        return String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f |%n", what, sorted.size(),
                pct(sorted, 0.50), pct(sorted, 0.95), pct(sorted, 0.99), sorted.isEmpty() ? 0.0 : sorted.get(sorted.size() - 1) / 1e6);
    }

    /** Nearest-rank percentile in ms. */
    static double pct(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.size());
        return sorted.get(Math.max(0, rank - 1)) / 1e6;
    }
}
