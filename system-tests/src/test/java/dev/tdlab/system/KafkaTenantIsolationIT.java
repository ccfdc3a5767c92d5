package dev.tdlab.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tdlab.contracts.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole system on a broker that authenticates and authorizes ({@code DevStack --kafka-auth sasl}): the three
 * services, each logged in as its own Kafka user with only its own ACLs, run two tenants' experiments to the end; each
 * tenant's Kafka user reads its own verdicts and report (carrying its tenant) from {@code results.<tenant>.*} and is
 * refused the other tenant's topics and the all-tenant {@code runs.verdicts}; a wrong password is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaTenantIsolationIT {

    static final String SPEC = """
            name: kafka-iso-%s
            data:  { family: markov, p: 0.2, q: 0.3, seqLen: 16, trainSequences: 64, evalSequences: 16 }
            model: { dModel: 4 }
            train: { steps: 20, evalEvery: 10, batch: 8 }
            seeds: [0, 1]
            """;
    static final String A = "kafka-iso-a";
    static final String B = "kafka-iso-b";

    private Stack s;

    @BeforeAll
    void start() throws Exception {
        s = Stack.secured(A, B);
    }

    @AfterAll
    void stop() {
        if (s != null) {
            s.stop();
        }
    }

    @Test
    void eachTenantReadsItsOwnResultsOnlyWhileTheServicesRunOnTheirOwnUsers() throws Exception {
        String expA = submit(A);
        String expB = submit(B);
        JsonNode endA = awaitEnd(expA);
        JsonNode endB = awaitEnd(expB);
        assertEquals("FINISHED", endA.get("status").asText(), endA.toPrettyString());
        assertEquals("FINISHED", endB.get("status").asText(), endB.toPrettyString());

        // the outbox relay publishes after the commit: wait until analysis has created the tenants' result topics
        awaitTopics(Topics.tenantVerdicts(A), Topics.tenantReports(A), Topics.tenantVerdicts(B), Topics.tenantReports(B));
        Map<String, Object> tenantA = s.infra.kafkaClient("tenant-" + A);
        // A's verdicts and report, with A as the tenant, and nothing of B's, on A's own topics
        Map<String, JsonNode> verdicts = read(tenantA, Topics.tenantVerdicts(A), 2);
        for (JsonNode run : endA.get("runs")) {
            JsonNode v = verdicts.get(run.get("id").asText());
            assertEquals(run.get("verdict").asText(), v.get("verdict").asText(), v.toString());
            assertEquals(A, v.get("tenant").asText());
            assertEquals(expA, v.get("experimentId").asText());
        }
        JsonNode report = read(tenantA, Topics.tenantReports(A), 1).get(expA);
        assertEquals(A, report.get("tenant").asText());
        assertEquals("FINISHED", report.get("status").asText());

        // B's topics and the all-tenant topic: refused to A's user, although they hold records
        assertEquals(2, read(s.infra.kafkaClient("tenant-" + B), Topics.tenantVerdicts(B), 2).size());
        for (String foreign : List.of(Topics.tenantVerdicts(B), Topics.tenantReports(B), Topics.RUNS_VERDICTS)) {
            try (KafkaConsumer<String, String> c = consumer(tenantA)) {
                c.assign(List.of(new TopicPartition(foreign, 0)));
                c.seekToBeginning(c.assignment());
                TopicAuthorizationException e = assertThrows(TopicAuthorizationException.class,
                        () -> c.poll(Duration.ofSeconds(10)), foreign);
                assertEquals(Set.of(foreign), e.unauthorizedTopics());
            }
        }
        // the lab's own topic carries the tenant too (read as the admin)
        JsonNode all = read(s.infra.kafkaClient("admin"), Topics.RUNS_VERDICTS, 4).get(endB.get("runs").get(0).get("id").asText());
        assertEquals(B, all.get("tenant").asText());

        // A's user with a wrong password
        Map<String, Object> wrong = s.infra.kafka().clientConfig("tenant-" + A, s.infra.kafkaPassword("tenant-" + A) + "x");
        try (KafkaConsumer<String, String> c = consumer(wrong)) {
            c.assign(List.of(new TopicPartition(Topics.tenantVerdicts(A), 0)));
            assertThrows(SaslAuthenticationException.class, () -> c.poll(Duration.ofSeconds(10)));
        }
    }

    private void awaitTopics(String... topics) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(s.infra.kafkaClient("admin"))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            Set<String> names = Set.of();
            while (System.nanoTime() < deadline) {
                names = admin.listTopics().names().get();
                if (names.containsAll(List.of(topics))) {
                    return;
                }
                Thread.sleep(500);
            }
            fail("analysis did not create " + List.of(topics) + " within 90 s; topics: " + names);
        }
    }

    private String submit(String tenant) throws Exception {
        String token = s.tenantToken(tenant, null);
        HttpResponse<String> r = s.post("/api/v1/experiments", "application/yaml", SPEC.formatted(tenant), token);
        assertEquals(201, r.statusCode(), r.body());
        return s.json.readTree(r.body()).get("id").asText();
    }

    private JsonNode awaitEnd(String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        JsonNode exp = null;
        while (System.nanoTime() < deadline) {
            exp = s.get("/api/v1/experiments/" + id);
            if (Set.of("FINISHED", "FAILED", "CANCELLED").contains(exp.get("status").asText())) {
                return exp;
            }
            Thread.sleep(1000);
        }
        fail("experiment did not end: " + (exp == null ? "" : exp.toPrettyString()));
        return exp;
    }

    /** Reads every partition of a topic from the start (no group) until {@code count} keys are seen; key → value. */
    private Map<String, JsonNode> read(Map<String, Object> client, String topic, int count) throws Exception {
        Map<String, JsonNode> out = new HashMap<>();
        try (KafkaConsumer<String, String> c = consumer(client)) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    out.put(r.key(), s.json.readTree(r.value()));
                }
            }
        }
        assertTrue(out.size() >= count, topic + ": " + out.keySet());
        return out;
    }

    private static KafkaConsumer<String, String> consumer(Map<String, Object> client) {
        Map<String, Object> c = new LinkedHashMap<>(client);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
    }
}
