package dev.tdlab.devstack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;

/**
 * The lab's local infrastructure as one process: a KRaft Kafka broker and a PostgreSQL server with
 * their data under {@code --data}. Started in the background by {@code ./lab up}, stopped with
 * SIGTERM by {@code ./lab down}.
 *
 * <pre>
 * java -cp "devstack/target/devstack-0.1.0-SNAPSHOT.jar:devstack/target/lib/*" dev.tdlab.devstack.DevStack \
 *      --data .lab/data --kafka-port 9092 --pg-port 55432 [--db tdlab] [--partitions 4]
 * </pre>
 *
 * Readiness: the line {@code DEVSTACK READY kafka=HOST:PORT jdbc=URL} on stdout and the file
 * {@code DATA/devstack.ready} (removed again on shutdown). Exit status 2: bad arguments, a port in
 * use or the data directory held by another DevStack; 1: anything else failed to start.
 */
public final class DevStack implements AutoCloseable {

    /** The services' topics (the contracts module will own the canonical names). */
    /** The topics of the system (owned by contracts); each also gets its dead-letter topic. */
    public static final List<String> TOPICS = dev.tdlab.contracts.Topics.ALL;
    public static final String DLQ_SUFFIX = ".dlq";
    public static final String READY_FILE = "devstack.ready";
    private static final String LOCK_FILE = "devstack.lock";

    private final Options options;
    private final KafkaBroker kafka;
    private final Postgres postgres;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Path readyFile;

    private DevStack(Options options, KafkaBroker kafka, Postgres postgres, FileChannel lockChannel, FileLock lock) {
        this.options = options;
        this.kafka = kafka;
        this.postgres = postgres;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.readyFile = options.data.resolve(READY_FILE);
    }

    /** All topic names: each of {@link #TOPICS} and its {@value #DLQ_SUFFIX} twin. */
    public static List<String> allTopics() {
        List<String> all = new ArrayList<>();
        for (String t : TOPICS) {
            all.add(t);
            all.add(t + DLQ_SUFFIX);
        }
        return all;
    }

    /** Command line options with their defaults. */
    public static final class Options {
        Path data = Paths.get(".lab/data");
        int kafkaPort = 9092;
        int pgPort = 55432;
        String db = "tdlab";
        int partitions = KafkaBroker.DEFAULT_PARTITIONS;

        public static Options parse(String... args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    v = a.substring(eq + 1);
                    a = a.substring(0, eq);
                } else if (a.equals("-h") || a.equals("--help")) {
                    throw new UsageException(null);
                } else if (i + 1 < args.length) {
                    v = args[++i];
                } else {
                    throw new UsageException("missing value for " + a);
                }
                switch (a) {
                    case "--data" -> o.data = Paths.get(v);
                    case "--kafka-port" -> o.kafkaPort = intArg(a, v, 0, 65535);
                    case "--pg-port" -> o.pgPort = intArg(a, v, 0, 65535);
                    case "--db" -> o.db = v;
                    case "--partitions" -> o.partitions = intArg(a, v, 1, 10_000);
                    default -> throw new UsageException("unknown option " + a);
                }
            }
            o.data = o.data.toAbsolutePath().normalize();
            return o;
        }

        public Path data() {
            return data;
        }

        private static int intArg(String name, String v, int min, int max) {
            try {
                int n = Integer.parseInt(v);
                if (n < min || n > max) {
                    throw new UsageException(name + " must be in " + min + ".." + max + ": " + v);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new UsageException(name + " needs a number: " + v);
            }
        }
    }

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /** Another DevStack holds the data directory. */
    static final class DataDirLockedException extends IllegalStateException {
        DataDirLockedException(String message) {
            super(message);
        }
    }

    /**
     * Starts Kafka and PostgreSQL (in parallel), creates the database and the topics, and writes the
     * ready file. Ports of 0 pick free ones.
     */
    public static DevStack start(Options o) throws IOException {
        Files.createDirectories(o.data);
        FileChannel channel = FileChannel.open(o.data.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException sameJvm) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new DataDirLockedException("another DevStack is already running with --data " + o.data);
        }
        KafkaBroker kafka = null;
        Postgres pg = null;
        try {
            // fail fast, before starting anything, when a fixed port is taken
            if (o.kafkaPort != 0) {
                Ports.requireFree("Kafka", o.kafkaPort);
            }
            Postgres.stopOrphanedPostmaster(o.data.resolve("postgres"));
            if (o.pgPort != 0) {
                Ports.requireFree("PostgreSQL", o.pgPort);
            }
            Files.deleteIfExists(o.data.resolve(READY_FILE));

            CompletableFuture<KafkaBroker> k = CompletableFuture.supplyAsync(() -> call(
                    () -> KafkaBroker.start(o.data.resolve("kafka"), o.kafkaPort, o.partitions)));
            CompletableFuture<Postgres> p = CompletableFuture.supplyAsync(() -> call(
                    () -> Postgres.start(o.data.resolve("postgres"), o.pgPort, false)));
            RuntimeException failure = null;
            try {
                kafka = k.join();
            } catch (CompletionException e) {
                failure = unwrap(e);
            }
            try {
                pg = p.join();
            } catch (CompletionException e) {
                if (failure == null) {
                    failure = unwrap(e);
                } else {
                    failure.addSuppressed(e.getCause());
                }
            }
            if (failure != null) {
                throw failure;
            }
            pg.createDatabaseIfAbsent(o.db);
            kafka.createTopics(o.partitions, allTopics().toArray(String[]::new));
        } catch (IOException | RuntimeException | Error e) {
            if (kafka != null) {
                kafka.close();
            }
            if (pg != null) {
                pg.close();
            }
            lock.release();
            channel.close();
            throw e;
        }
        DevStack stack = new DevStack(o, kafka, pg, channel, lock);
        stack.writeReadyFile();
        return stack;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public Postgres postgres() {
        return postgres;
    }

    public String jdbcUrl() {
        return postgres.jdbcUrl(options.db);
    }

    private void writeReadyFile() throws IOException {
        String content = "kafka=" + kafka.bootstrapServers() + "\n"
                + "jdbc=" + jdbcUrl() + "\n"
                + "jdbc.user=" + postgres.user() + "\n"
                + "jdbc.password=" + postgres.password() + "\n"
                + "pid=" + ProcessHandle.current().pid() + "\n";
        Path tmp = readyFile.resolveSibling(READY_FILE + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, readyFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Deletes the ready file, stops Kafka, then PostgreSQL, then releases the data directory. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(readyFile);
        } catch (IOException e) {
            System.err.println("devstack: could not delete " + readyFile + ": " + e);
        }
        try {
            kafka.close();
        } catch (RuntimeException e) {
            System.err.println("devstack: stopping Kafka: " + e);
        }
        try {
            postgres.close();
        } catch (RuntimeException e) {
            System.err.println("devstack: stopping PostgreSQL: " + e);
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            // the process is exiting anyway
        }
    }

    public static void main(String[] args) {
        // before any logger exists: quiet slf4j-simple unless the user chose a level
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
            // routine messages Kafka logs at WARN: "Performing controller activation" on every
            // start, "closing NetworkClient that has already been closed" on every stop
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka.controller.QuorumController", "error");
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka.clients.NetworkClient", "error");
        }
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        PrintStream out = System.out;
        Options o;
        try {
            o = Options.parse(args);
        } catch (UsageException e) {
            if (e.getMessage() != null) {
                System.err.println("devstack: " + e.getMessage());
            }
            System.err.println(usage());
            System.exit(e.getMessage() == null ? 0 : 2);
            return;
        }
        long t0 = System.nanoTime();
        DevStack stack;
        try {
            stack = start(o);
        } catch (Ports.PortInUseException | DataDirLockedException e) {
            System.err.println("devstack: " + e.getMessage());
            System.exit(2);
            return;
        } catch (Throwable e) {
            System.err.println("devstack: failed to start: " + e);
            e.printStackTrace();
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("DEVSTACK STOPPING");
            stack.close();
            out.println("DEVSTACK STOPPED");
            out.flush();
            stopped.countDown();
        }, "devstack-shutdown"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        KafkaBroker k = stack.kafka();
        Postgres p = stack.postgres();
        out.printf("devstack: data %s; kafka %s (format %s, start %d ms); postgres %s (%s %d ms); ready in %d ms%n",
                o.data, k.bootstrapServers(), k.formatMillis() < 0 ? "skipped" : k.formatMillis() + " ms",
                k.startMillis(), p.jdbcUrl(o.db), p.initialized() ? "initdb+start" : "start", p.startMillis(), ms);
        out.println("DEVSTACK READY kafka=" + k.bootstrapServers() + " jdbc=" + stack.jdbcUrl());
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String usage() {
        return """
                usage: java -cp "devstack.jar:lib/*" dev.tdlab.devstack.DevStack [options]
                  --data DIR         data directory, kept across restarts   (default .lab/data)
                  --kafka-port N     Kafka client port on 127.0.0.1, 0=free  (default 9092)
                  --pg-port N        PostgreSQL port on localhost, 0=free   (default 55432)
                  --db NAME          database created if absent             (default tdlab)
                  --partitions N     partitions of the topics it creates    (default 4)""";
    }

    private interface IoCall<T> {
        T call() throws IOException;
    }

    private static <T> T call(IoCall<T> c) {
        try {
            return c.call();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e);
        }
    }

    private static RuntimeException unwrap(CompletionException e) {
        Throwable c = e.getCause();
        if (c instanceof java.io.UncheckedIOException u && u.getCause() != null) {
            return new IllegalStateException(u.getMessage(), u.getCause());
        }
        return c instanceof RuntimeException r ? r : new IllegalStateException(c);
    }
}
