import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bursts of concurrent experiment submissions of one tenant against a running analysis-service; prints the latency
 * percentiles of each burst and of all measured bursts together (markdown), then checks that the concurrent-runs quota
 * stays exact under the same race (a tenant with a quota of K runs gets exactly K × 201 out of a burst of N > K).
 *
 * <pre>java bench/load/SubmitLoadBench.java URL ADMIN_TOKEN [LABEL] [BURSTS=5] [CONCURRENCY=50] [WARMUP=2]</pre>
 *
 * With SERVICE_PID (and STACK_PIDS: Kafka's and PostgreSQL's processes) in the environment, as {@code run.sh} sets
 * them, it also prints the CPU time per submission over the measured bursts only: the service's, its JIT compiler
 * threads' apart, the stack's and its own (it shares the box).
 *
 * Only the JDK: one HttpClient for all (as LoadIT), which keeps a connection per concurrent request open from burst to
 * burst.
 */
public class SubmitLoadBench {

    /** The goal for 50 concurrent submissions of one tenant on the project's 2-core build box. */
    static final int GOAL_P95_MS = 250;

    static final String SPEC = """
            name: bench-load-%d
            data:  { family: markov, p: %s, q: 0.3, seqLen: 16, trainSequences: 64, evalSequences: 32 }
            model: { dModel: 4 }
            train: { optimizer: adam, lr: 0.005, steps: 100, evalEvery: 25 }
            seeds: [%d]
            """;

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: SubmitLoadBench URL ADMIN_TOKEN [LABEL] [BURSTS=5] [CONCURRENCY=50] [WARMUP=2]");
            System.exit(2);
        }
        String url = args[0].replaceAll("/+$", "");
        String admin = args[1];
        String label = args.length > 2 ? args[2] : "analysis-service";
        int bursts = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int n = args.length > 4 ? Integer.parseInt(args[4]) : 50;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 2;

        // a tenant of its own whose concurrent-runs quota the bench never reaches (nothing trains the runs)
        String tenant = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String token = tenant(url, admin, tenant, (warmup + bursts) * n + 10);

        List<Long> all = new ArrayList<>();
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "### %s: %d bursts of %d concurrent submissions (one tenant), after %d warm-up bursts%n%n",
                label, bursts, n, warmup));
        md.append("| burst | n | 201 | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | burst (ms) |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        long clientCpu = 0;
        long[] cpu = new long[3]; // service, its JIT compiler threads, Kafka + PostgreSQL: ticks over the measured bursts
        for (int b = 0; b < warmup + bursts; b++) {
            long cpu0 = processCpu();
            Cpu proc0 = b >= warmup ? procCpu() : null;
            Burst r = burst(url, token, n, b * n);
            if (b >= warmup) {
                clientCpu += processCpu() - cpu0;
                long[] d = procCpu().minus(proc0);
                for (int i = 0; i < cpu.length; i++) {
                    cpu[i] += d[i];
                }
            }
            if (r.status().getOrDefault(201, 0) != n) {
                throw new IllegalStateException("burst " + b + ": not every submission was accepted: " + r.status()
                        + " e.g. " + r.errors());
            }
            if (b >= warmup) {
                all.addAll(r.ns());
                md.append(row("#" + (b - warmup + 1), r));
            } else {
                md.append(row("warm-up " + (b + 1), r)); // shown, not counted: the JIT is still compiling the path
            }
            Thread.sleep(1000);
        }
        md.append(row("all", new Burst(all, Map.of(201, all.size()), List.of(), -1)));
        double p95 = pct(sorted(all), 0.95);
        md.append(String.format(Locale.ROOT, "%np95 of the measured bursts: %.1f ms (goal ≤ %d ms: %s)%n", p95, GOAL_P95_MS,
                p95 <= GOAL_P95_MS ? "met" : "NOT met"));

        // exactness under the race: a fresh tenant with a quota of K runs, a burst of N one-run submissions
        int k = n * 2 / 5;
        String tight = "bench-quota-" + UUID.randomUUID().toString().substring(0, 8);
        Burst q = burst(url, tenant(url, admin, tight, k), n, 0);
        md.append(String.format(Locale.ROOT, "%nquota check: tenant with concurrentRuns = %d, %d concurrent one-run submissions → %s "
                + "(status → count), p95 %.1f ms%n", k, n, new TreeMap<>(q.status()), pct(sorted(q.ns()), 0.95)));
        System.out.println(md);
        int measured = bursts * n;
        if (SERVICE_PID != null) {
            System.out.printf(Locale.ROOT, "CPU time in the measured bursts, per submission: analysis-service %.2f ms "
                            + "(JIT compiler threads %.2f ms, the rest %.2f ms), Kafka + PostgreSQL %.2f ms, this client %.2f ms%n",
                    cpu[0] * 10.0 / measured, cpu[1] * 10.0 / measured, (cpu[0] - cpu[1]) * 10.0 / measured,
                    cpu[2] * 10.0 / measured, clientCpu / 1e6 / measured);
        } else {
            System.out.printf(Locale.ROOT, "this client's CPU time in the measured bursts: %.2f ms a submission%n",
                    clientCpu / 1e6 / measured);
        }
        if (q.status().getOrDefault(201, 0) != k || q.status().getOrDefault(429, 0) != n - k) {
            System.err.println("QUOTA NOT EXACT: expected " + k + " × 201 and " + (n - k) + " × 429, got " + q.status());
            System.exit(1);
        }
    }

    /** The service's process id and those of the processes it depends on (environment; run.sh sets them). */
    static final String SERVICE_PID = System.getenv("SERVICE_PID");
    static final String STACK_PIDS = System.getenv("STACK_PIDS");

    /** CPU ticks (1/100 s) so far: the service, each of its JIT compiler threads (by thread id), the stack. */
    record Cpu(long service, Map<String, Long> compilers, long stack) {
        /**
         * Ticks since {@code before}: service, JIT compiler threads, stack. The JVM ends idle compiler threads and
         * starts new ones: a thread's ticks count from 0 if it is new, and those of a thread that ended in between are
         * lost (the JIT figure is then a lower bound; the service's total is exact).
         */
        long[] minus(Cpu before) {
            long jit = 0;
            for (Map.Entry<String, Long> t : compilers.entrySet()) {
                jit += t.getValue() - before.compilers().getOrDefault(t.getKey(), 0L);
            }
            return new long[]{service - before.service(), jit, stack - before.stack()};
        }
    }

    /**
     * The CPU so far of the service, of its JIT compiler threads, and of the stack's processes and their descendants
     * (PostgreSQL's backends); zeros without SERVICE_PID (Linux /proc only).
     */
    static Cpu procCpu() {
        if (SERVICE_PID == null) {
            return new Cpu(0, Map.of(), 0);
        }
        long service = ticks(Path.of("/proc", SERVICE_PID, "stat"), false);
        Map<String, Long> compilers = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", SERVICE_PID, "task"))) {
            for (Path task : tasks) {
                try {
                    if (Files.readString(task.resolve("comm")).matches("C\\d CompilerThre.*\\s*")) {
                        compilers.put(task.getFileName().toString(), ticks(task.resolve("stat"), false));
                    }
                } catch (IOException gone) {
                    // the thread ended
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long stack = 0;
        if (STACK_PIDS != null && !STACK_PIDS.isBlank()) {
            Set<String> roots = Set.copyOf(List.of(STACK_PIDS.trim().split("\\s+")));
            Map<String, String> parent = new TreeMap<>();
            try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
                for (Path p : procs) {
                    String[] f = after(p.resolve("stat"));
                    if (f != null) {
                        parent.put(p.getFileName().toString(), f[1]);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (String pid : parent.keySet()) {
                for (String q = pid; q != null && !q.equals("0") && !q.equals("1"); q = parent.get(q)) {
                    if (roots.contains(q)) {
                        stack += ticks(Path.of("/proc", pid, "stat"), true);
                        break;
                    }
                }
            }
        }
        return new Cpu(service, compilers, stack);
    }

    /** utime + stime (+ the waited-for children's) of /proc/PID/stat; 0 if it is gone. */
    static long ticks(Path stat, boolean children) {
        String[] f = after(stat);
        if (f == null) {
            return 0;
        }
        long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return children ? t + Long.parseLong(f[13]) + Long.parseLong(f[14]) : t;
    }

    /** The fields of a stat file after "(comm)": [0] = state, [1] = ppid, [11] = utime, ...; null if it is gone. */
    static String[] after(Path stat) {
        try {
            String s = Files.readString(stat);
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException e) {
            return null;
        }
    }

    /** This JVM's CPU time (ns): the client shares the box with the service. */
    static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    record Burst(List<Long> ns, Map<Integer, Integer> status, List<String> errors, long burstMs) {
    }

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    static Burst burst(String url, String token, int n, int offset) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<long[]>> posts = new ArrayList<>();
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < n; i++) {
            int s = offset + i;
            String spec = SPEC.formatted(s, List.of("0.1", "0.2", "0.4", "0.6", "0.8").get(s % 5), s);
            posts.add(pool.submit(() -> {
                HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/api/v1/experiments"))
                        .timeout(Duration.ofMinutes(1)).header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/yaml").POST(HttpRequest.BodyPublishers.ofString(spec)).build();
                ready.countDown();
                go.await();
                long a = System.nanoTime();
                HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
                long ns = System.nanoTime() - a;
                if (r.statusCode() != 201) {
                    errors.add(r.statusCode() + " " + r.body());
                }
                return new long[]{r.statusCode(), ns};
            }));
        }
        ready.await();
        long t0 = System.nanoTime();
        go.countDown();
        List<Long> ns = new ArrayList<>();
        Map<Integer, Integer> status = new TreeMap<>();
        for (Future<long[]> f : posts) {
            long[] r = f.get(2, TimeUnit.MINUTES);
            status.merge((int) r[0], 1, Integer::sum);
            ns.add(r[1]);
        }
        long burstMs = (System.nanoTime() - t0) / 1_000_000;
        pool.shutdownNow();
        return new Burst(ns, status, errors.subList(0, Math.min(3, errors.size())), burstMs);
    }

    /** Creates a tenant with the given concurrent-runs quota and returns a new token of it. */
    static String tenant(String url, String admin, String id, int concurrentRuns) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> c = http.send(json(url + "/api/v1/tenants", admin, String.format(Locale.ROOT,
                "{\"id\":\"%s\",\"quotas\":{\"concurrentRuns\":%d}}", id, concurrentRuns)), HttpResponse.BodyHandlers.ofString());
        if (c.statusCode() != 201) {
            throw new IllegalStateException("creating tenant " + id + ": " + c.statusCode() + " " + c.body());
        }
        HttpResponse<String> t = http.send(json(url + "/api/v1/tenants/" + id + "/tokens", admin, "{}"),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"").matcher(t.body());
        if (t.statusCode() != 201 || !m.find()) {
            throw new IllegalStateException("issuing a token of " + id + ": " + t.statusCode() + " " + t.body());
        }
        return m.group(1);
    }

    static HttpRequest json(String url, String token, String body) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static String row(String what, Burst b) {
        List<Long> s = sorted(b.ns());
        return String.format(Locale.ROOT, "| %s | %d | %d | %.1f | %.1f | %.1f | %.1f | %s |%n", what, s.size(),
                b.status().getOrDefault(201, 0), pct(s, 0.50), pct(s, 0.95), pct(s, 0.99), s.get(s.size() - 1) / 1e6,
                b.burstMs() < 0 ? "" : Long.toString(b.burstMs()));
    }

    static List<Long> sorted(List<Long> ns) {
        List<Long> s = new ArrayList<>(ns);
        Collections.sort(s);
        return s;
    }

    /** Nearest-rank percentile in ms (the same as LoadIT's). */
    static double pct(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.size());
        return sorted.get(Math.max(0, rank - 1)) / 1e6;
    }
}
