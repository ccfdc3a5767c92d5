package dev.tdlab.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A real single-node Kafka (KRaft, combined broker + controller) running inside this JVM; the broker
 * jars must have the version of the kafka-clients on the classpath ({@code ${kafka.version}}).
 *
 * <p>Layout under {@code dataDir}: {@code cluster.id} (stable cluster id) and {@code logs/} (the
 * log dir, which is also the metadata log dir). The storage is formatted only when
 * {@code logs/meta.properties} is absent, so a restart on the same directory keeps all topics
 * and records.
 *
 * <p>The quorum is static ({@code controller.quorum.voters}, kraft.version 0): the controller
 * endpoint is not written into the metadata log, so the controller may get a different free
 * port on every start.
 *
 * <p>With {@link Sasl} the client listener is {@code SASL_PLAINTEXT} with SCRAM-SHA-512 only, the
 * {@code StandardAuthorizer} is on ({@code allow.everyone.if.no.acl.found=false}, the admin principal is
 * the only super user) and the controller listener authenticates the admin with SASL/PLAIN (KRaft
 * controllers cannot use SCRAM: its credentials live in the metadata they serve). The admin's SCRAM
 * credential is written into the bootstrap metadata when the storage is formatted; the other users and
 * the ACLs are {@link KafkaAccess}'s job.
 */
public final class KafkaBroker implements AutoCloseable {

    public static final int DEFAULT_PARTITIONS = 4;
    static final int NODE_ID = 1;
    static final String HOST = "127.0.0.1";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

    /** The SASL listener's security protocol and mechanism. */
    public static final String SASL_PROTOCOL = "SASL_PLAINTEXT";
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

    /**
     * Authentication and authorization on: the admin (super user) principal and its password.
     *
     * @param adminUser     the super user's name (also the broker's own principal on its listeners)
     * @param adminPassword its password (SCRAM on the client listener, PLAIN on the controller listener)
     */
    public record Sasl(String adminUser, String adminPassword) {
        public Sasl {
            if (adminUser == null || !adminUser.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("admin user must match [A-Za-z0-9._-]+: " + adminUser);
            }
            if (adminPassword == null || !adminPassword.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("admin password must match [A-Za-z0-9._-]+");
            }
        }

        @Override
        public String toString() {
            return "Sasl[adminUser=" + adminUser + ", adminPassword=***]";
        }
    }

    private final KafkaRaftServer server;
    private final int port;
    private final int controllerPort;
    private final Sasl sasl;
    private final String clusterId;
    private final long formatMillis;
    private final long startMillis;
    private final AtomicBoolean closed = new AtomicBoolean();

    private KafkaBroker(KafkaRaftServer server, int port, int controllerPort, Sasl sasl, String clusterId,
                        long formatMillis, long startMillis) {
        this.server = server;
        this.port = port;
        this.controllerPort = controllerPort;
        this.sasl = sasl;
        this.clusterId = clusterId;
        this.formatMillis = formatMillis;
        this.startMillis = startMillis;
    }

    /** Starts a broker with {@value #DEFAULT_PARTITIONS} partitions for auto-created topics. */
    public static KafkaBroker start(Path dataDir, int port) throws IOException {
        return start(dataDir, port, DEFAULT_PARTITIONS, Map.of());
    }

    public static KafkaBroker start(Path dataDir, int port, int partitions) throws IOException {
        return start(dataDir, port, partitions, Map.of());
    }

    /**
     * @param dataDir   directory for the cluster id and the log dir (created if absent)
     * @param port      client (PLAINTEXT) port on 127.0.0.1; 0 picks a free one
     * @param partitions {@code num.partitions}, used by auto-created topics
     * @param overrides broker properties that replace the defaults below
     */
    public static KafkaBroker start(Path dataDir, int port, int partitions, Map<String, String> overrides)
            throws IOException {
        return start(dataDir, port, partitions, overrides, null);
    }

    /**
     * As {@link #start(Path, int, int, Map)}, with authentication and ACLs when {@code sasl} is not null (see the
     * class comment); null = the plain listener, no authorizer.
     */
    public static KafkaBroker start(Path dataDir, int port, int partitions, Map<String, String> overrides, Sasl sasl)
            throws IOException {
        int clientPort = Ports.resolve("Kafka", port);
        int controllerPort = Ports.freePort();
        Path logDir = dataDir.toAbsolutePath().resolve("logs");
        Files.createDirectories(logDir);
        String clusterId = clusterId(dataDir.toAbsolutePath(), logDir);

        Map<String, String> props = new LinkedHashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        props.put("listeners", "PLAINTEXT://" + HOST + ":" + clientPort + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + clientPort);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        props.put("metadata.log.dir", logDir.toString());
        props.put("num.partitions", Integer.toString(partitions));
        props.put("auto.create.topics.enable", "true");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "10");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "10");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // the lab keeps its history: no time-based deletion of records
        props.put("log.retention.ms", "-1");
        if (sasl != null) {
            props.putAll(saslProps(sasl, clientPort, controllerPort));
        }
        props.putAll(overrides);

        long t0 = System.nanoTime();
        boolean formatted = format(clusterId, logDir, sasl);
        long t1 = System.nanoTime();

        Properties properties = new Properties();
        properties.putAll(props);
        KafkaConfig config;
        try {
            config = KafkaConfig.fromProps(properties, false);
        } catch (LinkageError e) {
            throw new IllegalStateException("Kafka broker jars and kafka-clients " + AppInfoParser.getVersion()
                    + " on the classpath do not match (the broker needs the same version as the clients;"
                    + " see devstack/README.md): " + e, e);
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException | Error e) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        long t2 = System.nanoTime();
        KafkaBroker broker = new KafkaBroker(server, clientPort, controllerPort, sasl, clusterId,
                formatted ? ms(t1 - t0) : -1, ms(t2 - t1));
        if (sasl != null) {
            try {
                broker.awaitAdminLogin();
            } catch (RuntimeException e) {
                broker.close();
                throw e;
            }
        }
        LOG.info("Kafka {} on {} (cluster {}): format {}, start {} ms", AppInfoParser.getVersion(),
                broker.bootstrapServers(), clusterId, formatted ? ms(t1 - t0) + " ms" : "skipped (already formatted)",
                ms(t2 - t1));
        return broker;
    }

    /** The listener and authorizer settings of the SASL mode. */
    private static Map<String, String> saslProps(Sasl sasl, int clientPort, int controllerPort) {
        String client = SASL_PROTOCOL.toLowerCase(java.util.Locale.ROOT);
        String controller = CONTROLLER_LISTENER.toLowerCase(java.util.Locale.ROOT);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("listeners", SASL_PROTOCOL + "://" + HOST + ":" + clientPort + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", SASL_PROTOCOL + "://" + HOST + ":" + clientPort);
        p.put("listener.security.protocol.map", SASL_PROTOCOL + ":" + SASL_PROTOCOL + "," + CONTROLLER_LISTENER + ":" + SASL_PROTOCOL);
        p.put("inter.broker.listener.name", SASL_PROTOCOL);
        p.put("sasl.mechanism.inter.broker.protocol", SCRAM_MECHANISM);
        p.put("sasl.mechanism.controller.protocol", "PLAIN");
        p.put("listener.name." + client + ".sasl.enabled.mechanisms", SCRAM_MECHANISM);
        p.put("listener.name." + client + "." + SCRAM_MECHANISM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
                scramJaas(sasl.adminUser(), sasl.adminPassword()));
        p.put("listener.name." + controller + ".sasl.enabled.mechanisms", "PLAIN");
        p.put("listener.name." + controller + ".plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + sasl.adminUser()
                        + "\" password=\"" + sasl.adminPassword() + "\" user_" + sasl.adminUser() + "=\""
                        + sasl.adminPassword() + "\";");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", "User:" + sasl.adminUser());
        p.put("allow.everyone.if.no.acl.found", "false");
        return p;
    }

    /** The JAAS line of a SCRAM client login ({@code sasl.jaas.config}). */
    public static String scramJaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /**
     * Client settings for this broker as {@code user}: bootstrap servers plus, in SASL mode, the security protocol,
     * the SCRAM mechanism and the JAAS login; a null user or password leaves the login out (a client without a
     * credential). Without SASL only the bootstrap servers.
     */
    public Map<String, Object> clientConfig(String user, String password) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        if (sasl != null) {
            c.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, SASL_PROTOCOL);
            c.put("sasl.mechanism", SCRAM_MECHANISM);
            if (user != null && password != null) {
                c.put("sasl.jaas.config", scramJaas(user, password));
            }
        }
        return c;
    }

    /** Client settings of the admin (super user) principal; see {@link #clientConfig(String, String)}. */
    public Map<String, Object> adminConfig() {
        return sasl == null ? clientConfig(null, null) : clientConfig(sasl.adminUser(), sasl.adminPassword());
    }

    /** True when the client listener authenticates and the authorizer is on. */
    public boolean secured() {
        return sasl != null;
    }

    /**
     * Waits until the admin logs in on the client listener. Its SCRAM credential is written when the storage is
     * formatted; a log formatted without SASL has none, and the broker refuses the admin with a message saying so.
     */
    private void awaitAdminLogin() {
        try {
            KafkaAccess.awaitLogin(adminConfig(), Duration.ofSeconds(30));
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.SaslAuthenticationException) {
                throw new IllegalStateException("the admin " + sasl.adminUser() + " cannot log in: the Kafka log was"
                        + " formatted without this SASL credential (or with another password); start on a new data"
                        + " directory or keep the password of the first start", e);
            }
            throw e;
        }
    }

    /** host:port for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public String clusterId() {
        return clusterId;
    }

    /** How long formatting the storage took on this start; -1 when it was formatted already. */
    public long formatMillis() {
        return formatMillis;
    }

    /** How long {@code KafkaRaftServer.startup()} took (until the broker was unfenced). */
    public long startMillis() {
        return startMillis;
    }

    /** Creates the topics on this broker; see {@link #createTopics(String, int, String...)}. */
    public void createTopics(int partitions, String... names) {
        createTopics(adminConfig(), partitions, names);
    }

    /**
     * Creates {@code names} with {@code partitions} partitions and replication factor 1; topics that
     * already exist are left as they are (idempotent).
     */
    public static void createTopics(String bootstrap, int partitions, String... names) {
        createTopics(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), partitions, names);
    }

    /** As {@link #createTopics(String, int, String...)} with these client settings (bootstrap, credentials). */
    public static void createTopics(Map<String, Object> client, int partitions, String... names) {
        if (names.length == 0) {
            return;
        }
        Map<String, Object> conf = new LinkedHashMap<>(client);
        conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        conf.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (Admin admin = Admin.create(conf)) {
            List<NewTopic> topics = new ArrayList<>();
            for (String name : names) {
                topics.add(new NewTopic(name, partitions, (short) 1));
            }
            CreateTopicsResult result = admin.createTopics(topics);
            for (String name : names) {
                try {
                    result.values().get(name).get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + name + ": " + e.getCause(), e.getCause());
                    }
                } catch (TimeoutException e) {
                    throw new IllegalStateException("timed out creating topic " + name, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while creating topic " + name, e);
                }
            }
        }
    }

    /** Clean shutdown (broker, then controller); idempotent. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        long t0 = System.nanoTime();
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Kafka on {}:{} stopped in {} ms", HOST, port, ms(System.nanoTime() - t0));
    }

    /** Formats {@code logDir} unless it holds a meta.properties already; true when it formatted. */
    private static boolean format(String clusterId, Path logDir, Sasl sasl) throws IOException {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return false;
        }
        try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(quiet)
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(logDir.toString())
                    .setDirectories(List.of(logDir.toString()))
                    // the admin's SCRAM credential goes into the bootstrap metadata (kafka-storage format --add-scram)
                    .setScramArguments(sasl == null ? List.of()
                            : List.of(SCRAM_MECHANISM + "=[name=" + sasl.adminUser() + ",password=" + sasl.adminPassword() + "]"))
                    .run();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("could not format the Kafka storage in " + logDir + ": " + e.getMessage(), e);
        }
        return true;
    }

    /** The id in meta.properties when formatted, else the one in cluster.id, else a new one (saved). */
    private static String clusterId(Path dataDir, Path logDir) throws IOException {
        Path idFile = dataDir.resolve("cluster.id");
        String id = null;
        Path meta = logDir.resolve("meta.properties");
        if (Files.exists(meta)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(meta)) {
                p.load(in);
            }
            id = p.getProperty("cluster.id");
        }
        if (id == null && Files.exists(idFile)) {
            id = Files.readString(idFile, StandardCharsets.UTF_8).trim();
        }
        if (id == null || id.isEmpty()) {
            id = Uuid.randomUuid().toString();
        }
        if (!Files.exists(idFile) || !Files.readString(idFile, StandardCharsets.UTF_8).trim().equals(id)) {
            Files.writeString(idFile, id + "\n", StandardCharsets.UTF_8);
        }
        return id;
    }

    private static long ms(long nanos) {
        return Duration.ofNanos(nanos).toMillis();
    }
}
