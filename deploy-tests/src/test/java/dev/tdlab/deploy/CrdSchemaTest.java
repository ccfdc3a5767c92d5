package dev.tdlab.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every custom resource the overlays render (Strimzi, CloudNativePG, KEDA, Prometheus Operator) validates against its
 * operator's CRD OpenAPI schema — validators compiled from the published CRDs by {@code @kubernetes-models/*} (npm,
 * pinned in {@code src/test/crd-schemas/package-lock.json}), run by node ({@code validate.mjs}) — and uses the API
 * version the operators serve today: Strimzi {@code kafka.strimzi.io/v1} (v1beta2 is gone since Strimzi 1.0),
 * CloudNativePG {@code postgresql.cnpg.io/v1}, KEDA {@code keda.sh/v1alpha1}. The CNPG image is pinned to an exact
 * PostgreSQL minor of the major devstack runs.
 */
class CrdSchemaTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The API versions the target operators serve, per group. */
    static final Map<String, String> CURRENT = Map.of(
            "kafka.strimzi.io", "kafka.strimzi.io/v1",
            "postgresql.cnpg.io", "postgresql.cnpg.io/v1",
            "keda.sh", "keda.sh/v1alpha1",
            "monitoring.coreos.com", "monitoring.coreos.com/v1");

    static boolean custom(JsonNode r) {
        String g = Kubectl.group(r);
        return g.contains(".") && !g.endsWith(".k8s.io");
    }

    /** Runs validate.mjs on the resources: one result per resource ({id, apiVersion, schema, errors}). */
    static List<JsonNode> validate(List<? extends JsonNode> resources) {
        Path script = Path.of(System.getProperty("tdlab.crdSchemas", "target/tools/crd-schemas")).resolve("validate.mjs");
        if (!Files.exists(script)) {
            throw new IllegalStateException(script + " is missing: deploy-tests' generate-test-resources step"
                    + " (scripts/ensure-deploy-tools.sh target/tools) installs it");
        }
        try {
            ArrayNode in = JSON.createArrayNode();
            resources.forEach(in::add);
            Process p = new ProcessBuilder("node", script.toString()).start();
            try (OutputStream os = p.getOutputStream()) {
                os.write(JSON.writeValueAsBytes(in));
            }
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "validate.mjs hung");
            assertEquals(0, p.exitValue(), "validate.mjs: " + err);
            List<JsonNode> results = new ArrayList<>();
            JSON.readTree(out).forEach(results::add);
            assertEquals(resources.size(), results.size());
            return results;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"k8s/base", "k8s/overlays/local", "k8s/overlays/gpu"})
    void customResourcesMatchTheirCrdSchemasOnTodaysApis(String dir) {
        List<ObjectNode> crs = Kubectl.kustomize(Repo.path(dir)).stream().filter(CrdSchemaTest::custom).toList();
        assertTrue(crs.size() > 10, dir + ": " + crs.size() + " custom resources");
        List<String> problems = new ArrayList<>();
        for (JsonNode r : validate(crs)) {
            if (r.path("schema").isNull()) {
                problems.add(r.path("id").asText() + ": no schema for " + r.path("apiVersion").asText());
            }
            r.path("errors").forEach(e -> problems.add(r.path("id").asText() + ": " + e.asText()));
        }
        for (ObjectNode r : crs) {
            String current = CURRENT.get(Kubectl.group(r));
            if (!r.path("apiVersion").asText().equals(current)) {
                problems.add(Kubectl.id(r) + ": apiVersion " + r.path("apiVersion").asText() + ", served today: " + current);
            }
        }
        assertEquals(List.of(), problems, dir);
    }

    /** The validator does fail: wrong types, values outside an enum, missing required fields, unknown API versions. */
    @Test
    void theSchemasRefuseBrokenResources() {
        List<JsonNode> bad = Kubectl.readAll("""
                apiVersion: kafka.strimzi.io/v1
                kind: Kafka
                metadata: {name: a}
                spec: {kafka: {listeners: [{name: plain, port: 9092, type: internall, tls: "no"}]}}
                ---
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaTopic
                metadata: {name: b}
                spec: {partitions: six}
                ---
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata: {name: c}
                spec: {triggers: [{metadata: {}}]}
                ---
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: d}
                spec: {instances: many}
                ---
                apiVersion: kafka.strimzi.io/v1beta9
                kind: Kafka
                metadata: {name: e}
                """);
        List<JsonNode> results = validate(bad);
        for (JsonNode r : results) {
            assertFalse(r.path("errors").isEmpty(), r.toString());
        }
        assertTrue(results.get(0).path("errors").toString().contains("/spec/kafka/listeners/0/type"), results.get(0).toString());
        assertTrue(results.get(2).path("errors").toString().contains("scaleTargetRef"), results.get(2).toString());
        assertTrue(results.get(4).path("schema").isNull());
    }

    /** CNPG's image: an exact PostgreSQL minor (optionally a digest), of the major devstack runs (zonky's binaries). */
    @ParameterizedTest
    @ValueSource(strings = {"k8s/base", "k8s/overlays/local", "k8s/overlays/gpu"})
    void postgresImageIsPinnedToAnExactVersion(String dir) {
        JsonNode cluster = Kubectl.kustomize(Repo.path(dir)).stream()
                .filter(r -> "Cluster".equals(r.path("kind").asText())).findFirst().orElseThrow();
        String image = cluster.at("/spec/imageName").asText();
        Matcher m = Pattern.compile("ghcr\\.io/cloudnative-pg/postgresql:(\\d+)\\.(\\d+)-(standard|minimal|system)-(bookworm|trixie)"
                + "(@sha256:[0-9a-f]{64})?").matcher(image);
        assertTrue(m.matches(), "not an exact version tag: " + image);
        Matcher zonky = Pattern.compile("<zonky\\.binaries\\.version>(\\d+)\\.").matcher(Repo.read(Repo.path("pom.xml")));
        assertTrue(zonky.find());
        assertEquals(zonky.group(1), m.group(1), "the PostgreSQL major of devstack (zonky) and of the cluster");
    }
}
