package dev.tdlab.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Where {@code kubectl} is installed (it is on these build machines, not necessarily elsewhere), its
 * kustomize must render every kustomization exactly as {@link Kustomize} does: the real tool vouches
 * for the Java renderer that the other tests rely on. Skipped without kubectl.
 */
class KubectlCrossCheckTest {

    static boolean kubectl() {
        try {
            Process p = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"k8s/base", "k8s/overlays/local", "k8s/overlays/gpu"})
    void kubectlKustomizeRendersTheSame(String dir) throws Exception {
        Assumptions.assumeTrue(kubectl(), "kubectl is not installed: cross-check skipped");
        Process p = new ProcessBuilder("kubectl", "kustomize", Repo.path(dir).toString()).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(p.waitFor(120, TimeUnit.SECONDS), "kubectl kustomize hung");
        assertEquals(0, p.exitValue(), "kubectl kustomize " + dir + ": " + err);
        Map<String, JsonNode> real = byId(Kustomize.readAll(new String(out, StandardCharsets.UTF_8)));
        // through YAML text, as kubectl's output was, so scalars are typed the same way
        Map<String, JsonNode> ours = byId(Kustomize.readAll(Kustomize.toYaml(Kustomize.render(Repo.path(dir)))));
        assertEquals(real.keySet(), ours.keySet(), dir + ": the same resources");
        for (String id : real.keySet()) {
            assertEquals(Kustomize.YAML.writeValueAsString(real.get(id)), Kustomize.YAML.writeValueAsString(ours.get(id)),
                    dir + ": " + id);
        }
    }

    private static Map<String, JsonNode> byId(List<JsonNode> docs) {
        Map<String, JsonNode> m = new TreeMap<>();
        for (JsonNode d : docs) {
            m.put(Kustomize.id(d), normalize(d));
        }
        return m;
    }

    /** Keys sorted; lists of named items sorted by name (their order carries no meaning here). */
    static JsonNode normalize(JsonNode n) {
        if (n.isObject()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            List<String> keys = new ArrayList<>();
            n.fieldNames().forEachRemaining(keys::add);
            keys.sort(Comparator.naturalOrder());
            for (String k : keys) {
                o.set(k, normalize(n.get(k)));
            }
            return o;
        }
        if (n.isArray()) {
            List<JsonNode> items = new ArrayList<>();
            n.forEach(x -> items.add(normalize(x)));
            if (!items.isEmpty() && items.stream().allMatch(x -> x.isObject() && x.has("name"))) {
                items.sort(Comparator.comparing(x -> x.get("name").asText()));
            }
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            items.forEach(a::add);
            return a;
        }
        return n;
    }
}
