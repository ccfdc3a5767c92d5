package dev.tdlab.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Generates malformed experiment specs, each from a seed (the same seed, the same case): a valid base spec made invalid
 * by at least one mutation that no valid spec has (an unknown field, a wrong type, a value out of range, an unknown
 * name, a missing section, a bad or oversized sweep, a quota breaker), written as JSON or YAML (block or flow), and
 * sometimes broken further in its syntax or loaded with YAML hazards (tags, alias bombs, recursion, extra documents,
 * timestamps, non-finite numbers, deep nesting), or replaced by garbage. Nothing here is a valid spec.
 *
 * <p>A copy of analysis-service's test class of the same name (SpecFuzzTest fuzzes in process with it); keep the two
 * equal.
 */
public final class MalformedSpecs {

    public record Case(long seed, String kind, String body, boolean yaml) {
    }

    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    static final String[] BASES = {
            """
            {"name": "fuzz-ref", "data": {"family": "markov", "order": 1, "vocab": 2, "p": 0.2, "q": 0.3, "seqLen": 64,
             "trainSequences": 256, "evalSequences": 64},
             "model": {"family": "single-layer", "dModel": 4, "heads": 1, "attention": "softmax", "mlp": true,
                       "tiedEmbedding": true, "init": {"scheme": "gaussian", "std": 0.02}},
             "train": {"optimizer": "adam", "lr": 0.005, "batch": 16, "steps": 100, "trainable": ["all"], "evalEvery": 50},
             "seeds": [0, 1, 2]}""",
            """
            {"name": "fuzz-sweep", "data": {"family": "markov", "order": 1, "vocab": 2, "p": 0.2, "q": 0.3, "seqLen": 64,
             "trainSequences": 256, "evalSequences": 64},
             "model": {"family": "makkuva-minimal", "dModel": 8, "heads": 1, "attention": "softmax", "mlp": true,
                       "tiedEmbedding": true, "init": {"scheme": "base", "std": 0.02}},
             "train": {"optimizer": "adamw", "lr": 0.002, "batch": 16, "steps": 300, "weightDecay": 0.001,
                       "schedule": "cosine", "warmup": 0.02, "evalEvery": 50},
             "seeds": [0, 1], "sweep": {"data.p": [0.2, 0.5, 0.8], "data.q": [0.2, 0.5, 0.8]}}""",
            """
            {"name": "fuzz-transition", "data": {"family": "markov", "order": 2, "vocab": 2,
             "transition": [[0.9, 0.1], [0.2, 0.8], [0.5, 0.5], [0.3, 0.7]], "seqLen": 32,
             "trainSequences": 128, "evalSequences": 32},
             "train": {"steps": 50, "evalEvery": 25}, "seeds": [7]}"""};

    static final String[] NUMERIC = {"data.p", "data.q", "data.seqLen", "data.trainSequences", "data.evalSequences",
            "model.dModel", "model.heads", "train.lr", "train.batch", "train.steps", "train.evalEvery"};
    static final String[] TEXT = {"name", "data.family", "model.family", "model.attention", "train.optimizer",
            "model.init.scheme"};
    static final String[] BOOL = {"model.mlp", "model.tiedEmbedding"};
    static final Object[][] OUT_OF_RANGE = {
            {"data.p", -0.1, 1.5, 1e308, -1e-300}, {"data.q", 2, -3.5}, {"data.seqLen", 0, 1, 5000, -3, 2147483647},
            {"data.trainSequences", 0, 2_000_000, -1}, {"data.evalSequences", 0, 200_000}, {"model.dModel", 0, 2000, -4},
            {"model.heads", 0, 3, 65, -1}, {"train.lr", 0, -1, 1000, -1e-320}, {"train.steps", 0, 2_000_000, -5},
            {"train.batch", 0, 5000}, {"train.evalEvery", 0, -2}, {"model.init.std", 0, -1, 11},
            {"data.order", 0, 17, 3}, {"data.vocab", 1, 300, 3}};
    static final Object[][] BAD_NAMES = {
            {"data.family", "nope", "", "MARKOV", "markov "}, {"model.family", "transformer", "deep-net"},
            {"model.attention", "relu", "Softmax"}, {"train.optimizer", "rmsprop", "adam2"},
            {"model.init.scheme", "zeros", "xavier2"}, {"train.schedule", "linear", "step"},
            {"model.parameterization", "ntk"}};

    private MalformedSpecs() {
    }

    /** The case of a seed. */
    public static Case of(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int roll = rnd.nextInt(100);
        if (roll < 4) {
            return new Case(seed, "garbage", garbage(rnd), rnd.nextBoolean());
        }
        if (roll < 8) {
            String[] notObjects = {"[]", "[1, 2]", "1", "\"spec\"", "null", "true", "- a\n- b\n", "just text", "{}"};
            return new Case(seed, "not-an-object", notObjects[rnd.nextInt(notObjects.length)], rnd.nextBoolean());
        }
        ObjectNode spec = base(rnd);
        List<String> kinds = new ArrayList<>();
        int mutations = 1 + rnd.nextInt(3);
        for (int i = 0; i < mutations; i++) {
            kinds.add(mutate(spec, rnd));
        }
        boolean yaml = rnd.nextBoolean();
        String body = yaml ? yaml(spec, rnd.nextBoolean()) : json(spec);
        String kind = kinds.get(0);
        int extra = rnd.nextInt(100);
        if (yaml && extra < 25) {
            body = yamlHazard(body, rnd);
            kind = "yaml-hazard";
        } else if (!yaml && extra < 20) {
            body = breakJson(body, rnd);
            kind = "json-syntax";
        } else if (extra < 25) {
            body = nest(yaml, rnd);
            kind = "deep-nesting";
        }
        return new Case(seed, kind, body, yaml);
    }

    static ObjectNode base(SplittableRandom rnd) {
        try {
            return (ObjectNode) JSON.readTree(BASES[rnd.nextInt(BASES.length)]);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** One mutation that makes the spec invalid; returns its kind. */
    static String mutate(ObjectNode spec, SplittableRandom rnd) {
        switch (rnd.nextInt(9)) {
            case 0 -> {
                String[] at = {"", "data", "model", "train", "model.init"};
                ObjectNode o = object(spec, at[rnd.nextInt(at.length)]);
                o.put(word(rnd), rnd.nextInt(1000));
                return "unknown-field";
            }
            case 1 -> {
                int which = rnd.nextInt(3);
                String path = which == 0 ? pick(NUMERIC, rnd) : which == 1 ? pick(TEXT, rnd) : pick(BOOL, rnd);
                JsonNode wrong = switch (which) {
                    case 0 -> pick(new JsonNode[]{F.textNode("abc"), F.booleanNode(true), F.objectNode(),
                            F.arrayNode().add(1), F.textNode("1e3x")}, rnd);
                    case 1 -> pick(new JsonNode[]{F.numberNode(12), F.booleanNode(false), F.arrayNode(),
                            F.objectNode().put("a", 1)}, rnd);
                    default -> pick(new JsonNode[]{F.textNode("maybe"), F.numberNode(2), F.arrayNode().add(true)}, rnd);
                };
                set(spec, path, wrong);
                return "wrong-type";
            }
            case 2 -> {
                Object[] row = OUT_OF_RANGE[rnd.nextInt(OUT_OF_RANGE.length)];
                set(spec, (String) row[0], JSON.valueToTree(row[1 + rnd.nextInt(row.length - 1)]));
                if (row[0].equals("model.heads") && spec.path("model").path("heads").asInt() == 3) {
                    set(spec, "model.dModel", F.numberNode(4)); // 3 does not divide 4
                }
                if (row[0].equals("data.order") || row[0].equals("data.vocab")) {
                    ((ObjectNode) spec.get("data")).remove("transition"); // keep p/q: they need order 1 and vocab 2
                    set(spec, "data.p", F.numberNode(0.2));
                }
                return "out-of-range";
            }
            case 3 -> {
                Object[] row = BAD_NAMES[rnd.nextInt(BAD_NAMES.length)];
                set(spec, (String) row[0], F.textNode((String) row[1 + rnd.nextInt(row.length - 1)]));
                return "bad-name";
            }
            case 4 -> {
                if (rnd.nextBoolean()) {
                    spec.remove("data");
                } else {
                    spec.remove("name");
                }
                return "missing";
            }
            case 5 -> {
                ArrayNode seeds = F.arrayNode();
                switch (rnd.nextInt(4)) {
                    case 0 -> seeds.add(-1);
                    case 1 -> seeds.add(3).add(3);
                    case 2 -> { }
                    default -> seeds.add("seven");
                }
                spec.set("seeds", seeds);
                return "bad-seeds";
            }
            case 6 -> {
                ObjectNode sweep = F.objectNode();
                switch (rnd.nextInt(8)) {
                    case 0 -> sweep.set("data.nope", F.arrayNode().add(1));
                    case 1 -> sweep.put("data.p", 0.3);
                    case 2 -> sweep.set("data.p", F.arrayNode());
                    case 3 -> sweep.set("data.p", F.arrayNode().add(0.2).add(0.2));
                    case 4 -> sweep.set("data.p", F.arrayNode().add(F.objectNode().put("x", 1)));
                    case 5 -> {
                        for (String axis : new String[]{"data.p", "data.q", "train.lr", "train.steps", "train.batch",
                                "model.dModel", "train.evalEvery"}) {
                            sweep.set(axis, F.arrayNode().add(1).add(2));
                        }
                    }
                    case 6 -> {
                        ArrayNode many = F.arrayNode();
                        for (int i = 0; i < 1001 + rnd.nextInt(500); i++) {
                            many.add(1e-4 * (i + 1));
                        }
                        sweep.set("train.lr", many);
                    }
                    default -> {
                        ArrayNode a = F.arrayNode();
                        ArrayNode b = F.arrayNode();
                        for (int i = 0; i < 120; i++) {
                            a.add(1e-4 * (i + 1));
                            b.add(10 + i);
                        }
                        sweep.set("train.lr", a);
                        sweep.set("train.steps", b); // 14,400 cells
                    }
                }
                if (rnd.nextInt(4) == 0) {
                    sweep.set("data.p", F.arrayNode().add(2.0).add(-1)); // cells that are invalid
                }
                spec.set("sweep", sweep);
                return "bad-sweep";
            }
            case 7 -> {
                // over the default quota of Σ steps × parameters (10^13) while every field is in range
                ObjectNode data = object(spec, "data");
                data.remove("transition");
                data.put("order", 1).put("vocab", 2).put("p", 0.2).put("q", 0.3).put("seqLen", 4096)
                        .put("trainSequences", 16).put("evalSequences", 16);
                ObjectNode model = object(spec, "model");
                model.put("family", "single-layer").put("dModel", 1024).put("heads", 1);
                object(model, "init").put("scheme", "gaussian");
                object(spec, "train").put("steps", 1_000_000).put("evalEvery", 1000).put("optimizer", "adam")
                        .remove(List.of("weightDecay", "schedule", "warmup"));
                spec.set("seeds", F.arrayNode().add(0));
                spec.remove("sweep");
                return "quota";
            }
            default -> {
                ObjectNode t = object(spec, "data");
                t.set("transition", F.arrayNode().add(F.arrayNode().add(0.5).add(0.6)).add(F.arrayNode().add(1)));
                t.put("order", 1).put("vocab", 2);
                t.remove("p");
                t.remove("q");
                return "bad-table";
            }
        }
    }

    static String json(JsonNode spec) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(spec);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** YAML: block style (maps indented, lists as "- "), or flow style (which JSON text is). */
    static String yaml(JsonNode spec, boolean block) {
        if (!block) {
            return spec.toString() + "\n";
        }
        StringBuilder b = new StringBuilder();
        blockYaml(spec, 0, b);
        return b.toString();
    }

    private static void blockYaml(JsonNode n, int indent, StringBuilder b) {
        String pad = " ".repeat(indent);
        if (n.isObject() && !n.isEmpty()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String key = f.getKey().matches("[A-Za-z_][A-Za-z0-9_.]*") ? f.getKey() : F.textNode(f.getKey()).toString();
                JsonNode v = f.getValue();
                if (v.isContainerNode() && !v.isEmpty()) {
                    b.append(pad).append(key).append(":\n");
                    blockYaml(v, indent + 2, b);
                } else {
                    b.append(pad).append(key).append(": ").append(v).append('\n'); // scalars as JSON: valid YAML
                }
            }
        } else if (n.isArray() && !n.isEmpty()) {
            for (JsonNode e : n) {
                b.append(pad).append("- ").append(e).append('\n'); // nested lists in flow style
            }
        } else {
            b.append(pad).append(n).append('\n');
        }
    }

    /** A YAML document refused by the safe loader whatever the spec in it. */
    static String yamlHazard(String yaml, SplittableRandom rnd) {
        return switch (rnd.nextInt(12)) {
            case 0 -> yaml + "extra: !!java.net.URL [\"http://localhost/\"]\n";
            case 1 -> yaml + "extra: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[]]]\n";
            case 2 -> yaml + "extra: !local 3\n";
            case 3 -> {
                StringBuilder b = new StringBuilder(yaml).append("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
                for (int i = 1; i < 10; i++) {
                    b.append("l").append(i).append(": &l").append(i).append(" [");
                    for (int j = 0; j < 9; j++) {
                        b.append(j == 0 ? "" : ", ").append("*l").append(i - 1);
                    }
                    b.append("]\n");
                }
                yield b.toString();
            }
            case 4 -> yaml + "loop: &loop [a, *loop]\n";
            case 5 -> yaml + "---\nname: second\n";
            case 6 -> yaml + "when: 2024-05-01\n";
            case 7 -> yaml + "rate: .nan\n";
            case 8 -> yaml + "? [complex, key]\n: 1\n";
            case 9 -> yaml + "blob: !!binary aGVsbG8=\n";
            case 10 -> yaml + "set: !!set {a, b}\n";
            default -> "name: a\nname: b\n" + yaml;
        };
    }

    /** JSON made unparsable: an unclosed root, a stray token, a duplicate key, or an oversized number. */
    static String breakJson(String json, SplittableRandom rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> json.substring(0, 1 + rnd.nextInt(json.lastIndexOf('}')));
            case 1 -> json.replaceFirst(",", ",,");
            case 2 -> "{\"seeds\": [0], " + json.substring(1); // a duplicate key
            case 3 -> json.replaceFirst("\\{", "{\"big\": 1" + "0".repeat(150) + ", ");
            case 4 -> json + "}";
            default -> json.replaceFirst(":", ": NaN, \"x\":");
        };
    }

    /** Objects or lists nested past the parsers' depth limit (20). */
    static String nest(boolean yaml, SplittableRandom rnd) {
        int depth = 21 + rnd.nextInt(200);
        String inner = "[".repeat(depth) + "]".repeat(depth);
        return yaml ? "name: " + inner + "\n" : "{\"name\": " + inner + "}";
    }

    static String garbage(SplittableRandom rnd) {
        int n = 1 + rnd.nextInt(400);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            int c = rnd.nextInt(10) < 8 ? 32 + rnd.nextInt(95) : rnd.nextInt(0x3000);
            if (c == 0x0d || (c >= 0xd800 && c < 0xe000)) {
                c = 'x';
            }
            b.append((char) c);
        }
        return b.toString().isBlank() ? "x" : b.toString();
    }

    static String word(SplittableRandom rnd) {
        String[] w = {"colour", "lr2", "Name", "seed", "epochs", "dropout", "__proto__", "$where", "data ", "ünïcode"};
        return w[rnd.nextInt(w.length)];
    }

    static <T> T pick(T[] a, SplittableRandom rnd) {
        return a[rnd.nextInt(a.length)];
    }

    static ObjectNode object(ObjectNode root, String path) {
        ObjectNode o = root;
        if (path.isEmpty()) {
            return o;
        }
        for (String p : path.split("\\.")) {
            JsonNode next = o.get(p);
            if (!(next instanceof ObjectNode)) {
                next = F.objectNode();
                o.set(p, next);
            }
            o = (ObjectNode) next;
        }
        return o;
    }

    static void set(ObjectNode root, String path, JsonNode value) {
        int dot = path.lastIndexOf('.');
        ObjectNode parent = object(root, dot < 0 ? "" : path.substring(0, dot));
        parent.set(path.substring(dot + 1), value);
    }

    static int count(JsonNode n) {
        int c = 1;
        for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
            c += count(it.next());
        }
        return c;
    }
}
