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

    static synchronized Stack get() throws Exception {
        if (instance == null) {
            instance = new Stack();
            Runtime.getRuntime().addShutdownHook(new Thread(instance::stop));
        }
        return instance;
    }

    private Stack() throws Exception {
        root = Paths.get(System.getProperty("tdlab.root", "..")).toAbsolutePath().normalize();
        work = Paths.get(System.getProperty("tdlab.work", "target/it-stack")).toAbsolutePath();
        deleteRecursively(work);
        Files.createDirectories(work);
        infra = DevStack.start(DevStack.Options.parse("--data", work.resolve("data").toString(),
                "--kafka-port", "0", "--pg-port", "0", "--partitions", "2"));
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
        Path jar = root.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: package the services first (./mvnw verify does)");
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        // short leases so that a killed trainer's runs are re-claimed within seconds
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx1g", "-Dquarkus.http.port=" + port,
                "-Dtdlab.trainer.lease-seconds=6", "-Dtdlab.trainer.checkpoint-every=100", "-jar", jar.toString());
        Map<String, String> env = pb.environment();
        env.put("TDLAB_KAFKA", infra.kafka().bootstrapServers());
        env.put("TDLAB_JDBC_URL", infra.jdbcUrl());
        env.put("TDLAB_DATAGEN_URL", dataGenUrl);
        env.put("OMP_NUM_THREADS", "1");
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve(service + ".log").toFile()));
        Process p = pb.start();
        services.add(p);
        byName.put(service, p);
        ports.put(service, port);
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
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).build(),
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
        if (infra != null) {
            infra.close();
        }
    }

    Connection db() throws SQLException {
        return DriverManager.getConnection(infra.jdbcUrl(), infra.postgres().user(), infra.postgres().password());
    }

    HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(analysisUrl + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(analysisUrl + path)).build(),
                HttpResponse.BodyHandlers.ofString());
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
