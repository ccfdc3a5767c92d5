package dev.tdlab.analysis.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.tdlab.analysis.problem.ProblemException;
import dev.tdlab.contracts.spec.Violation;
import dev.tdlab.fixtures.MalformedSpecs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The spec's JSON Schema against the validator, with a draft 2020-12 validator (networknt): the committed schema and
 * {@code docs/spec.md} are what the generator makes now; every template (default and paper scale) and example spec
 * passes both the schema and the validator; and on 4,000 generated malformed specs ({@link MalformedSpecs}) the API's
 * checks (request limits, validator, default quotas, as {@link SpecFuzzTest#submit}) refuse every one, and a spec the
 * schema lets through breaks only a rule that {@link SpecSchemaGenerator#VALIDATOR_ONLY} lists (matched on the
 * validator's messages) or a service limit or quota (config, not the spec's): a rule the schema could state but
 * misses fails the test by name.
 */
class SpecSchemaTest {

    static final int CASES = Integer.getInteger("tdlab.schema.cases", 4_000);

    static JsonNode served;
    static Schema schema;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = SpecSchemaTest.class.getClassLoader().getResourceAsStream("spec/experiment-spec.schema.json")) {
            assertNotNull(in, "spec/experiment-spec.schema.json is not on the classpath");
            served = SpecSchemaGenerator.JSON.readTree(in);
        }
        schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(served);
    }

    @Test
    void theCommittedFilesAreWhatTheGeneratorMakes() throws Exception {
        Map<String, String> files = SpecSchemaGenerator.files();
        if (Boolean.getBoolean("tdlab.regenerate")) {
            SpecSchemaGenerator.main(new String[0]);
        }
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = SpecSchemaGenerator.root().resolve(f.getKey());
            if (!Files.exists(p) || !Files.readString(p, StandardCharsets.UTF_8).equals(f.getValue())) {
                stale.add(f.getKey());
            }
        }
        assertTrue(stale.isEmpty(), stale + " differ from what the spec records make now; regenerate them with\n  "
                + SpecSchemaGenerator.REGENERATE);
    }

    @Test
    void everyFieldIsDocumentedAndEveryEnumeratedFieldListsItsNames() throws Exception {
        String doc = SpecSchemaDoc.markdown(served);
        for (SpecSchemaGenerator.Section s : SpecSchemaGenerator.SECTIONS) {
            for (var rc : s.type().getRecordComponents()) {
                String path = s.prefix() + rc.getName();
                assertTrue(doc.contains("| `" + path + "`"), path + " is missing from docs/spec.md");
            }
        }
        assertEquals(List.of("gd", "sgd", "signgd", "adam", "adamw").stream().sorted().toList(),
                names(served.at("/$defs/TrainSpec/properties/optimizer/enum")));
        assertTrue(names(served.at("/$defs/ModelSpec/properties/attention/enum")).contains("gaussian-unnormalized"));
        assertEquals(List.of("markov", "noisy-patch", "patch-image", "sequence-classification"),
                names(served.at("/$defs/DataSpec/properties/family/enum")));
        assertEquals(1e-3, served.at("/$defs/TrainSpec/properties/lr/default").asDouble());
    }

    @Test
    void everyTemplateAndExamplePassesTheSchemaAndTheValidator() throws Exception {
        List<String> checked = new ArrayList<>();
        for (String name : Templates.ALL.keySet()) {
            JsonNode base = Templates.resolve(name, null);
            JsonNode paper = Templates.resolve(name, SpecSchemaGenerator.JSON.readTree("{\"scale\": \"paper\"}"));
            for (JsonNode spec : List.of(base, paper)) {
                assertValid(name, spec);
            }
            checked.add(name);
        }
        Path examples = SpecSchemaGenerator.root().resolve("examples");
        try (var files = Files.list(examples)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".json")).toList()) {
                assertValid(f.toString(), SpecParser.readTree(Files.readString(f), f.toString().endsWith(".yaml")));
                checked.add(f.getFileName().toString());
            }
        }
        assertTrue(checked.contains("reference.yaml") && checked.size() >= 6, checked.toString());
    }

    private static void assertValid(String what, JsonNode spec) {
        List<Error> errors = schema.validate(spec);
        assertTrue(errors.isEmpty(), what + " fails the schema: " + errors);
        SpecParser.parseTree(spec); // throws a 400 problem naming the bad fields
    }

    @Test
    void theSchemaRefusesWhatTheValidatorRefusesExceptTheRulesOnlyTheValidatorChecks() {
        Pattern validatorOnly = Pattern.compile(String.join("|", SpecSchemaGenerator.VALIDATOR_ONLY.stream()
                .map(SpecSchemaGenerator.ValidatorOnly::message).toList()));
        Map<String, int[]> byKind = new TreeMap<>(); // kind -> {cases, parsed, refused by the schema}
        List<String> missed = new ArrayList<>();
        for (long seed = 0; seed < CASES; seed++) {
            MalformedSpecs.Case c = MalformedSpecs.of(seed);
            int[] n = byKind.computeIfAbsent(c.kind(), k -> new int[3]);
            n[0]++;
            JsonNode tree;
            try {
                tree = SpecParser.readTree(c.body(), c.yaml());
            } catch (ProblemException e) {
                continue; // not a JSON/YAML document the safe readers accept: nothing to give the schema
            }
            n[1]++;
            List<Violation> violations;
            try {
                SpecFuzzTest.submit(c); // request limits, validator, default quotas: as POST /experiments
                fail("the API's checks accepted malformed spec " + seed + " (" + c.kind() + "):\n" + c.body());
                return;
            } catch (ProblemException e) {
                violations = e.limit() != null || e.quota() != null
                        ? List.of(new Violation(e.quota() != null ? "quota" : "limit", "service " + e.getMessage()))
                        : e.violations();
            }
            if (!schema.validate(tree).isEmpty()) {
                n[2]++;
                continue;
            }
            for (Violation v : violations) {
                if (!validatorOnly(validatorOnly, v)) {
                    missed.add("seed " + seed + " (" + c.kind() + "): " + v.field() + " " + v.message());
                }
            }
        }
        StringBuilder table = new StringBuilder("kind: cases, JSON/YAML documents, refused by the schema\n");
        byKind.forEach((k, n) -> table.append(String.format("  %-14s %5d %5d %5d%n", k, n[0], n[1], n[2])));
        System.out.println(table);
        assertTrue(missed.isEmpty(), "the schema let through specs whose violations it could state:\n"
                + String.join("\n", missed.subList(0, Math.min(20, missed.size()))) + "\n" + table);
        int parsed = byKind.values().stream().mapToInt(n -> n[1]).sum();
        int refused = byKind.values().stream().mapToInt(n -> n[2]).sum();
        assertTrue(refused > parsed / 2, table.toString());
    }

    /** A sweep value's own range or name the schema states (each axis's items); what it makes of other fields not. */
    static final Pattern OWN_RANGE = Pattern.compile("^(must be an integer in|must be a number in|must be in|must be one of"
            + "|must be a probability in|must be a fraction in|must be a concentration in)");
    static final Pattern SWEEP_VALUE = Pattern.compile("^makes (\\S+) invalid: (.*)$");

    /**
     * Whether only the validator can find this violation: a listed rule, or what a sweep value makes of another field
     * (the schema checks each value against its own field only, not the spec the cell makes).
     */
    static boolean validatorOnly(Pattern listed, Violation v) {
        java.util.regex.Matcher m = SWEEP_VALUE.matcher(v.message());
        if (v.field().startsWith("sweep.") && m.matches()) {
            String axis = v.field().substring("sweep.".length()).replaceAll("\\[\\d+]$", "");
            boolean own = m.group(1).equals(axis);
            return listed.matcher(m.group(2)).find() || !(own && OWN_RANGE.matcher(m.group(2)).find());
        }
        return listed.matcher(v.message()).find();
    }

    @Test
    void theSchemaRefusesTheRulesItStates() {
        String base = """
                {"name": "x", "data": {"family": "markov", "p": 0.2, "q": 0.3, "seqLen": 64},
                 "model": {"family": "single-layer"}, "train": {"steps": 10}, "seeds": [0]}""";
        assertTrue(schema.validate(tree(base)).isEmpty(), schema.validate(tree(base)).toString());
        String[] bad = {
                base.replace("\"p\": 0.2, ", ""),                                  // q without p
                base.replace("\"q\": 0.3", "\"q\": 0.3, \"dirichlet\": 1"),          // two ways to give the chain
                base.replace("\"seqLen\": 64", "\"seqLen\": 64, \"dim\": 8"),        // a noisy-patch field on markov
                base.replace("\"seqLen\": 64", "\"seqLen\": 64, \"vocab\": 3"),      // p/q are binary
                base.replace("\"single-layer\"", "\"single-layer\", \"depth\": 2"),  // depth is deep's
                base.replace("\"single-layer\"", "\"two-layer-classifier\""),        // a classifier on markov data
                base.replace("\"single-layer\"", "\"single-layer\", \"init\": {\"scheme\": \"gpt2\"}"),
                base.replace("\"seeds\": [0]", "\"seeds\": [0, 0]"),
                base.replace("\"seeds\": [0]", "\"sweep\": {\"data.p\": [0.1, 1.5]}"),
                base.replace("\"seeds\": [0]", "\"sweep\": {\"data.pp\": [0.1]}"),
                base.replace("\"steps\": 10", "\"steps\": 10, \"trainable\": [\"attn\", \"layer0/attn/wz\"]"),
                base.replace("\"name\": \"x\"", "\"name\": \" \"")};
        for (String b : bad) {
            assertFalse(schema.validate(tree(b)).isEmpty(), "the schema accepted " + b);
            try {
                SpecParser.parseTree(tree(b));
                fail("the validator accepted " + b);
            } catch (ProblemException expected) {
                // both refuse it
            }
        }
        String exactParameter = base.replace("\"steps\": 10", "\"steps\": 10, \"trainable\": [\"layer0/attn/wq\"]");
        assertTrue(schema.validate(tree(exactParameter)).isEmpty());
        String nulls = base.replace("\"seqLen\": 64", "\"seqLen\": 64, \"transition\": null, \"dim\": null");
        assertTrue(schema.validate(tree(nulls)).isEmpty(), "null is absent: " + schema.validate(tree(nulls)));
        SpecParser.parseTree(tree(nulls));
    }

    static JsonNode tree(String json) {
        return SpecParser.readTree(json, false);
    }

    static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> {
            if (!n.isNull()) {
                out.add(n.asText());
            }
        });
        return out;
    }
}
