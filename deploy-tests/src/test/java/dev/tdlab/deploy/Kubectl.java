package dev.tdlab.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real kustomize: {@code kubectl kustomize DIR} (kubectl's built-in kustomize), parsed into Jackson trees. The
 * binary is the one {@code scripts/ensure-deploy-tools.sh} puts in {@code target/tools/kubectl} before the tests
 * (system property {@code tdlab.kubectl}, set by the pom): kubectl from PATH when recent enough, else a pinned
 * kubectl from npm.
 */
final class Kubectl {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Kubectl() {
    }

    static Path binary() {
        Path p = Path.of(System.getProperty("tdlab.kubectl", "target/tools/kubectl"));
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException(p + " is missing: deploy-tests' generate-test-resources step"
                    + " (scripts/ensure-deploy-tools.sh target/tools) installs it; run the module's build, not the test alone");
        }
        return p;
    }

    /** {@code kubectl kustomize dir}: every rendered resource, in kubectl's order. */
    static List<ObjectNode> kustomize(Path dir) {
        try {
            Process p = new ProcessBuilder(binary().toString(), "kustomize", dir.toString()).start();
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + dir + " hung");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " failed: " + err);
            }
            List<ObjectNode> res = new ArrayList<>();
            for (JsonNode n : readAll(new String(out, StandardCharsets.UTF_8))) {
                res.add((ObjectNode) n);
            }
            return res;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every document of a multi-document YAML text. */
    static List<JsonNode> readAll(String text) {
        List<JsonNode> out = new ArrayList<>();
        try (JsonParser p = YAML.getFactory().createParser(text);
             MappingIterator<JsonNode> it = YAML.readValues(p, JsonNode.class)) {
            while (it.hasNextValue()) {
                JsonNode n = it.nextValue();
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    out.add(n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** group/Kind/namespace/name. */
    static String id(JsonNode r) {
        return group(r) + "/" + r.path("kind").asText() + "/" + r.path("metadata").path("namespace").asText("")
                + "/" + r.path("metadata").path("name").asText();
    }

    /** The API group of a resource ("" for the core group). */
    static String group(JsonNode r) {
        String av = r.path("apiVersion").asText();
        int slash = av.indexOf('/');
        return slash < 0 ? "" : av.substring(0, slash);
    }
}
