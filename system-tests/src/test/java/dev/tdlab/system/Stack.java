package dev.tdlab.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.devstack.DevStack;
import dev.tdlab.devstack.Ports;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The whole system for end-to-end tests, started once per test JVM: a real KRaft Kafka broker and a
 * real PostgreSQL (devstack, in this JVM, on free ports, in a fresh directory), and the three services
 * as separate processes from their packaged jars. Stopped by a shutdown hook (services by pid).
 */
final class Stack {

    private static Stack instance;

    final DevStack infra;
    final String analysisUrl;
    final String dataGenUrl;
    final String trainerUrl;
    private final List<Process> services = new ArrayList<>();
    private final Map<String, Process> byName = new java.util.HashMap<>();
    private final Map<String, Integer> ports = new java.util.HashMap<>();
    private Path root;
    private Path work;
    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();
    /** The admin API token given to analysis-service (TDLAB_ADMIN_TOKEN); the helpers below send it. */
    final String adminToken = "tdl_it-admin-" + java.util.UUID.randomUUID();
    /** data-gen's service token (TDLAB_SERVICE_TOKEN), held by the trainer. */
    final String serviceToken = "tdl_it-service-" + java.util.UUID.randomUUID();

    static synchronized Stack get() throws Exception {
        if (instance == null) {
            instance = new Stack();
            Runtime.getRuntime().addShutdownHook(new Thread(instance::stop));
        }
        return instance;
    }

    /**
     * A second, separate stack whose broker authenticates and authorizes ({@code DevStack --kafka-auth sasl}): each
     * service logs in as its own Kafka user, and each of {@code tenants} gets a read-only Kafka user
     * ({@code tenant-<id>}). Not shared: the caller stops it.
     */
    static Stack secured(String... tenants) throws Exception {
        return new Stack(System.getProperty("tdlab.work", "target/it-stack") + "-sasl",
                "--kafka-auth", "sasl", "--kafka-tenants", String.join(",", tenants));
    }

    private Stack() throws Exception {
        this(System.getProperty("tdlab.work", "target/it-stack"));
    }

    private Stack(String workDir, String... devStackArgs) throws Exception {
        root = Paths.get(System.getProperty("tdlab.root", "..")).toAbsolutePath().normalize();
        work = Paths.get(workDir).toAbsolutePath();
        deleteRecursively(work);
        Files.createDirectories(work);
        List<String> args = new ArrayList<>(List.of("--data", work.resolve("data").toString(),
                "--kafka-port", "0", "--pg-port", "0", "--partitions", "2"));
        args.addAll(List.of(devStackArgs));
        infra = DevStack.start(DevStack.Options.parse(args.toArray(String[]::new)));
        int analysisPort = Ports.freePort();
        int dataGenPort = Ports.freePort();
        int trainerPort = Ports.freePort();
        analysisUrl = "http://localhost:" + analysisPort;
        dataGenUrl = "http://localhost:" + dataGenPort;
        trainerUrl = "http://localhost:" + trainerPort;
        try {
            start(root, work, "data-gen-service", dataGenPort);
            start(root, work, "trainer-service", trainerPort);
            start(root, work, "analysis-service", analysisPort);
            for (String url : List.of(dataGenUrl, trainerUrl, analysisUrl)) {
                awaitHealthy(url, Duration.ofSeconds(180));
            }
        } catch (Exception e) {
            stop();
            throw e;
        }
    }

    private void start(Path root, Path work, String service, int port) throws IOException {
        // short leases so that a killed trainer's runs are re-claimed within seconds
        ProcessBuilder pb = new ProcessBuilder(launchCommand(root, service, "-Xmx1g", "-Dquarkus.http.port=" + port,
                "-Dtdlab.trainer.lease-seconds=6", "-Dtdlab.trainer.checkpoint-every=100"));
        Map<String, String> env = pb.environment();
        env.put("TDLAB_KAFKA", infra.kafka().bootstrapServers());
        if (infra.kafka().secured()) { // the service's own Kafka user: data-gen, trainer, analysis
            String user = service.replace("-service", "");
            env.put("TDLAB_KAFKA_SECURITY_PROTOCOL", dev.tdlab.devstack.KafkaBroker.SASL_PROTOCOL);
            env.put("TDLAB_KAFKA_USER", user);
            env.put("TDLAB_KAFKA_PASSWORD", infra.kafkaPassword(user));
        }
        env.put("TDLAB_JDBC_URL", infra.jdbcUrl());
        env.put("TDLAB_DATAGEN_URL", dataGenUrl);
        env.put("TDLAB_ADMIN_TOKEN", adminToken);
        env.put("TDLAB_SERVICE_TOKEN", serviceToken);
        env.put("OMP_NUM_THREADS", "1");
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve(service + ".log").toFile()));
        Process p = pb.start();
        services.add(p);
        byName.put(service, p);
        ports.put(service, port);
    }

    /**
     * The service's command line: with -Dtdlab.native=true the native executable of data-gen and analysis
     * ({@code target/*-runner}, built by -Pnative; the trainer stays on the JVM), else java -jar its quarkus-app. A native
     * Quarkus executable takes the same -Xmx and -D options.
     */
    static List<String> launchCommand(Path root, String service, String... options) throws IOException {
        Path target = root.resolve(service).resolve("target");
        List<String> cmd = new ArrayList<>();
        if (Boolean.getBoolean("tdlab.native") && !service.equals("trainer-service")) {
            Path runner;
            try (var files = Files.list(target)) {
                runner = files.filter(f -> f.getFileName().toString().endsWith("-runner") && Files.isExecutable(f))
                        .findFirst().orElseThrow(() -> new IllegalStateException("no native executable " + target
                                + "/*-runner: build it first (scripts/native-image.sh build, or ./mvnw -Pnative package)"));
            } catch (java.nio.file.NoSuchFileException e) {
                throw new IllegalStateException(target + " is missing: build the native executables first", e);
            }
            cmd.add(runner.toString());
            cmd.addAll(List.of(options));
            return cmd;
        }
        Path jar = target.resolve("quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: package the services first (./mvnw verify does)");
        }
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of("-jar", jar.toString()));
        return cmd;
    }

    private void awaitHealthy(String url, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            for (Process p : services) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a service exited with " + p.exitValue() + " (see target/it-stack/*.log)");
                }
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), // a probe of a restarting service must not hang
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(url + " not healthy in " + timeout + ": " + last);
    }

    /** kill -9 of one service (by the pid of the process this stack started). */
    synchronized void kill(String service) throws InterruptedException {
        Process p = byName.get(service);
        p.destroyForcibly();
        p.waitFor();
        services.remove(p);
    }

    /** SIGTERM to one service and wait for it to exit (a graceful stop, as on a Kubernetes scale-down). */
    synchronized void terminate(String service) throws InterruptedException {
        Process p = byName.get(service);
        p.destroy();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        services.remove(p);
    }

    /** Starts a killed service again on its port and waits until it is healthy. */
    synchronized void restart(String service) throws Exception {
        int port = ports.get(service);
        start(root, work, service, port);
        awaitHealthy("http://localhost:" + port, Duration.ofSeconds(180));
    }

    /** The pid of a service's current process (the one this stack started last for it). */
    synchronized long pid(String service) {
        return byName.get(service).pid();
    }

    /** The broker started by {@link #restartKafka}, if any (DevStack keeps the first one). */
    private dev.tdlab.devstack.KafkaBroker restartedKafka;

    /** The Kafka broker serving now: the same port and log dir before and after {@link #restartKafka}. */
    synchronized dev.tdlab.devstack.KafkaBroker kafka() {
        return restartedKafka != null ? restartedKafka : infra.kafka();
    }

    /**
     * Restarts the in-process Kafka broker: a shutdown, {@code down} with no broker at all, then a start on the same
     * port and the same log dir (topics, records, committed offsets and producer state kept). Returns the milliseconds
     * the start took.
     */
    synchronized long restartKafka(Duration down) throws Exception {
        dev.tdlab.devstack.KafkaBroker old = kafka();
        int port = old.port();
        old.close();
        Thread.sleep(down.toMillis());
        long t0 = System.nanoTime();
        // 2 partitions, as DevStack was started with above
        restartedKafka = dev.tdlab.devstack.KafkaBroker.start(work.resolve("data").resolve("kafka"), port, 2, Map.of(),
                old.secured() ? new dev.tdlab.devstack.KafkaBroker.Sasl("admin", infra.kafkaPassword("admin")) : null);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** The PostgreSQL started by {@link #crashPostgres}, if any (DevStack keeps the first one). */
    private dev.tdlab.devstack.Postgres restartedPostgres;

    /** The PostgreSQL serving now: the same data dir and port before and after {@link #crashPostgres}. */
    synchronized dev.tdlab.devstack.Postgres postgres() {
        return restartedPostgres != null ? restartedPostgres : infra.postgres();
    }

    /**
     * kill -9 of PostgreSQL (the postmaster, whose pid is in its data dir's {@code postmaster.pid}, and its children),
     * then at once a start on the same data dir and port: PostgreSQL recovers from its WAL. The services keep their
     * JDBC URL. Returns [postmaster pid, ms until every process was gone, ms of the start].
     */
    synchronized long[] crashPostgres() throws Exception {
        dev.tdlab.devstack.Postgres old = postgres();
        long t0 = System.nanoTime();
        long pid = old.kill9();
        long killed = (System.nanoTime() - t0) / 1_000_000;
        long t1 = System.nanoTime();
        restartedPostgres = dev.tdlab.devstack.Postgres.start(old.dataDir(), old.port(), false);
        return new long[]{pid, killed, (System.nanoTime() - t1) / 1_000_000};
    }

    synchronized void stop() {
        for (Process p : services) {
            p.destroy();
        }
        for (Process p : services) {
            try {
                if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
        services.clear();
        if (restartedKafka != null) {
            restartedKafka.close();
        }
        if (restartedPostgres != null) {
            restartedPostgres.close();
        }
        if (infra != null) {
            infra.close();
        }
    }

    Connection db() throws SQLException {
        return DriverManager.getConnection(infra.jdbcUrl(), infra.postgres().user(), infra.postgres().password());
    }

    /** A request to analysis-service with the admin token. */
    HttpRequest.Builder request(String path) {
        return request(path, adminToken);
    }

    /** A request to analysis-service with the given token (none when null). */
    HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(analysisUrl + path));
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return post(path, contentType, body, adminToken);
    }

    HttpResponse<String> post(String path, String contentType, String body, String token) throws Exception {
        return send(request(path, token).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Creates a tenant (with quota overrides as JSON, or null) and returns a new token of it. */
    String tenantToken(String tenant, String quotasJson) throws Exception {
        HttpResponse<String> t = post("/api/v1/tenants", "application/json",
                "{\"id\": \"" + tenant + "\"" + (quotasJson == null ? "" : ", \"quotas\": " + quotasJson) + "}");
        if (t.statusCode() != 201 && t.statusCode() != 409) {
            throw new IllegalStateException("POST /api/v1/tenants answered " + t.statusCode() + ": " + t.body());
        }
        HttpResponse<String> k = post("/api/v1/tenants/" + tenant + "/tokens", "application/json", "{\"name\": \"it\"}");
        if (k.statusCode() != 201) {
            throw new IllegalStateException("POST /api/v1/tenants/" + tenant + "/tokens answered " + k.statusCode() + ": " + k.body());
        }
        return json.readTree(k.body()).get("token").asText();
    }

    JsonNode get(String path) throws Exception {
        HttpResponse<String> r = send(request(path));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return json.readTree(r.body());
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }
}
