package dev.tdlab.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.util.List;

/**
 * {@code --set key=value}: a dotted path into the spec and a value. The value is read as JSON when it is
 * JSON ({@code 0.005}, {@code 1e-3}, {@code true}, {@code [0,1,2]}, {@code {"scheme":"gaussian"}}), else as a
 * YAML flow value ({@code [adam, sgd]}, {@code {scheme: gaussian}}), else as a string ({@code adam}). Under
 * {@code sweep} the rest of the path is one key, since sweep axes are dotted names:
 * {@code sweep.data.p=[0.1,0.9]} sets {@code sweep: {"data.p": [0.1, 0.9]}}.
 */
final class Overrides {

    static final ObjectMapper YAML = new YAMLMapper();

    private Overrides() {
    }

    /** Applies every {@code key=value} to {@code root} (created when null); a bad one is an IllegalArgumentException. */
    static ObjectNode apply(ObjectNode root, List<String> sets) {
        ObjectNode out = root == null ? Api.JSON.createObjectNode() : root;
        for (String s : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set " + s + ": expected key=value, e.g. train.steps=100");
            }
            set(out, s.substring(0, eq).trim(), value(s.substring(eq + 1)));
        }
        return out;
    }

    static void set(ObjectNode root, String path, JsonNode value) {
        String[] parts;
        if (path.startsWith("sweep.") && path.length() > "sweep.".length()) {
            parts = new String[]{"sweep", path.substring("sweep.".length())};
        } else {
            parts = path.split("\\.", -1);
        }
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            if (parts[i].isEmpty()) {
                throw new IllegalArgumentException("--set " + path + ": empty name in the path");
            }
            JsonNode child = node.get(parts[i]);
            if (!(child instanceof ObjectNode)) {
                child = node.putObject(parts[i]);
            }
            node = (ObjectNode) child;
        }
        String last = parts[parts.length - 1];
        if (last.isEmpty()) {
            throw new IllegalArgumentException("--set " + path + ": empty name in the path");
        }
        node.set(last, value);
    }

    static JsonNode value(String raw) {
        String v = raw.strip();
        if (v.isEmpty()) {
            return TextNode.valueOf("");
        }
        try {
            return Api.JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(v);
        } catch (IOException notJson) {
            try {
                JsonNode y = YAML.readTree(v);
                if (y != null && (y.isContainerNode() || y.isNumber() || y.isBoolean())) {
                    return y;
                }
            } catch (IOException notYaml) {
                // a plain string
            }
            return TextNode.valueOf(v);
        }
    }

    /** A spec file (YAML or JSON) as a tree. */
    static ObjectNode read(String text) {
        try {
            JsonNode n = YAML.readTree(text);
            if (!(n instanceof ObjectNode o)) {
                throw new IllegalArgumentException("the spec is not a mapping (YAML) or object (JSON)");
            }
            return o;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the spec: " + e.getMessage(), e);
        }
    }
}
