package dev.tdlab.analysis.rest;

import dev.tdlab.analysis.problem.ProblemException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tdlab.contracts.spec.ExperimentSpec;
import dev.tdlab.contracts.spec.SpecValidator;
import dev.tdlab.contracts.spec.SweepExpander;
import dev.tdlab.contracts.spec.TrainSpec;
import dev.tdlab.contracts.spec.Violation;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads an experiment spec from JSON or YAML and names every bad field: unknown fields and wrong
 * types (found by walking the document against the spec records), then the rules of
 * {@link SpecValidator}. YAML is read safely ({@link SafeYaml}: plain data only, few aliases, bounded depth and
 * size); JSON with the same depth cap, strict duplicate keys and bounded numbers.
 */
public final class SpecParser {

    /**
     * A record's components by name, in declaration order, read once per type: {@link Class#getRecordComponents()}
     * builds new objects and parses their generic signatures on every call (it was most of a spec's parse time).
     */
    private static final ClassValue<Map<String, RecordComponent>> COMPONENTS = new ClassValue<>() {
        @Override
        protected Map<String, RecordComponent> computeValue(Class<?> type) {
            Map<String, RecordComponent> byName = new LinkedHashMap<>();
            for (RecordComponent rc : type.getRecordComponents()) {
                rc.getGenericType(); // parsed now, kept by the component
                byName.put(rc.getName(), rc);
            }
            return Collections.unmodifiableMap(byName);
        }
    };

    /** The element type of a sweep axis over a list-valued field. */
    private static final Type LIST_OF_STRINGS = listOfStrings();


    /** Nesting of JSON objects and arrays (a spec needs 6; YAML has the same cap in {@link SafeYaml}). */
    public static final int MAX_JSON_DEPTH = SafeYaml.MAX_DEPTH;
    /** Digits of one JSON number. */
    public static final int MAX_NUMBER_LENGTH = 100;

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_JSON_DEPTH).maxNumberLength(MAX_NUMBER_LENGTH).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS) // "{...} }" or two documents: refused, as in YAML
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private SpecParser() {
    }

    public record Parsed(ExperimentSpec spec, JsonNode tree) {
    }

    /** Parses and validates; throws a 400 problem naming every bad field. */
    public static Parsed parse(String body, boolean yaml) {
        if (body == null || body.isBlank()) {
            throw ProblemException.badSpec(List.of(new Violation("", "the body is empty; send an experiment spec")));
        }
        return parseTree(readTree(body, yaml));
    }

    /** The document as a tree (any JSON value), or a 400 naming the syntax error. */
    public static JsonNode readTree(String body, boolean yaml) {
        try {
            JsonNode tree = yaml ? SafeYaml.read(body) : JSON.readTree(body);
            if (!yaml && tree != null && values(tree, SafeYaml.MAX_VALUES + 1) > SafeYaml.MAX_VALUES) {
                throw new SafeYaml.Refused("the document has more than " + SafeYaml.MAX_VALUES + " values");
            }
            return tree;
        } catch (Exception e) {
            throw ProblemException.badSpec(List.of(new Violation("", "not valid " + (yaml ? "YAML" : "JSON") + ": "
                    + syntaxMessage(e))));
        }
    }

    /** Reads a YAML resource shipped with the service (templates), with the same safe loader as requests. */
    public static JsonNode readYamlResource(InputStream in) throws IOException {
        return SafeYaml.read(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }

    /** SnakeYAML's problem and where (its first line is only the context), or the first line of anything else. */
    private static String syntaxMessage(Exception e) {
        if (e instanceof MarkedYAMLException m && m.getProblem() != null) {
            Mark at = m.getProblemMark();
            return (m.getContext() == null ? "" : m.getContext() + ": ") + m.getProblem()
                    + (at == null ? "" : " (line " + (at.getLine() + 1) + ", column " + (at.getColumn() + 1) + ")");
        }
        String msg = firstLine(e.getMessage());
        return msg.isBlank() ? e.getClass().getSimpleName() : msg;
    }

    /** Values (scalars, objects and arrays) in a tree, counted up to {@code stop}. */
    static int values(JsonNode node, int stop) {
        int n = 1;
        for (JsonNode child : node) {
            if (n >= stop) {
                return n;
            }
            n += values(child, stop - n);
        }
        return n;
    }

    /** Validates a spec given as a tree; throws a 400 problem naming every bad field. */
    public static Parsed parseTree(JsonNode tree) {
        if (tree == null || !tree.isObject()) {
            throw ProblemException.badSpec(List.of(new Violation("", "the body must be an object")));
        }
        List<Violation> out = new ArrayList<>();
        walk(tree, ExperimentSpec.class, "", out);
        if (!out.isEmpty()) {
            throw ProblemException.badSpec(out);
        }
        ExperimentSpec spec;
        try {
            spec = JSON.treeToValue(tree, ExperimentSpec.class);
        } catch (Exception e) {
            throw ProblemException.badSpec(List.of(new Violation("", firstLine(e.getMessage()))));
        }
        out.addAll(SpecValidator.validate(spec));
        if (!out.isEmpty()) {
            throw ProblemException.badSpec(out);
        }
        return new Parsed(spec, JSON.valueToTree(spec));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Checks a JSON node against a Java type of the spec, naming each mismatch by its path. */
    private static void walk(JsonNode node, Type type, String path, List<Violation> out) {
        if (node == null || node.isNull()) {
            return;
        }
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        if (raw.isRecord()) {
            if (!node.isObject()) {
                out.add(new Violation(path, "must be an object"));
                return;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                RecordComponent rc = component(raw, f.getKey());
                String sub = path.isEmpty() ? f.getKey() : path + "." + f.getKey();
                if (rc == null) {
                    out.add(new Violation(sub, "unknown field; known: " + names(raw)));
                } else {
                    walk(f.getValue(), rc.getGenericType(), sub, out);
                }
            }
        } else if (raw == String.class) {
            if (!node.isTextual()) {
                out.add(new Violation(path, "must be a string"));
            }
        } else if (raw == Integer.class || raw == Long.class || raw == int.class || raw == long.class) {
            if (!node.isIntegralNumber() && !(node.isNumber() && node.asDouble() == Math.rint(node.asDouble()))) {
                out.add(new Violation(path, "must be an integer"));
            } else if ((raw == Integer.class || raw == int.class) && !node.canConvertToInt()) {
                out.add(new Violation(path, "is out of range"));
            } else if (!node.canConvertToLong()) {
                out.add(new Violation(path, "is out of range"));
            }
        } else if (raw == Double.class || raw == double.class) {
            if (!node.isNumber()) {
                out.add(new Violation(path, "must be a number"));
            }
        } else if (raw == Boolean.class || raw == boolean.class) {
            if (!node.isBoolean()) {
                out.add(new Violation(path, "must be true or false"));
            }
        } else if (List.class.isAssignableFrom(raw)) {
            if (!node.isArray()) {
                out.add(new Violation(path, "must be a list"));
                return;
            }
            Type elem = type instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), elem, path + "[" + i + "]", out);
            }
        } else if (Map.class.isAssignableFrom(raw)) {
            if (!node.isObject()) {
                out.add(new Violation(path, "must be an object"));
                return;
            }
            Type val = type instanceof ParameterizedType p ? p.getActualTypeArguments()[1] : Object.class;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (path.equals("sweep") && SweepExpander.fieldType(f.getKey()) == List.class && f.getValue().isArray()) {
                    // an axis over a list-valued field (train.trainable): each value is a list of strings
                    for (int i = 0; i < f.getValue().size(); i++) {
                        walk(f.getValue().get(i), LIST_OF_STRINGS, path + "." + f.getKey() + "[" + i + "]", out);
                    }
                    continue;
                }
                walk(f.getValue(), val, path + "." + f.getKey(), out);
            }
        } else if (raw == Object.class) {
            if (!node.isValueNode()) {
                out.add(new Violation(path, "must be a number, string or boolean"));
            }
        }
    }

    private static Type listOfStrings() {
        RecordComponent trainable = component(TrainSpec.class, "trainable"); // List<String>
        return trainable.getGenericType();
    }

    private static RecordComponent component(Class<?> type, String name) {
        return COMPONENTS.get(type).get(name);
    }

    private static List<String> names(Class<?> type) {
        return new ArrayList<>(COMPONENTS.get(type).keySet());
    }
}
