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
 *      [--kafka-auth sasl [--kafka-tenants a,b]]
 * </pre>
 *
 * With {@code --kafka-auth sasl} the broker authenticates (SASL/SCRAM-SHA-512) and authorizes
 * ({@link KafkaAccess}): users {@code admin}, {@code data-gen}, {@code trainer}, {@code analysis} and
 * {@code tenant-<id>} for each of {@code --kafka-tenants}, with random passwords kept in
 * {@code DATA/kafka-credentials.properties} (mode 600, reused on restarts).
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
    /** user=password of the Kafka users in SASL mode, under the data directory. */
    public static final String KAFKA_CREDENTIALS_FILE = "kafka-credentials.properties";
    static final String KAFKA_ADMIN = "admin";
    private static final String LOCK_FILE = "devstack.lock";

    private final Options options;
    private final KafkaBroker kafka;
    private final Postgres postgres;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Path readyFile;
    /** Kafka user → password in SASL mode; empty otherwise. */
    private final java.util.Map<String, String> kafkaPasswords;

    private DevStack(Options options, KafkaBroker kafka, Postgres postgres, FileChannel lockChannel, FileLock lock,
                     java.util.Map<String, String> kafkaPasswords) {
        this.kafkaPasswords = kafkaPasswords;
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
        boolean kafkaSasl;
        List<String> kafkaTenants = List.of();

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
                    case "--kafka-auth" -> o.kafkaSasl = switch (v) {
                        case "none" -> false;
                        case "sasl" -> true;
                        default -> throw new UsageException("--kafka-auth must be none or sasl: " + v);
                    };
                    case "--kafka-tenants" -> {
                        o.kafkaTenants = v.isBlank() ? List.of() : List.of(v.split(","));
                        for (String t : o.kafkaTenants) {
                            try {
                                KafkaAccess.tenantUser(t);
                            } catch (IllegalArgumentException e) {
                                throw new UsageException("--kafka-tenants: " + e.getMessage());
                            }
                        }
                    }
                    default -> throw new UsageException("unknown option " + a);
                }
            }
            o.data = o.data.toAbsolutePath().normalize();
            if (!o.kafkaTenants.isEmpty() && !o.kafkaSasl) {
                throw new UsageException("--kafka-tenants needs --kafka-auth sasl");
            }
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
        java.util.Map<String, String> kafkaPasswords;
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
            java.util.Map<String, String> pw = o.kafkaSasl ? kafkaPasswords(o) : java.util.Map.of();
            kafkaPasswords = pw;
            KafkaBroker.Sasl sasl = o.kafkaSasl ? new KafkaBroker.Sasl(KAFKA_ADMIN, pw.get(KAFKA_ADMIN)) : null;

            CompletableFuture<KafkaBroker> k = CompletableFuture.supplyAsync(() -> call(
                    () -> KafkaBroker.start(o.data.resolve("kafka"), o.kafkaPort, o.partitions, java.util.Map.of(), sasl)));
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
            if (sasl != null) {
                KafkaAccess.setUpServices(kafka.adminConfig(), pw);
                for (String t : o.kafkaTenants) {
                    KafkaAccess.addTenant(kafka.adminConfig(), t, pw.get(KafkaAccess.tenantUser(t)));
                }
            }
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
        DevStack stack = new DevStack(o, kafka, pg, channel, lock, kafkaPasswords);
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

    /** The password of a Kafka user in SASL mode ({@code admin}, a service, {@code tenant-<id>}); null otherwise. */
    public String kafkaPassword(String user) {
        return kafkaPasswords.get(user);
    }

    /** Client settings for Kafka as {@code user} (its password from this stack); bootstrap servers only without SASL. */
    public java.util.Map<String, Object> kafkaClient(String user) {
        return kafka.clientConfig(user, kafkaPasswords.get(user));
    }

    /**
     * The passwords of the admin, the services and the tenants: read from {@value #KAFKA_CREDENTIALS_FILE}, the missing
     * ones generated (24 random bytes, base64url) and the file rewritten with mode 600.
     */
    private static java.util.Map<String, String> kafkaPasswords(Options o) throws IOException {
        Path file = o.data.resolve(KAFKA_CREDENTIALS_FILE);
        java.util.Properties p = new java.util.Properties();
        if (Files.exists(file)) {
            try (java.io.Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
        }
        List<String> users = new ArrayList<>(List.of(KAFKA_ADMIN));
        KafkaAccess.SERVICES.forEach(s -> users.add(s.user()));
        o.kafkaTenants.forEach(t -> users.add(KafkaAccess.tenantUser(t)));
        java.security.SecureRandom random = new java.security.SecureRandom();
        boolean changed = false;
        for (String u : users) {
            if (p.getProperty(u) == null) {
                byte[] b = new byte[24];
                random.nextBytes(b);
                p.setProperty(u, java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b));
                changed = true;
            }
        }
        if (changed) {
            Path tmp = file.resolveSibling(KAFKA_CREDENTIALS_FILE + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(tmp);
            }
            try (java.io.Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "Kafka SCRAM users of this devstack (generated; user=password)");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String u : p.stringPropertyNames()) {
            out.put(u, p.getProperty(u));
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private void writeReadyFile() throws IOException {
        String content = "kafka=" + kafka.bootstrapServers() + "\n"
                + "jdbc=" + jdbcUrl() + "\n"
                + "jdbc.user=" + postgres.user() + "\n"
                + "jdbc.password=" + postgres.password() + "\n"
                + "pid=" + ProcessHandle.current().pid() + "\n"
                + (kafka.secured() ? "kafka.security.protocol=" + KafkaBroker.SASL_PROTOCOL + "\n"
                        + "kafka.sasl.mechanism=" + KafkaBroker.SCRAM_MECHANISM + "\n"
                        + "kafka.credentials=" + options.data.resolve(KAFKA_CREDENTIALS_FILE) + "\n" : "");
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
                  --partitions N     partitions of the topics it creates    (default 4)
                  --kafka-auth MODE  none, or sasl: SCRAM users + ACLs      (default none)
                  --kafka-tenants L  with sasl: a read-only user per tenant (comma-separated ids)""";
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
