package dev.tdlab.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tdlab.contracts.Topics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every kustomization under k8s/ renders (with {@code kubectl kustomize}, see {@link Kubectl}) into manifests that hold together:
 * typed parsing of the built-in kinds without unknown fields, probes and resource limits on every
 * Deployment, the environment each service's application.properties reads, Services and PDBs that
 * select pods, the topics of {@link Topics}, config that points at the Kafka and PostgreSQL declared,
 * GPUs for the trainer only (gpu overlay) and KEDA scaling that matches the trainer's own config.
 */
class OverlaysTest {

    static final List<String> DIRS = List.of("k8s/base", "k8s/overlays/local", "k8s/overlays/gpu");
    static final String NS = "tdlab";
    static final String GPU = "nvidia.com/gpu";

    /** fabric8's model, failing on fields it does not know (a misspelt field would otherwise vanish). */
    static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    static List<ObjectNode> render(String dir) {
        return Kubectl.kustomize(Repo.path(dir));
    }

    static List<ObjectNode> ofKind(List<ObjectNode> res, String kind) {
        return res.stream().filter(r -> kind.equals(r.path("kind").asText())).toList();
    }

    static ObjectNode one(List<ObjectNode> res, String kind, String name) {
        return ofKind(res, kind).stream().filter(r -> name.equals(r.at("/metadata/name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    static <T> T typed(JsonNode n, Class<T> type) {
        try {
            T t = STRICT.treeToValue(n, type);
            assertNoUnknownFields(t, type.getSimpleName() + " " + n.at("/metadata/name").asText(), new IdentityHashMap<>());
            return t;
        } catch (Exception e) {
            throw new AssertionError(type.getSimpleName() + " " + n.at("/metadata/name").asText() + ": " + e.getMessage(), e);
        }
    }

    /** fabric8 keeps unknown fields in additionalProperties maps: none may be there. */
    static void assertNoUnknownFields(Object o, String where, Map<Object, Boolean> seen) throws Exception {
        if (o == null || seen.put(o, true) != null || !o.getClass().getName().startsWith("io.fabric8")) {
            if (o instanceof Collection<?> c) {
                for (Object x : c) {
                    assertNoUnknownFields(x, where, seen);
                }
            } else if (o instanceof Map<?, ?> m) {
                for (Object x : m.values()) {
                    assertNoUnknownFields(x, where, seen);
                }
            }
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v = m.invoke(o);
            if ("getAdditionalProperties".equals(m.getName())) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty() && !(o instanceof Quantity)) {
                    fail(where + ": unknown field(s) " + extra.keySet() + " in " + o.getClass().getSimpleName());
                }
            } else {
                assertNoUnknownFields(v, where, seen);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"k8s/base", "k8s/overlays/local", "k8s/overlays/gpu"})
    void rendersIntoConsistentManifests(String dir) {
        List<ObjectNode> res = render(dir);
        Set<String> kinds = res.stream().map(r -> r.path("kind").asText()).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(kinds.containsAll(Set.of("Namespace", "ConfigMap", "Deployment", "Service", "PodDisruptionBudget",
                "Kafka", "KafkaNodePool", "KafkaTopic", "Cluster")), dir + ": " + kinds);
        for (ObjectNode r : res) {
            assertFalse(r.path("apiVersion").asText().isEmpty(), Kubectl.id(r));
            if (!"Namespace".equals(r.path("kind").asText())) {
                assertEquals(NS, r.at("/metadata/namespace").asText(), Kubectl.id(r));
            }
            assertEquals("tdlab", r.at("/metadata/labels/app.kubernetes.io~1part-of").asText(), Kubectl.id(r));
        }
        typed(one(res, "Namespace", NS), Namespace.class);
        ofKind(res, "ConfigMap").forEach(c -> typed(c, ConfigMap.class));

        Map<String, Deployment> deployments = new java.util.TreeMap<>();
        for (ObjectNode d : ofKind(res, "Deployment")) {
            deployments.put(d.at("/metadata/name").asText(), typed(d, Deployment.class));
        }
        assertEquals(Repo.SERVICES.keySet(), deployments.keySet());
        deployments.forEach((name, d) -> checkDeployment(res, name, d));

        for (ObjectNode s : ofKind(res, "Service")) {
            Service svc = typed(s, Service.class);
            Deployment target = selected(deployments, svc.getSpec().getSelector(), "Service " + svc.getMetadata().getName());
            Container c = target.getSpec().getTemplate().getSpec().getContainers().get(0);
            svc.getSpec().getPorts().forEach(p -> assertTrue(c.getPorts().stream().anyMatch(cp ->
                            p.getTargetPort().getStrVal() != null ? p.getTargetPort().getStrVal().equals(cp.getName())
                                    : p.getTargetPort().getIntVal().equals(cp.getContainerPort())),
                    "Service " + svc.getMetadata().getName() + " targets no container port"));
        }
        Set<String> guarded = new HashSet<>();
        for (ObjectNode p : ofKind(res, "PodDisruptionBudget")) {
            PodDisruptionBudget pdb = typed(p, PodDisruptionBudget.class);
            guarded.add(selected(deployments, pdb.getSpec().getSelector().getMatchLabels(), "PDB").getMetadata().getName());
        }
        assertEquals(deployments.keySet(), guarded, "a PodDisruptionBudget for every Deployment");

        checkConfig(res);
        checkKafka(res);
    }

    static Deployment selected(Map<String, Deployment> deployments, Map<String, String> selector, String who) {
        List<Deployment> hits = deployments.values().stream()
                .filter(d -> d.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                .toList();
        assertEquals(1, hits.size(), who + " with selector " + selector + " selects " + hits.size() + " Deployments");
        return hits.get(0);
    }

    static void checkDeployment(List<ObjectNode> res, String name, Deployment d) {
        String module = Repo.SERVICES.get(name);
        assertEquals(d.getSpec().getSelector().getMatchLabels().entrySet().stream()
                        .filter(e -> d.getSpec().getTemplate().getMetadata().getLabels().entrySet().contains(e)).count(),
                d.getSpec().getSelector().getMatchLabels().size(), name + ": the selector selects the template");
        List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size(), name);
        Container c = containers.get(0);
        assertTrue(c.getImage().contains("tdlab/" + module), name + " image " + c.getImage());
        assertTrue(c.getPorts().stream().anyMatch(p -> p.getContainerPort() == Repo.httpPort(module)),
                name + ": container port = quarkus.http.port of " + module);

        probe(name, "readiness", c.getReadinessProbe(), "/q/health/ready", c);
        probe(name, "liveness", c.getLivenessProbe(), "/q/health/live", c);
        probe(name, "startup", c.getStartupProbe(), "/q/health/started", c);

        for (String r : List.of("cpu", "memory")) {
            Quantity req = c.getResources().getRequests().get(r);
            Quantity lim = c.getResources().getLimits().get(r);
            assertNotNull(req, name + " requests " + r);
            assertNotNull(lim, name + " limits " + r);
            BigDecimal reqN = Quantity.getAmountInBytes(req);
            BigDecimal limN = Quantity.getAmountInBytes(lim);
            assertTrue(limN.compareTo(reqN) >= 0, name + ": " + r + " limit " + lim + " below request " + req);
        }

        // every TDLAB_* variable the service reads is set, by env or by a ConfigMap in the render
        Set<String> provided = new TreeSet<>();
        c.getEnv().forEach(e -> {
            provided.add(e.getName());
            if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                String secret = e.getValueFrom().getSecretKeyRef().getName();
                String cluster = ofKind(res, "Cluster").get(0).at("/metadata/name").asText();
                if (e.getName().equals("TDLAB_ADMIN_TOKEN") || e.getName().equals("TDLAB_SERVICE_TOKEN")) {
                    assertEquals("tdlab-auth", secret, name + ": " + e.getName() + " from the operator's Secret tdlab-auth");
                    return;
                }
                if (e.getName().equals("TDLAB_KAFKA_PASSWORD")) {
                    // the Secret Strimzi's User Operator writes for the service's KafkaUser (same name as the user)
                    one(res, "KafkaUser", secret);
                    return;
                }
                assertEquals(cluster + "-app", secret, name + ": " + e.getName() + " from the Secret CloudNativePG makes");
            }
        });
        c.getEnvFrom().forEach(ef -> {
            assertNotNull(ef.getConfigMapRef(), name + ": envFrom ConfigMap");
            one(res, "ConfigMap", ef.getConfigMapRef().getName()).path("data").fieldNames().forEachRemaining(provided::add);
        });
        for (String v : Repo.envVars(module)) {
            assertTrue(provided.contains(v), name + ": " + v + " (read by " + module + ") is not set; set: " + provided);
        }
    }

    static void probe(String name, String kind, Probe p, String path, Container c) {
        assertNotNull(p, name + ": " + kind + " probe");
        assertNotNull(p.getHttpGet(), name + ": " + kind + " probe is an HTTP GET");
        assertEquals(path, p.getHttpGet().getPath(), name + ": " + kind + " probe path");
        var port = p.getHttpGet().getPort();
        assertTrue(c.getPorts().stream().anyMatch(cp -> port.getStrVal() != null ? port.getStrVal().equals(cp.getName())
                : port.getIntVal().equals(cp.getContainerPort())), name + ": " + kind + " probe port " + port);
    }

    /** tdlab-config points at the Kafka bootstrap, the CNPG primary and the data-gen Service declared. */
    static void checkConfig(List<ObjectNode> res) {
        JsonNode cfg = one(res, "ConfigMap", "tdlab-config").path("data");
        String kafka = one(res, "Kafka", "tdlab").at("/metadata/name").asText();
        int port = one(res, "Kafka", "tdlab").at("/spec/kafka/listeners/0/port").asInt();
        assertEquals(kafka + "-kafka-bootstrap:" + port, cfg.path("TDLAB_KAFKA").asText());
        ObjectNode db = ofKind(res, "Cluster").get(0);
        URI jdbc = URI.create(cfg.path("TDLAB_JDBC_URL").asText().substring("jdbc:".length()));
        assertEquals(db.at("/metadata/name").asText() + "-rw", jdbc.getHost());
        assertEquals("/" + db.at("/spec/bootstrap/initdb/database").asText(), jdbc.getPath());
        URI dataGen = URI.create(cfg.path("TDLAB_DATAGEN_URL").asText());
        ObjectNode svc = one(res, "Service", dataGen.getHost());
        assertEquals(dataGen.getPort(), svc.at("/spec/ports/0/port").asInt());
        assertEquals("true", cfg.path("TDLAB_LOG_JSON").asText(), "JSON logs in the cluster");
        JsonNode dash = one(res, "ConfigMap", "tdlab-grafana-dashboard");
        assertEquals("1", dash.at("/metadata/labels/grafana_dashboard").asText());
        try {
            assertEquals("tdlab", new ObjectMapper().readTree(dash.at("/data/tdlab-dashboard.json").asText()).path("title").asText());
        } catch (Exception e) {
            throw new AssertionError("dashboard JSON", e);
        }
    }

    /** KRaft Kafka, and a KafkaTopic for every topic of contracts' Topics and its .dlq, fitting the brokers. */
    static void checkKafka(List<ObjectNode> res) {
        ObjectNode kafka = one(res, "Kafka", "tdlab");
        assertEquals("enabled", kafka.at("/metadata/annotations/strimzi.io~1kraft").asText());
        assertEquals("enabled", kafka.at("/metadata/annotations/strimzi.io~1node-pools").asText());
        int brokers = 0;
        boolean controller = false;
        for (ObjectNode pool : ofKind(res, "KafkaNodePool")) {
            assertEquals("tdlab", pool.at("/metadata/labels/strimzi.io~1cluster").asText());
            Set<String> roles = new HashSet<>();
            pool.at("/spec/roles").forEach(r -> roles.add(r.asText()));
            if (roles.contains("broker")) {
                brokers += pool.at("/spec/replicas").asInt();
            }
            controller |= roles.contains("controller");
        }
        assertTrue(controller && brokers > 0, "KRaft controllers and brokers");
        JsonNode config = kafka.at("/spec/kafka/config");
        for (String rf : List.of("offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                "default.replication.factor")) {
            assertTrue(config.path(rf).asInt() <= brokers, rf + " > " + brokers + " brokers");
        }
        assertFalse(config.path("auto.create.topics.enable").asBoolean(true), "topics are declared, not auto-created");

        Set<String> expected = new TreeSet<>();
        for (String t : Topics.ALL) {
            expected.add(t);
            expected.add(Topics.dlq(t));
        }
        Set<String> declared = new TreeSet<>();
        for (ObjectNode t : ofKind(res, "KafkaTopic")) {
            String topic = t.at("/spec/topicName").asText(t.at("/metadata/name").asText());
            declared.add(topic);
            assertEquals("tdlab", t.at("/metadata/labels/strimzi.io~1cluster").asText(), topic);
            int replicas = t.at("/spec/replicas").asInt();
            assertTrue(replicas >= 1 && replicas <= brokers, topic + ": " + replicas + " replicas on " + brokers + " brokers");
            assertTrue(t.at("/spec/config/min.insync.replicas").asInt(1) <= replicas, topic + ": min ISR > replicas");
            assertTrue(t.at("/spec/partitions").asInt() >= 1, topic);
            assertEquals(topic.endsWith(Topics.DLQ_SUFFIX) ? "dlq" : "main", t.at("/metadata/labels/tdlab.dev~1topic-kind").asText());
        }
        assertEquals(expected, declared, "KafkaTopics = contracts' Topics and their dead-letter topics");
    }

    static int gpus(Deployment d) {
        int n = 0;
        for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
            for (Map<String, Quantity> m : new ArrayList<>(List.of(
                    c.getResources().getLimits() == null ? Map.<String, Quantity>of() : c.getResources().getLimits(),
                    c.getResources().getRequests() == null ? Map.<String, Quantity>of() : c.getResources().getRequests()))) {
                if (m.containsKey(GPU)) {
                    n = Math.max(n, Quantity.getAmountInBytes(m.get(GPU)).intValue());
                }
            }
        }
        return n;
    }

    static int partitions(List<ObjectNode> res, String topic) {
        return ofKind(res, "KafkaTopic").stream().filter(t -> topic.equals(t.at("/spec/topicName").asText()))
                .findFirst().orElseThrow().at("/spec/partitions").asInt();
    }

    @Test
    void gpuOverlayPutsTheTrainerAloneOnGpus() {
        List<ObjectNode> gpu = render("k8s/overlays/gpu");
        List<ObjectNode> local = render("k8s/overlays/local");
        for (ObjectNode d : ofKind(gpu, "Deployment")) {
            Deployment dep = typed(d, Deployment.class);
            String name = dep.getMetadata().getName();
            if ("trainer".equals(name)) {
                Container c = dep.getSpec().getTemplate().getSpec().getContainers().get(0);
                assertTrue(c.getResources().getLimits().containsKey(GPU), "trainer limits nvidia.com/gpu");
                assertTrue(gpus(dep) >= 1);
                assertTrue(c.getImage().endsWith("-cuda") || c.getImage().contains("cuda"), "CUDA image: " + c.getImage());
                var spec = dep.getSpec().getTemplate().getSpec();
                assertTrue(spec.getNodeSelector() != null && spec.getNodeSelector().keySet().stream().anyMatch(k -> k.startsWith("nvidia.com/")),
                        "trainer on GPU nodes (node selector)");
                assertTrue(spec.getTolerations().stream().anyMatch(t -> GPU.equals(t.getKey())), "tolerates the GPU taint");
            } else {
                assertEquals(0, gpus(dep), name + " must not request GPUs");
                assertTrue(dep.getSpec().getReplicas() > 1, name + ": more replicas on the GPU cluster");
            }
        }
        for (ObjectNode d : ofKind(local, "Deployment")) {
            assertEquals(0, gpus(typed(d, Deployment.class)), "local overlay: no GPUs");
            assertEquals(1, d.at("/spec/replicas").asInt(), "local overlay: one replica");
        }
        for (String t : Topics.ALL) {
            assertTrue(partitions(gpu, t) > partitions(local, t), t + ": more partitions on the GPU cluster");
        }
    }

    @Test
    void kedaScalesTheTrainerOnItsBacklog() {
        List<ObjectNode> gpu = render("k8s/overlays/gpu");
        ObjectNode so = one(gpu, "ScaledObject", "trainer");
        assertEquals("trainer", so.at("/spec/scaleTargetRef/name").asText());
        assertTrue(so.at("/spec/maxReplicaCount").asInt() > so.at("/spec/minReplicaCount").asInt());
        var props = Repo.properties("trainer-service");
        JsonNode kafka = null;
        JsonNode pg = null;
        for (JsonNode t : so.at("/spec/triggers")) {
            if ("kafka".equals(t.path("type").asText())) {
                kafka = t;
            } else if ("postgresql".equals(t.path("type").asText())) {
                pg = t;
            }
        }
        assertNotNull(kafka, "a kafka trigger (consumer lag)");
        assertEquals(props.getProperty("mp.messaging.incoming.datasets-ready.topic"), kafka.at("/metadata/topic").asText());
        assertEquals(props.getProperty("mp.messaging.connector.smallrye-kafka.group.id"), kafka.at("/metadata/consumerGroup").asText());
        assertTrue(kafka.at("/metadata/bootstrapServers").asText().startsWith("tdlab-kafka-bootstrap." + NS + ".svc"));
        assertEquals("true", kafka.at("/metadata/allowIdleConsumers").asText(),
                "trainers beyond the partition count still claim runs from the queue");
        assertNotNull(pg, "a postgresql trigger (the run queue)");
        String migration = Repo.read(Repo.path("trainer-service/src/main/resources/db/migration/V1__runs.sql"));
        String query = pg.at("/metadata/query").asText();
        assertTrue(query.contains("trainer.runs") && migration.contains("CREATE TABLE runs"), query);
        for (String state : List.of("QUEUED", "RUNNING")) {
            assertTrue(query.contains("'" + state + "'") && migration.contains("'" + state + "'"), state);
        }
        assertTrue(pg.at("/metadata/host").asText().startsWith("tdlab-db-rw." + NS + ".svc"));
        one(gpu, "TriggerAuthentication", pg.at("/authenticationRef/name").asText());
        // target per replica = the workers of one trainer pod
        Deployment trainer = typed(one(gpu, "Deployment", "trainer"), Deployment.class);
        String workers = trainer.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> "TDLAB_TRAINER_WORKERS".equals(e.getName())).findFirst().orElseThrow().getValue();
        assertEquals(workers, pg.at("/metadata/targetQueryValue").asText());
    }
}
