package dev.tdlab.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java kustomize on small fixtures, against what kubectl kustomize gives for them. */
class KustomizeTest {

    @TempDir
    Path dir;

    static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              labels: {app: web}
            spec:
              replicas: 1
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  tolerations: [{key: a, operator: Exists}]
                  containers:
                    - name: web
                      image: example/web:1.0
                      env:
                        - {name: A, value: "1"}
                        - {name: B, value: "2"}
                      resources: {limits: {cpu: "1"}}
                    - name: sidecar
                      image: example/side
            """;

    private void write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private static JsonNode find(List<ObjectNode> res, String kind, String name) {
        return res.stream().filter(r -> r.path("kind").asText().equals(kind)
                && r.path("metadata").path("name").asText().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void baseAndOverlayWithStrategicMergeNamespaceLabelsImagesReplicas() throws IOException {
        write("base/web.yaml", DEPLOYMENT);
        write("base/kustomization.yaml", """
                resources: [web.yaml]
                namespace: lab
                labels:
                  - pairs: {part-of: demo}
                """);
        write("overlay/patch.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  template:
                    spec:
                      tolerations: [{key: gpu, operator: Exists}]
                      containers:
                        - name: web
                          env:
                            - {name: B, value: "20"}
                            - {name: C, value: "3"}
                          resources: {limits: {nvidia.com/gpu: "1"}}
                """);
        write("overlay/kustomization.yaml", """
                resources: [../base]
                patches: [{path: patch.yaml}]
                replicas: [{name: web, count: 3}]
                images:
                  - {name: example/web, newName: registry.example.com/web, newTag: "2.0"}
                  - {name: example/side, newTag: v9}
                """);
        List<ObjectNode> res = Kustomize.render(dir.resolve("overlay"));
        JsonNode d = find(res, "Deployment", "web");
        assertEquals("lab", d.at("/metadata/namespace").asText());
        assertEquals("demo", d.at("/metadata/labels/part-of").asText());
        assertFalse(d.at("/spec/selector/matchLabels").has("part-of"), "labels without selectors");
        assertEquals(3, d.at("/spec/replicas").asInt());
        JsonNode web = d.at("/spec/template/spec/containers/0");
        assertEquals("registry.example.com/web:2.0", web.path("image").asText());
        assertEquals("example/side:v9", d.at("/spec/template/spec/containers/1/image").asText());
        // env merged by name, patch items first (kustomize's order), then the rest
        assertEquals("B=20 C=3 A=1", env(web));
        assertEquals("1", web.at("/resources/limits/cpu").asText());
        assertEquals("1", web.at("/resources/limits/nvidia.com~1gpu").asText());
        // tolerations have no merge key: replaced
        assertEquals(1, d.at("/spec/template/spec/tolerations").size());
        assertEquals("gpu", d.at("/spec/template/spec/tolerations/0/key").asText());
    }

    private static String env(JsonNode container) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode e : container.path("env")) {
            sb.append(sb.isEmpty() ? "" : " ").append(e.path("name").asText()).append('=').append(e.path("value").asText());
        }
        return sb.toString();
    }

    @Test
    void json6902WithLabelSelectorAndMergePatchOnCustomResources() throws IOException {
        write("topics.yaml", """
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaTopic
                metadata: {name: a, labels: {kind: main}}
                spec: {partitions: 1, config: {x: "1", y: "2"}, list: [1, 2]}
                ---
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaTopic
                metadata: {name: a.dlq, labels: {kind: dlq}}
                spec: {partitions: 1}
                """);
        write("cr-patch.yaml", """
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaTopic
                metadata: {name: a}
                spec: {config: {y: null, z: "3"}, list: [9]}
                """);
        write("kustomization.yaml", """
                resources: [topics.yaml]
                patches:
                  - target: {kind: KafkaTopic, labelSelector: kind=main}
                    patch: |-
                      - op: replace
                        path: /spec/partitions
                        value: 12
                  - path: cr-patch.yaml
                """);
        List<ObjectNode> res = Kustomize.render(dir);
        JsonNode a = find(res, "KafkaTopic", "a");
        assertEquals(12, a.at("/spec/partitions").asInt());
        assertEquals(1, find(res, "KafkaTopic", "a.dlq").at("/spec/partitions").asInt());
        assertEquals("1", a.at("/spec/config/x").asText());
        assertTrue(a.at("/spec/config/y").isMissingNode(), "null deletes");
        assertEquals("3", a.at("/spec/config/z").asText());
        assertEquals(1, a.at("/spec/list").size(), "lists of custom resources are replaced");
    }

    @Test
    void configMapGeneratorWithoutHash() throws IOException {
        write("files/dash.json", "{\"a\": 1}\n");
        write("kustomization.yaml", """
                configMapGenerator:
                  - name: dash
                    files: [d.json=files/dash.json]
                    literals: [K=V]
                    options: {disableNameSuffixHash: true, labels: {grafana_dashboard: "1"}}
                """);
        JsonNode cm = find(Kustomize.render(dir), "ConfigMap", "dash");
        assertEquals("{\"a\": 1}\n", cm.at("/data/d.json").asText());
        assertEquals("V", cm.at("/data/K").asText());
        assertEquals("1", cm.at("/metadata/labels/grafana_dashboard").asText());
    }

    @Test
    void refusesWhatItDoesNotImplement() throws IOException {
        write("web.yaml", DEPLOYMENT);
        write("kustomization.yaml", "resources: [web.yaml]\ncommonLabels: {a: b}\n");
        assertThrows(UnsupportedOperationException.class, () -> Kustomize.render(dir));
        write("kustomization.yaml", "configMapGenerator: [{name: x, literals: [a=b]}]\n");
        assertThrows(UnsupportedOperationException.class, () -> Kustomize.render(dir));
        write("kustomization.yaml", """
                resources: [web.yaml]
                patches: [{target: {kind: Service}, patch: "- {op: remove, path: /spec}"}]
                """);
        assertThrows(IllegalArgumentException.class, () -> Kustomize.render(dir), "a patch matching nothing is an error");
        write("kustomization.yaml", "resources: [web.yaml, web.yaml]\n");
        assertThrows(IllegalArgumentException.class, () -> Kustomize.render(dir), "duplicates");
    }

    @Test
    void imageNamesWithRegistryPortsAndDigests() {
        JsonNode img = Kustomize.readAll("{name: reg:5000/x, newTag: t}").get(0);
        assertEquals("reg:5000/x:t", Kustomize.retag("reg:5000/x", img));
        assertEquals("reg:5000/x:t", Kustomize.retag("reg:5000/x:old", img));
        assertEquals("reg:5000/y:old", Kustomize.retag("reg:5000/y:old", img));
        JsonNode dig = Kustomize.readAll("{name: x, digest: 'sha256:ab'}").get(0);
        assertEquals("x@sha256:ab", Kustomize.retag("x:1", dig));
    }
}
