package dev.tdlab.analysis;

import dev.tdlab.devstack.DevStack;
import dev.tdlab.devstack.Ports;
import org.postgresql.Driver;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * For the ITs: a real Kafka and PostgreSQL (devstack, free ports, 2 partitions) in {@code target/DIR/data} and the
 * packaged analysis-service ({@code target/quarkus-app}) on a free port, started and ready, its log in
 * {@code target/DIR/analysis.log}. The directory is emptied first.
 */
public final class PackagedAnalysis implements AutoCloseable {

    private final DevStack infra;
    private final Process service;
    private final String url;

    private PackagedAnalysis(DevStack infra, Process service, String url) {
        this.infra = infra;
        this.service = service;
        this.url = url;
    }

    /**
     * @param dir       the working directory under {@code target/}
     * @param token     the admin token ({@code TDLAB_ADMIN_TOKEN})
     * @param heap      the service's {@code -Xmx}, e.g. {@code 512m}
     * @param noDisplay start the service without {@code DISPLAY} (it must render figures headless by itself)
     */
    public static PackagedAnalysis start(String dir, String token, String heap, boolean noDisplay) throws Exception {
        Path work = Paths.get("target", dir).toAbsolutePath();
        if (Files.exists(work)) {
            try (var walk = Files.walk(work)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(work);
        DevStack infra = DevStack.start(DevStack.Options.parse("--data", work.resolve("data").toString(),
                "--kafka-port", "0", "--pg-port", "0", "--partitions", "2"));
        int port = Ports.freePort();
        String url = "http://localhost:" + port;
        Path jar = Paths.get("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx" + heap, "-Dquarkus.http.port=" + port, "-jar", jar.toString());
        pb.environment().put("TDLAB_KAFKA", infra.kafka().bootstrapServers());
        pb.environment().put("TDLAB_JDBC_URL", infra.jdbcUrl());
        pb.environment().put("TDLAB_ADMIN_TOKEN", token);
        if (noDisplay) {
            pb.environment().remove("DISPLAY");
        }
        pb.redirectErrorStream(true);
        pb.redirectOutput(work.resolve("analysis.log").toFile());
        PackagedAnalysis stack = new PackagedAnalysis(infra, pb.start(), url);
        awaitReady(stack.service, url, "target/" + dir + "/analysis.log");
        return stack;
    }

    /**
     * Waits until the service at {@code url} answers {@code /q/health/ready} with 200 (at most 180 s), failing as soon
     * as its process exits; {@code log} names where its log is.
     */
    public static void awaitReady(Process service, String url, String log) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (true) {
            assertTrue(service.isAlive(), "analysis exited (see " + log + ")");
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException ignored) {
                // not listening yet
            }
            assertTrue(System.nanoTime() < deadline, "analysis not ready in 180 s");
            Thread.sleep(200);
        }
    }

    /** The first column of every row {@code sql} returns, run in the {@code analysis} schema of devstack's PostgreSQL. */
    public static List<String> rows(DevStack infra, String sql) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", infra.postgres().user());
        p.setProperty("password", infra.postgres().password());
        p.setProperty("currentSchema", "analysis");
        List<String> out = new ArrayList<>();
        try (Connection c = new Driver().connect(infra.jdbcUrl(), p); ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    public DevStack infra() {
        return infra;
    }

    public String url() {
        return url;
    }

    /** Stops the service (20 s grace), then Kafka and PostgreSQL. */
    @Override
    public void close() throws Exception {
        service.destroy();
        if (!service.waitFor(20, TimeUnit.SECONDS)) {
            service.destroyForcibly();
        }
        infra.close();
    }
}
