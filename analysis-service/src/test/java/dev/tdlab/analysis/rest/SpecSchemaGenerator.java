package dev.tdlab.analysis.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.impl.PropertySortUtils;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.contracts.spec.ExperimentSpec;
import dev.tdlab.contracts.spec.InitSpec;
import dev.tdlab.contracts.spec.ModelSpec;
import dev.tdlab.contracts.spec.SpecValidator;
import dev.tdlab.contracts.spec.TrainSpec;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generates the JSON Schema (draft 2020-12) of the experiment spec and its reference page {@code docs/spec.md}.
 *
 * <p>The structure (objects, types, which fields exist, no unknown fields) comes from the contracts' records through
 * victools' generator and its Jackson module; descriptions from the records' Javadoc ({@code @param}, read from the
 * contracts' sources, so the Javadoc stays the one place they are written); allowed names from
 * {@link SpecValidator#allowedNames()} and its per-family lists; defaults by calling each record's
 * {@code withDefaults()} for every family; ranges from the table {@link #RANGES} (the validator's bounds, which
 * {@code SpecSchemaTest} checks against the validator on generated malformed specs). The rules the schema cannot state
 * are listed in {@link #VALIDATOR_ONLY}.
 *
 * <p>The files it writes are committed: the schema that {@code GET /api/v1/spec/schema} serves
 * ({@code analysis-service/src/main/resources/spec/experiment-spec.schema.json}), a copy under
 * {@code docs/examples/}, and {@code docs/spec.md}. {@code SpecSchemaTest} regenerates them in memory and fails when a
 * committed one differs; {@code -Dtdlab.regenerate=true} on that test writes them instead ({@link #REGENERATE}).
 */
final class SpecSchemaGenerator {

    /** How to rewrite the committed files. */
    static final String REGENERATE = "./mvnw -q -B -pl analysis-service -am test -Dtest=SpecSchemaTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false -Dtdlab.regenerate=true";

    /** Paths from the repository root. */
    static final String SCHEMA_RESOURCE = "analysis-service/src/main/resources/spec/experiment-spec.schema.json";
    static final String SCHEMA_EXAMPLE = "docs/examples/experiment-spec.schema.json";
    static final String SPEC_DOC = "docs/spec.md";

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** Each record of the spec, the dotted prefix of its fields, and its section name in the document. */
    record Section(Class<? extends Record> type, String prefix, String title) {
    }

    static final List<Section> SECTIONS = List.of(
            new Section(ExperimentSpec.class, "", "The experiment"),
            new Section(DataSpec.class, "data.", "data"),
            new Section(ModelSpec.class, "model.", "model"),
            new Section(InitSpec.class, "model.init.", "model.init"),
            new Section(TrainSpec.class, "train.", "train"));

    /** Descriptions of the fields that have no {@code @param} in their record's Javadoc. */
    static final Map<String, String> DESCRIPTIONS = Map.of(
            "name", "a name for people (not unique): 1 to 200 characters, not blank",
            "data", "what data every run trains on (required)",
            "model", "which model every run trains; absent: every field at its default",
            "train", "how every run is trained; absent: every field at its default",
            "seeds", "the seeds: every cell of the sweep runs once per seed (cells × seeds ≤ 10,000 runs)",
            "sweep", "dotted field paths (`data.p`, `train.lr`, …) to lists of values; the cartesian product of the"
                    + " lists makes the cells, in the given order, each cell applied to the base spec; at most 6 axes");

    /** Defaults that depend on other fields, said in words. */
    static final Map<String, String> DEFAULT_NOTES = Map.of(
            "data.vocab", "`2`, or the row width of `transition` (`sources`) when given",
            "data.sparsity", "`dim − 1` (dense)",
            "data.trainSequences", "`4096`; with `train.sampling: fresh`, `train.steps × train.batch`",
            "model.dModel", "`4`; `two-layer-classifier`: `16`; `deep` with `headDim`: `headDim × heads`",
            "train.beta1", "the optimizer's own (`0.9` for adam/adamw)",
            "train.beta2", "the optimizer's own (`0.999` for adam/adamw)");

    /** A numeric bound: inclusive unless said otherwise. */
    record Range(Number min, Number max, boolean exclusiveMin, boolean exclusiveMax) {
        static Range closed(Number min, Number max) {
            return new Range(min, max, false, false);
        }
    }

    /** The validator's bounds of each numeric field (for a list of numbers: of its entries). */
    static final Map<String, Range> RANGES = new LinkedHashMap<>();

    static {
        RANGES.put("seeds", Range.closed(0, null));
        RANGES.put("data.order", Range.closed(1, SpecValidator.MAX_ORDER));
        RANGES.put("data.vocab", Range.closed(2, SpecValidator.MAX_VOCAB));
        RANGES.put("data.p", Range.closed(0, 1));
        RANGES.put("data.q", Range.closed(0, 1));
        RANGES.put("data.transition", Range.closed(0, 1));
        RANGES.put("data.dirichlet", new Range(0, SpecValidator.MAX_DIRICHLET, true, false));
        RANGES.put("data.seqLen", Range.closed(2, SpecValidator.MAX_SEQ_LEN));
        RANGES.put("data.trainSequences", Range.closed(1, SpecValidator.MAX_TRAIN_SEQUENCES));
        RANGES.put("data.evalSequences", Range.closed(1, SpecValidator.MAX_EVAL_SEQUENCES));
        RANGES.put("data.sources", Range.closed(0, 1));
        RANGES.put("data.dim", Range.closed(2, 4096));
        RANGES.put("data.patches", Range.closed(2, 256));
        RANGES.put("data.signal", Range.closed(0, 1e6));
        RANGES.put("data.noiseStd", new Range(0, 1e6, true, false));
        RANGES.put("data.sparsity", Range.closed(1, 4095));
        RANGES.put("data.labelNoise", Range.closed(0, 0.5));
        RANGES.put("data.imageSize", Range.closed(2, 128));
        RANGES.put("data.patchSize", Range.closed(1, 128));
        RANGES.put("data.barLength", Range.closed(1, 128));
        RANGES.put("model.dModel", Range.closed(1, 1024));
        RANGES.put("model.heads", Range.closed(1, 64));
        RANGES.put("model.depth", Range.closed(1, SpecValidator.MAX_DEPTH));
        RANGES.put("model.beta", new Range(0, 100, true, false));
        RANGES.put("model.qkInitScale", Range.closed(0, 10));
        RANGES.put("model.headDim", Range.closed(1, 1024));
        RANGES.put("model.init.std", new Range(0, 10, true, false));
        RANGES.put("model.init.vStd", Range.closed(0, 10));
        RANGES.put("train.lr", new Range(0, 100, true, false));
        RANGES.put("train.batch", Range.closed(1, 4096));
        RANGES.put("train.steps", Range.closed(1, 1_000_000));
        RANGES.put("train.evalEvery", Range.closed(1, 1_000_000));
        RANGES.put("train.weightDecay", new Range(0, 1, false, true));
        RANGES.put("train.warmup", new Range(0, 1, false, true));
        RANGES.put("train.beta1", new Range(0, 1, false, true));
        RANGES.put("train.beta2", new Range(0, 1, false, true));
    }

    /** An exact parameter name, which {@code train.trainable} takes besides its group names. */
    static final String PARAMETER_NAME = "^(emb/(wte|wpe)|layer[0-9]+/(attn/w[qkvo]|mlp/w[12])|head/(w|bias))$";

    /**
     * The rules that only {@link SpecValidator} checks (they need arithmetic across fields, the chain's structure or
     * the expanded sweep), each with the words of its violation message that {@code SpecSchemaTest} matches.
     */
    record ValidatorOnly(String rule, String message) {
    }

    static final List<ValidatorOnly> VALIDATOR_ONLY = List.of(
            new ValidatorOnly("`model.heads` divides `model.dModel`", "must divide dModel"),
            new ValidatorOnly("`data.patchSize` divides `data.imageSize`; `data.sparsity` ≤ `dim − 1`, "
                    + "`data.barLength` ≤ `imageSize`, `data.order` ≤ `seqLen`", "must divide imageSize|must be at most seqLen"),
            new ValidatorOnly("a transition table has `vocab^order` rows of `vocab` probabilities, each row summing to 1"
                    + " (within 1e-9), and the chain has a unique stationary law on an aperiodic class",
                    "must have vocab^order|probabilities, has|must sum to 1|stationary|periodic|reducible|closed class"),
            new ValidatorOnly("`vocab^order` ≤ 4096 rows", "exceeds 4096 rows"),
            new ValidatorOnly("`p` and `q` not both 0 (reducible) nor both 1 (periodic)", "makes the chain"),
            new ValidatorOnly("the dataset quota: (trainSequences + evalSequences) × (seqLen + 1) ≤ 2·10⁸ tokens, or"
                    + " × values per example ≤ 6.4·10⁷ values for the patch families", "exceeds the quota"),
            new ValidatorOnly("`train.sampling: fresh`: steps × batch ≤ 10⁸, and not with `gd`", "fresh sampling|gd is full-batch: fresh"),
            new ValidatorOnly("`gd` is full batch: `train.batch` = `data.trainSequences`", "batch must equal data.trainSequences"),
            new ValidatorOnly("cells × seeds ≤ 10,000 runs", "makes more than"),
            new ValidatorOnly("the service's request limits and the tenant's quotas (configuration, not the spec: sweep"
                    + " values and runs per request, Σ steps × parameters, dataset size; analysis-service/README.md)",
                    "^service "),
            new ValidatorOnly("every sweep value, and every cell of the product, makes a valid spec (the rules above, on"
                    + " the spec the cell makes)", "^cell .* makes "),
            new ValidatorOnly("no seed repeated and no sweep value repeated as the validator compares them (Java"
                    + " equality: `1` and `1.0` differ there, not in JSON Schema)", "repeats seed|lists a value twice"),
            new ValidatorOnly("`model.init.values` names parameters of this model (their names depend on depth, mlp and"
                    + " tiedEmbedding); `train.trainable` names a parameter of this model, and `mlp` only with"
                    + " `model.mlp`", "is not a parameter of this model|names no parameter"),
            new ValidatorOnly("binary-data init schemes (`base`, `good`, `lowrank`, `lowrank-global`) and"
                    + " `makkuva-minimal` need `data.vocab` 2 also when vocab is inferred from a table",
                    "needs binary data"),
            new ValidatorOnly("`deep`: `depth-mup` needs a residual scaling; `layerNorm` needs dModel ≥ 2; "
                    + "bidirectional attention (`causal: false`) has no linear kernel; `readout: fixed` needs an even"
                    + " dModel; `matchNorms` needs `signal` > 0", "depth-mup scales|needs dModel >= 2|bidirectional|"
                    + "must be even|needs signal > 0"));

    private SpecSchemaGenerator() {
    }

    /** The repository root (the tests run in the module's directory). */
    static Path root() {
        return Paths.get(System.getProperty("tdlab.root", "..")).toAbsolutePath().normalize();
    }

    /** Writes the three committed files. */
    public static void main(String[] args) throws Exception {
        Map<String, String> files = files();
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = root().resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
            System.out.println("wrote " + p);
        }
    }

    /** Each committed file (path from the root) and its content as generated now. */
    static Map<String, String> files() throws Exception {
        ObjectNode schema = schema();
        String text = JSON.writeValueAsString(schema) + "\n";
        Map<String, String> out = new LinkedHashMap<>();
        out.put(SCHEMA_RESOURCE, text);
        out.put(SCHEMA_EXAMPLE, text);
        out.put(SPEC_DOC, SpecSchemaDoc.markdown(schema));
        return out;
    }

    /** The schema. */
    static ObjectNode schema() throws Exception {
        SchemaGeneratorConfigBuilder config = new SchemaGeneratorConfigBuilder(SchemaVersion.DRAFT_2020_12,
                OptionPreset.PLAIN_JSON)
                .with(new JacksonModule())
                .with(Option.FORBIDDEN_ADDITIONAL_PROPERTIES_BY_DEFAULT, Option.MAP_VALUES_AS_ADDITIONAL_PROPERTIES)
                .without(Option.SCHEMA_VERSION_INDICATOR);
        config.forFields().withRequiredCheck(f -> f.getDeclaringType().getErasedType() == ExperimentSpec.class
                && REQUIRED.contains(f.getName()));
        config.forTypesInGeneral().withPropertySorter(PropertySortUtils.SORT_PROPERTIES_FIELDS_BEFORE_METHODS);
        ObjectNode generated = new SchemaGenerator(config.build()).generateSchema(ExperimentSpec.class);

        ObjectNode schema = F.objectNode();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.put("$id", "urn:tdlab:experiment-spec");
        schema.put("title", "tdlab experiment spec");
        generated.fields().forEachRemaining(e -> schema.set(e.getKey(), e.getValue()));
        // each record of the spec as a definition; null (= absent) allowed where the field is optional
        ObjectNode defs = schema.putObject("$defs");
        ObjectNode props = (ObjectNode) schema.get("properties");
        ObjectNode init = (ObjectNode) props.get("model").get("properties").get("init");
        defs.set("DataSpec", props.get("data"));
        defs.set("ModelSpec", props.get("model"));
        defs.set("InitSpec", init.deepCopy());
        defs.set("TrainSpec", props.get("train"));
        ((ObjectNode) defs.get("ModelSpec").get("properties")).set("init", ref("InitSpec"));
        props.set("data", ref("DataSpec"));
        props.set("model", ref("ModelSpec"));
        props.set("train", ref("TrainSpec"));
        for (Map.Entry<String, JsonNode> d : fields(defs)) {
            ((ObjectNode) d.getValue()).remove("type");
        }

        Map<String, JsonNode> leafSchemas = new LinkedHashMap<>();
        for (Section s : SECTIONS) {
            ObjectNode node = s.type() == ExperimentSpec.class ? schema : (ObjectNode) defs.get(s.type().getSimpleName());
            if (node == null) {
                throw new IllegalStateException("no definition for " + s.type());
            }
            Javadoc doc = Javadoc.of(s.type());
            node.put("description", doc.summary());
            ObjectNode fieldsOf = (ObjectNode) node.get("properties");
            for (RecordComponent rc : s.type().getRecordComponents()) {
                String path = s.prefix() + rc.getName();
                ObjectNode p = (ObjectNode) fieldsOf.get(rc.getName());
                if (p == null) {
                    throw new IllegalStateException("the generator left out " + path);
                }
                String description = doc.params().getOrDefault(rc.getName(), DESCRIPTIONS.get(path));
                if (description == null) {
                    throw new IllegalStateException(path + " has no description: add an @param to "
                            + s.type().getSimpleName() + " or an entry to DESCRIPTIONS");
                }
                constrain(p, path);
                SpecSchemaDefaults.annotate(p, s, rc, path);
                ObjectNode ordered = F.objectNode();
                ordered.put("description", description);
                ordered.setAll(p);
                fieldsOf.set(rc.getName(), ordered);
                if (s.type() != ExperimentSpec.class && !Record.class.isAssignableFrom(rc.getType())
                        && !Map.class.isAssignableFrom(rc.getType())) {
                    leafSchemas.put(path, ordered);
                }
            }
        }
        ((ObjectNode) schema.get("properties").get("sweep")).setAll(sweep(leafSchemas));
        SpecSchemaRules.add(schema);
        return schema;
    }

    /** The fields that must be given (and not as null). */
    static final List<String> REQUIRED = List.of("name", "data");

    /** A reference to a definition, typed object (or null where the field is optional). */
    static ObjectNode ref(String def) {
        ObjectNode r = F.objectNode();
        r.put("$ref", "#/$defs/" + def);
        if (def.equals("DataSpec")) {
            r.put("type", "object");
        } else {
            r.set("type", F.arrayNode().add("object").add("null"));
        }
        return r;
    }

    /** Enumerations, bounds and sizes of one field; null allowed unless required. */
    static void constrain(ObjectNode p, String path) {
        if (!REQUIRED.contains(path) && p.get("type") != null && p.get("type").isTextual()) {
            p.set("type", F.arrayNode().add(p.get("type").asText()).add("null"));
        }
        List<String> names = SpecValidator.allowedNames().get(path);
        if (names != null && path.equals("train.trainable")) {
            ObjectNode items = (ObjectNode) p.get("items");
            items.removeAll();
            ArrayNode anyOf = items.putArray("anyOf");
            anyOf.addObject().set("enum", strings(names));
            anyOf.addObject().put("type", "string").put("pattern", PARAMETER_NAME);
            p.put("minItems", 1);
        } else if (names != null) {
            ArrayNode e = strings(names);
            e.add(NullNode.instance);
            p.set("enum", e);
        }
        Range r = RANGES.get(path);
        if (r != null) {
            ObjectNode target = p;
            while (target.has("items")) {
                target = (ObjectNode) target.get("items");
            }
            bound(target, r);
        }
        switch (path) {
            case "name" -> p.put("minLength", 1).put("maxLength", 200).put("pattern", "\\S");
            case "seeds" -> p.put("minItems", 1).put("maxItems", SpecValidator.MAX_RUNS).put("uniqueItems", true);
            case "data.sources" -> p.put("minItems", 2).put("maxItems", 2);
            case "data.transition" -> p.put("minItems", 1).put("maxItems", SpecValidator.MAX_STATES);
            case "model.init.values" -> {
                ObjectNode values = (ObjectNode) p.get("additionalProperties");
                values.put("minItems", 1);
                p.putObject("propertyNames").put("pattern", PARAMETER_NAME);
            }
            default -> { }
        }
    }

    static void bound(ObjectNode target, Range r) {
        if (r.min() != null) {
            target.set(r.exclusiveMin() ? "exclusiveMinimum" : "minimum", JSON.valueToTree(r.min()));
        }
        if (r.max() != null) {
            target.set(r.exclusiveMax() ? "exclusiveMaximum" : "maximum", JSON.valueToTree(r.max()));
        }
    }

    /** The sweep: one property per field that can be swept, a non-empty list of distinct values of that field. */
    static ObjectNode sweep(Map<String, JsonNode> leaves) {
        ObjectNode sweep = F.objectNode();
        sweep.set("type", JSON.createArrayNode().add("object").add("null"));
        sweep.put("maxProperties", SpecValidator.MAX_SWEEP_AXES);
        ObjectNode props = sweep.putObject("properties");
        for (Map.Entry<String, JsonNode> leaf : leaves.entrySet()) {
            if (leaf.getKey().equals("data.family") || leaf.getKey().equals("model.family")) {
                continue; // the family decides which fields exist: not an axis the validator can check per cell
            }
            ObjectNode axis = props.putObject(leaf.getKey());
            axis.put("type", "array").put("minItems", 1).put("uniqueItems", true);
            axis.set("items", nonNull(leaf.getValue()));
        }
        sweep.put("additionalProperties", false);
        return sweep;
    }

    /** A field's schema as a sweep value: without null, description or default. */
    static ObjectNode nonNull(JsonNode field) {
        ObjectNode v = field.deepCopy();
        v.remove(List.of("description", "default"));
        if (v.get("type") instanceof ArrayNode types) {
            List<JsonNode> keep = new ArrayList<>();
            types.forEach(t -> {
                if (!t.asText().equals("null")) {
                    keep.add(t);
                }
            });
            v.set("type", keep.size() == 1 ? keep.get(0) : JSON.createArrayNode().addAll(keep));
        }
        if (v.get("enum") instanceof ArrayNode e) {
            ArrayNode keep = JSON.createArrayNode();
            e.forEach(x -> {
                if (!x.isNull()) {
                    keep.add(x);
                }
            });
            v.set("enum", keep);
        }
        return v;
    }

    static ArrayNode strings(List<String> names) {
        ArrayNode a = F.arrayNode();
        names.forEach(a::add);
        return a;
    }

    /** The Javadoc of a spec record, read from the contracts' sources: its first paragraph and its {@code @param}s. */
    record Javadoc(String summary, Map<String, String> params) {

        static final Pattern CODE = Pattern.compile("\\{@code ([^}]*)}");
        static final Pattern LINK = Pattern.compile("\\{@link #?([^}]*)}");

        static Javadoc of(Class<?> type) throws IOException {
            Path src = root().resolve("contracts/src/main/java/" + type.getName().replace('.', '/') + ".java");
            String text = Files.readString(src, StandardCharsets.UTF_8);
            int decl = text.indexOf("public record " + type.getSimpleName() + "(");
            int start = text.lastIndexOf("/**", decl);
            int end = text.indexOf("*/", start);
            StringBuilder body = new StringBuilder();
            for (String line : text.substring(start + 3, end).split("\n")) {
                String l = line.strip();
                if (l.startsWith("*")) {
                    l = l.substring(1).strip();
                }
                body.append(l).append('\n');
            }
            String all = body.toString();
            int firstParam = all.indexOf("@param");
            String head = firstParam < 0 ? all : all.substring(0, firstParam);
            int para = head.indexOf("<p>");
            String summary = inline(para < 0 ? head : head.substring(0, para));
            Map<String, String> params = new LinkedHashMap<>();
            if (firstParam >= 0) {
                for (String p : all.substring(firstParam).split("@param")) {
                    String t = p.strip();
                    if (t.isEmpty()) {
                        continue;
                    }
                    int sp = t.indexOf(' ');
                    params.put(t.substring(0, sp), inline(t.substring(sp + 1)));
                }
            }
            return new Javadoc(summary, params);
        }

        /** One line of Markdown: {@code x} as `x`, links as code, whitespace collapsed. */
        static String inline(String javadoc) {
            String s = CODE.matcher(javadoc).replaceAll(m -> Matcher.quoteReplacement("`" + m.group(1) + "`"));
            s = LINK.matcher(s).replaceAll(m -> Matcher.quoteReplacement("`" + m.group(1) + "`"));
            return s.replaceAll("<[^>]+>", " ").replaceAll("\\s+", " ").strip();
        }
    }

    /** Iterates the fields of an object node. */
    static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode node) {
        return () -> {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            return it;
        };
    }
}
