package dev.tdlab.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import dev.tdlab.contracts.Topics;

/**
 * A real broker in SASL mode ({@link KafkaBroker.Sasl}) with the users and ACLs of {@link KafkaAccess}: clients
 * without a valid credential are refused, each service may do what it needs and no more, and a tenant reads its own
 * results and not another tenant's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaSecurityIT {

    /** Test-only credentials, generated per run. */
    private final String adminPassword = "admin-" + java.util.UUID.randomUUID();
    private final Map<String, String> passwords = new LinkedHashMap<>();
    private final Map<String, String> tenantPasswords = new LinkedHashMap<>();

    private KafkaBroker kafka;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        long t0 = System.nanoTime();
        kafka = KafkaBroker.start(tmp.resolve("kafka"), 0, 2, Map.of(), new KafkaBroker.Sasl("admin", adminPassword));
        long t1 = System.nanoTime();
        kafka.createTopics(2, DevStack.allTopics().toArray(String[]::new));
        for (KafkaAccess.ServiceAccess s : KafkaAccess.SERVICES) {
            passwords.put(s.user(), s.user() + "-" + java.util.UUID.randomUUID());
        }
        KafkaAccess.setUpServices(kafka.adminConfig(), passwords);
        for (String tenant : List.of("acme", "acme-labs")) {
            tenantPasswords.put(tenant, tenant + "-" + java.util.UUID.randomUUID());
            KafkaAccess.addTenant(kafka.adminConfig(), tenant, tenantPasswords.get(tenant));
        }
        System.out.printf("SASL broker: format %d ms, start until the admin logs in %d ms; topics, 3 service and 2 tenant"
                + " users with their ACLs %d ms%n", kafka.formatMillis(), (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
    }

    @AfterAll
    void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aClientWithoutCredentialsOrWithAWrongPasswordIsRefused() throws Exception {
        long before = endOffset(Topics.RUNS_STATUS);
        // a stock client that does not speak SASL: the broker drops it before any request, nothing is written
        Map<String, Object> plain = new LinkedHashMap<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
        try (KafkaProducer<String, String> p = producer(plain)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> p.send(new ProducerRecord<>(Topics.RUNS_STATUS, "k", "forged")).get(30, TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, e.getCause(), e.toString());
        }
        // an unknown user and a service user with a wrong password: refused at the SASL handshake
        for (Map<String, Object> bad : List.of(
                kafka.clientConfig("nobody", "guess"),
                kafka.clientConfig(KafkaAccess.TRAINER.user(), passwords.get(KafkaAccess.TRAINER.user()) + "x"))) {
            try (KafkaProducer<String, String> p = producer(bad)) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> p.send(new ProducerRecord<>(Topics.RUNS_STATUS, "k", "forged")).get(30, TimeUnit.SECONDS));
                assertInstanceOf(SaslAuthenticationException.class, e.getCause(), e.toString());
            }
            try (KafkaConsumer<String, String> c = consumer(bad, "anyone")) {
                c.subscribe(List.of(Topics.RUNS_VERDICTS));
                assertThrows(SaslAuthenticationException.class, () -> c.poll(Duration.ofSeconds(10)));
            }
        }
        assertEquals(before, endOffset(Topics.RUNS_STATUS), "a refused client wrote nothing");
    }

    /** Every service can do what its channels need: write each of its topics, read each of its inputs with its group. */
    @Test
    void eachServiceWritesItsTopicsAndReadsItsInputs() throws Exception {
        for (KafkaAccess.ServiceAccess s : KafkaAccess.SERVICES) {
            Map<String, Object> conf = serviceConfig(s);
            try (KafkaProducer<String, String> p = producer(conf)) {
                for (String t : s.writes()) {
                    p.send(new ProducerRecord<>(t, s.user(), "ok")).get(30, TimeUnit.SECONDS);
                }
            }
            try (KafkaConsumer<String, String> c = consumer(conf, s.group())) {
                c.subscribe(s.reads());
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (c.assignment().isEmpty() && System.nanoTime() < deadline) {
                    c.poll(Duration.ofMillis(200)); // joins the group and fetches: throws if READ is missing
                }
                assertEquals(s.reads().size() * 2, c.assignment().size(), s.user() + ": " + c.assignment());
                c.assignment().forEach(c::position);
                c.commitSync(); // the group's offsets: group READ
            }
        }
    }

    @Test
    void aServiceCannotWriteAnotherServicesTopicOrUseItsGroup() throws Exception {
        Map<String, Object> dataGen = serviceConfig(KafkaAccess.DATA_GEN);
        long before = endOffset(Topics.RUNS_METRICS);
        try (KafkaProducer<String, String> p = producer(dataGen)) {
            for (String foreign : List.of(Topics.RUNS_METRICS, Topics.RUNS_VERDICTS, Topics.RUNS_PLANNED,
                    Topics.tenantVerdicts("acme"))) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> p.send(new ProducerRecord<>(foreign, "k", "forged")).get(30, TimeUnit.SECONDS), foreign);
                assertInstanceOf(TopicAuthorizationException.class, e.getCause(), foreign + ": " + e);
            }
        }
        assertEquals(before, endOffset(Topics.RUNS_METRICS));
        // the trainer does not read what analysis plans for data-gen
        try (KafkaConsumer<String, String> c = consumer(serviceConfig(KafkaAccess.TRAINER), KafkaAccess.TRAINER.group())) {
            c.subscribe(List.of(Topics.RUNS_PLANNED));
            TopicAuthorizationException e = assertThrows(TopicAuthorizationException.class, () -> c.poll(Duration.ofSeconds(10)));
            assertEquals(Set.of(Topics.RUNS_PLANNED), e.unauthorizedTopics());
        }
        // data-gen's own topic, but under the trainer's consumer group
        try (KafkaConsumer<String, String> c = consumer(dataGen, KafkaAccess.TRAINER.group())) {
            c.subscribe(List.of(Topics.RUNS_PLANNED));
            assertThrows(GroupAuthorizationException.class, () -> c.poll(Duration.ofSeconds(10)));
        }
    }

    @Test
    void aTenantReadsItsOwnResultsAndNotAnotherTenants() throws Exception {
        String acme = Topics.tenantVerdicts("acme");
        String labs = Topics.tenantVerdicts("acme-labs");
        // analysis publishes each tenant's verdicts to the tenant's topic (created on first write: prefixed CREATE)
        try (KafkaProducer<String, String> p = producer(serviceConfig(KafkaAccess.ANALYSIS))) {
            p.send(new ProducerRecord<>(acme, "run-a", "{\"tenant\":\"acme\"}")).get(30, TimeUnit.SECONDS);
            p.send(new ProducerRecord<>(labs, "run-b", "{\"tenant\":\"acme-labs\"}")).get(30, TimeUnit.SECONDS);
            p.send(new ProducerRecord<>(Topics.RUNS_VERDICTS, "run-b", "{\"tenant\":\"acme-labs\"}")).get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> acmeConf = kafka.clientConfig(KafkaAccess.tenantUser("acme"), tenantPasswords.get("acme"));
        String acmeGroup = Topics.tenantResultsPrefix("acme") + "dashboard";

        try (KafkaConsumer<String, String> c = consumer(acmeConf, acmeGroup)) {
            c.subscribe(List.of(acme));
            List<ConsumerRecord<String, String>> got = pollUntil(c, r -> r.key().equals("run-a"));
            assertEquals("{\"tenant\":\"acme\"}", got.get(got.size() - 1).value());
        }
        // acme-labs' results (whose name starts with "acme"), and the all-tenant topic: not authorized
        for (String foreign : List.of(labs, Topics.RUNS_VERDICTS)) {
            try (KafkaConsumer<String, String> c = consumer(acmeConf, acmeGroup)) {
                c.subscribe(List.of(foreign));
                TopicAuthorizationException e = assertThrows(TopicAuthorizationException.class,
                        () -> c.poll(Duration.ofSeconds(10)), foreign);
                assertEquals(Set.of(foreign), e.unauthorizedTopics());
            }
            try (KafkaConsumer<String, String> c = consumer(acmeConf, null)) { // no group: assign() and read
                c.assign(List.of(new TopicPartition(foreign, 0), new TopicPartition(foreign, 1)));
                c.seekToBeginning(c.assignment());
                assertThrows(TopicAuthorizationException.class, () -> c.poll(Duration.ofSeconds(10)), foreign);
            }
        }
        // its own topic under another tenant's group prefix
        try (KafkaConsumer<String, String> c = consumer(acmeConf, Topics.tenantResultsPrefix("acme-labs") + "x")) {
            c.subscribe(List.of(acme));
            assertThrows(GroupAuthorizationException.class, () -> c.poll(Duration.ofSeconds(10)));
        }
        // and a tenant writes nothing, not even to its own topic: an idempotent producer (the default) may not even
        // start (no WRITE anywhere), a plain one is refused the topic
        try (KafkaProducer<String, String> p = producer(acmeConf)) {
            // send() throws or its future fails, depending on when the producer id request was refused
            Exception e = assertThrows(Exception.class,
                    () -> p.send(new ProducerRecord<>(acme, "k", "forged")).get(30, TimeUnit.SECONDS));
            Throwable c = e;
            while (c != null && !(c instanceof ClusterAuthorizationException)) {
                c = c.getCause();
            }
            assertInstanceOf(ClusterAuthorizationException.class, c, e.toString());
        }
        Map<String, Object> plainProducer = new LinkedHashMap<>(acmeConf);
        plainProducer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        plainProducer.put(ProducerConfig.ACKS_CONFIG, "1");
        try (KafkaProducer<String, String> p = producer(plainProducer)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> p.send(new ProducerRecord<>(acme, "k", "forged")).get(30, TimeUnit.SECONDS));
            assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
        }
    }

    /**
     * {@code DevStack --kafka-auth sasl}: generated passwords in a mode-600 file, kept on a restart, the ready file says
     * how to connect, the services' and the tenants' users work and the admin's is the only one that sees everything.
     */
    @Test
    void devStackInSaslModeKeepsItsCredentialsAcrossARestart(@TempDir Path dir) throws Exception {
        DevStack.Options o = DevStack.Options.parse("--data", dir.resolve("lab").toString(), "--kafka-port", "0",
                "--pg-port", "0", "--partitions", "1", "--kafka-auth", "sasl", "--kafka-tenants", "acme");
        Path credentials = o.data().resolve(DevStack.KAFKA_CREDENTIALS_FILE);
        String trainerPassword;
        try (DevStack stack = DevStack.start(o)) {
            java.util.Properties ready = new java.util.Properties();
            try (var in = java.nio.file.Files.newInputStream(o.data().resolve(DevStack.READY_FILE))) {
                ready.load(in);
            }
            assertEquals("SASL_PLAINTEXT", ready.getProperty("kafka.security.protocol"));
            assertEquals("SCRAM-SHA-512", ready.getProperty("kafka.sasl.mechanism"));
            assertEquals(credentials.toString(), ready.getProperty("kafka.credentials"));
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    java.nio.file.Files.getPosixFilePermissions(credentials)));
            trainerPassword = stack.kafkaPassword("trainer");
            assertTrue(trainerPassword.length() >= 32, "a generated password");
            try (KafkaProducer<String, String> p = producer(stack.kafkaClient("trainer"))) {
                p.send(new ProducerRecord<>(Topics.RUNS_METRICS, "r", "ok")).get(30, TimeUnit.SECONDS);
            }
            try (KafkaConsumer<String, String> c = consumer(stack.kafkaClient("tenant-acme"), null)) {
                c.assign(List.of(new TopicPartition(Topics.RUNS_METRICS, 0)));
                assertThrows(TopicAuthorizationException.class, () -> c.poll(Duration.ofSeconds(10)));
            }
        }
        try (DevStack stack = DevStack.start(o)) {
            assertEquals(trainerPassword, stack.kafkaPassword("trainer"), "kept across a restart");
            try (KafkaProducer<String, String> p = producer(stack.kafkaClient("trainer"))) {
                p.send(new ProducerRecord<>(Topics.RUNS_METRICS, "r", "again")).get(30, TimeUnit.SECONDS);
            }
        }
        assertThrows(DevStack.UsageException.class, () -> DevStack.Options.parse("--kafka-tenants", "acme"));
        assertThrows(DevStack.UsageException.class, () -> DevStack.Options.parse("--kafka-auth", "tls"));
    }

    private Map<String, Object> serviceConfig(KafkaAccess.ServiceAccess s) {
        return kafka.clientConfig(s.user(), passwords.get(s.user()));
    }

    private long endOffset(String topic) throws Exception {
        try (Admin a = Admin.create(kafka.adminConfig())) {
            long sum = 0;
            for (int p = 0; p < 2; p++) {
                sum += a.listOffsets(Map.of(new TopicPartition(topic, p), OffsetSpec.latest())).all()
                        .get(30, TimeUnit.SECONDS).values().iterator().next().offset();
            }
            return sum;
        }
    }

    private static List<ConsumerRecord<String, String>> pollUntil(KafkaConsumer<String, String> c,
                                                                   java.util.function.Predicate<ConsumerRecord<String, String>> done) {
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                got.add(r);
                if (done.test(r)) {
                    return got;
                }
            }
        }
        assertTrue(got.stream().anyMatch(done), "no matching record within 30 s; got " + got.size());
        return got;
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> conf) {
        Map<String, Object> c = new LinkedHashMap<>(conf);
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        c.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(c, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(Map<String, Object> conf, String group) {
        Map<String, Object> c = new LinkedHashMap<>(conf);
        if (group != null) {
            c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
    }
}
