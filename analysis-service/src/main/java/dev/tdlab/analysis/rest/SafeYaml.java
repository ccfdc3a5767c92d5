package dev.tdlab.analysis.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;
import java.util.Date;
import java.util.Set;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * YAML read safely into a JSON tree. SnakeYAML's {@link SafeConstructor} builds plain maps, lists and scalars only: a
 * tag naming a Java type ({@code !!java.net.URL}) or any local tag ({@code !foo}) is refused, never instantiated. The
 * loader also caps aliases to collections (billion laughs), nesting depth and code points, refuses duplicate keys and
 * recursive keys, and reads exactly one document. After loading, the tree is copied with a cap on the values it
 * expands to (aliases are shared references: a few can still multiply the document) and refused if it refers to
 * itself (an alias inside its own anchor), has non-string keys, non-finite numbers, timestamps, binary or sets.
 *
 * <p>Why not Jackson's YAML module (what this service used first): it reads SnakeYAML's event stream and silently
 * drops tags, turns an alias into the anchor's name as a string ({@code b: *x} → {@code "x"}) and ignores every
 * document after the first — a wrong spec would be accepted as a different one.
 */
final class SafeYaml {

    /** Aliases that refer to a map or list, per document. */
    public static final int MAX_ALIASES = 20;
    /** Nesting of maps and lists. */
    public static final int MAX_DEPTH = 20;
    /** Characters of one document (the body is capped by quarkus.http.limits.max-body-size before). */
    public static final int MAX_CODE_POINTS = 2_000_000;
    /** Values (scalars, maps and lists) the document may expand to after its aliases are resolved. */
    public static final int MAX_VALUES = 600_000;

    private SafeYaml() {
    }

    /** The thrown message names the problem; callers turn it into a 400. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    static LoaderOptions options() {
        LoaderOptions o = new LoaderOptions();
        o.setAllowDuplicateKeys(false);
        o.setMaxAliasesForCollections(MAX_ALIASES);
        o.setAllowRecursiveKeys(false);
        o.setNestingDepthLimit(MAX_DEPTH);
        o.setCodePointLimit(MAX_CODE_POINTS);
        o.setProcessComments(false);
        return o;
    }

    /** One YAML document as a JSON tree; {@link Refused} or SnakeYAML's exception (with its message) when it is not acceptable. */
    public static JsonNode read(String text) {
        LoaderOptions o = options();
        DumperOptions d = new DumperOptions();
        Yaml yaml = new Yaml(new SafeConstructor(o), new Representer(d), d, o);
        Object doc = yaml.load(text);
        return toTree(doc);
    }

    /** A loaded value as a JSON tree, counting values and refusing cycles and types JSON does not have. */
    static JsonNode toTree(Object doc) {
        int[] count = {0};
        return convert(doc, "", count, new IdentityHashMap<>());
    }

    private static JsonNode convert(Object v, String path, int[] count, IdentityHashMap<Object, Boolean> open) {
        if (++count[0] > MAX_VALUES) {
            throw new Refused("the document expands to more than " + MAX_VALUES + " values (aliases included)");
        }
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (v == null) {
            return f.nullNode();
        }
        if (v instanceof String s) {
            return f.textNode(s);
        }
        if (v instanceof Boolean b) {
            return f.booleanNode(b);
        }
        if (v instanceof Integer i) {
            return f.numberNode(i);
        }
        if (v instanceof Long l) {
            return f.numberNode(l);
        }
        if (v instanceof BigInteger b) {
            return f.numberNode(b);
        }
        if (v instanceof Double x) {
            if (!Double.isFinite(x)) {
                throw new Refused(at(path) + "non-finite numbers (.inf, .nan) are not accepted");
            }
            return f.numberNode(x);
        }
        if (v instanceof BigDecimal b) {
            return f.numberNode(b);
        }
        if (v instanceof Map<?, ?> || v instanceof List<?>) {
            if (open.put(v, Boolean.TRUE) != null) {
                throw new Refused(at(path) + "refers to itself (an alias inside its own anchor)");
            }
            try {
                if (v instanceof Map<?, ?> m) {
                    ObjectNode o = f.objectNode();
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        if (!(e.getKey() instanceof String key)) {
                            throw new Refused(at(path) + "keys must be strings, found " + describe(e.getKey()));
                        }
                        o.set(key, convert(e.getValue(), path.isEmpty() ? key : path + "." + key, count, open));
                    }
                    return o;
                }
                ArrayNode a = f.arrayNode();
                int i = 0;
                for (Object x : (List<?>) v) {
                    a.add(convert(x, path + "[" + i++ + "]", count, open));
                }
                return a;
            } finally {
                open.remove(v);
            }
        }
        throw new Refused(at(path) + describe(v) + " is not accepted: use maps, lists, strings, numbers, booleans and null "
                + "(quote a date to pass it as a string)");
    }

    private static String at(String path) {
        return path.isEmpty() ? "" : path + ": ";
    }

    private static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Date) {
            return "a YAML timestamp";
        }
        if (v instanceof byte[]) {
            return "YAML binary (!!binary)";
        }
        if (v instanceof Set<?>) {
            return "a YAML set (!!set)";
        }
        if (v instanceof Map<?, ?> || v instanceof List<?>) {
            return "a map or list";
        }
        return "a value of type " + v.getClass().getSimpleName();
    }
}
