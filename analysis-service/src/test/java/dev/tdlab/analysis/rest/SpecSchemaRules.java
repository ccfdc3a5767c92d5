package dev.tdlab.analysis.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.contracts.spec.ModelSpec;
import dev.tdlab.contracts.spec.SpecValidator;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;

/**
 * The rules across fields that JSON Schema can state ({@code if}/{@code then} under {@code allOf}), each with a
 * {@code description} that {@code docs/spec.md} lists. A field given as {@code null} counts as absent, as in the API.
 */
final class SpecSchemaRules {

    static final JsonNodeFactory F = JsonNodeFactory.instance;

    private SpecSchemaRules() {
    }

    static void add(ObjectNode schema) {
        ObjectNode defs = (ObjectNode) schema.get("$defs");
        data(((ObjectNode) defs.get("DataSpec")).putArray("allOf"));
        model(((ObjectNode) defs.get("ModelSpec")).putArray("allOf"));
        root(schema.putArray("allOf"));
    }

    private static void data(ArrayNode all) {
        List<String> common = List.of("family", "trainSequences", "evalSequences");
        for (Map.Entry<String, List<String>> e : SpecValidator.dataFieldsByFamily().entrySet()) {
            String fam = e.getKey();
            ObjectNode then = F.objectNode();
            ObjectNode props = then.putObject("properties");
            for (RecordComponent rc : DataSpec.class.getRecordComponents()) {
                if (!common.contains(rc.getName()) && !e.getValue().contains(rc.getName())) {
                    props.putObject(rc.getName()).put("type", "null");
                }
            }
            rule(all, "`" + fam + "` data has only `family`, `trainSequences`, `evalSequences` and "
                            + code(e.getValue()) + "; the other fields are absent",
                    familyIs(fam, fam.equals(DataSpec.MARKOV)), then, null);
        }
        ObjectNode oneWay = F.objectNode();
        ArrayNode ways = oneWay.putArray("oneOf");
        ways.addObject().putArray("anyOf").add(given("p")).add(given("q"));
        ways.add(given("transition"));
        ways.add(given("dirichlet"));
        rule(all, "`markov`: exactly one of `p`/`q`, `transition` or `dirichlet`", familyIs(DataSpec.MARKOV, true),
                oneWay, null);
        ObjectNode eitherPq = F.objectNode();
        eitherPq.putArray("anyOf").add(given("p")).add(given("q"));
        ObjectNode binary = F.objectNode();
        binary.putArray("allOf").add(given("p")).add(given("q"));
        ObjectNode bp = binary.putObject("properties");
        bp.putObject("vocab").putArray("enum").add(2).add(NullNode.instance);
        bp.putObject("order").putArray("enum").add(1).add(NullNode.instance);
        rule(all, "`p` and `q` come together and make a binary first-order chain: `vocab` 2 and `order` 1 (or absent)",
                eitherPq, binary, null);
        ObjectNode inContext = F.objectNode();
        inContext.putArray("required").add("inContext");
        inContext.putObject("properties").putObject("inContext").put("const", true);
        rule(all, "`inContext: true` needs `dirichlet` (the prior each sequence draws its chain from)", inContext,
                given("dirichlet"), null);
        ObjectNode source = F.objectNode();
        source.putArray("oneOf").add(given("sources")).add(given("dirichlet"));
        rule(all, "`sequence-classification`: exactly one of `sources` (two tables) or `dirichlet`",
                familyIs(DataSpec.SEQUENCE_CLASSIFICATION, false), source, null);
    }

    private static void model(ArrayNode all) {
        ObjectNode notDeep = F.objectNode();
        ObjectNode p = notDeep.putObject("properties");
        p.putObject("depth").putArray("enum").add(1).add(NullNode.instance);
        p.putObject("residualScaling").putArray("enum").add("none").add(NullNode.instance);
        p.putObject("layerNorm").putArray("enum").add(false).add(NullNode.instance);
        p.putObject("layerNormPosition").putArray("enum").add("pre").add(NullNode.instance);
        p.putObject("causal").putArray("enum").add(true).add(NullNode.instance);
        p.putObject("qkInitScale").putArray("enum").add(1).add(NullNode.instance);
        p.putObject("headDim").put("type", "null");
        p.putObject("parameterization").putArray("enum").add("standard").add(NullNode.instance);
        rule(all, "only `deep` reads `depth`, `residualScaling`, `beta`'s scaling, `layerNorm`, `layerNormPosition`,"
                        + " `causal`, `qkInitScale`, `headDim` and the `mup`/`depth-mup` parameterizations: for the other"
                        + " families they are absent or at their default",
                familyIs(ModelSpec.DEEP, false), F.objectNode(), notDeep);
        ObjectNode classifier = F.objectNode();
        classifier.putObject("properties").putObject("attention").set("enum", withNull(SpecValidator.classifierAttentions()));
        ObjectNode token = F.objectNode();
        ObjectNode tp = token.putObject("properties");
        tp.putObject("attention").set("enum", withNull(SpecValidator.tokenAttentions()));
        tp.putObject("loss").put("type", "null");
        tp.putObject("readout").putArray("enum").add("linear").add(NullNode.instance);
        rule(all, "`two-layer-classifier` attends with " + code(SpecValidator.classifierAttentions())
                        + "; the token families with " + code(SpecValidator.tokenAttentions())
                        + ", and only the classifier reads `loss` and `readout`",
                familyIs(ModelSpec.CLASSIFIER, false), classifier, token);
        for (Map.Entry<String, List<String>> e : SpecValidator.initSchemesByFamily().entrySet()) {
            ObjectNode then = F.objectNode();
            then.putObject("properties").putObject("init").putObject("properties").putObject("scheme")
                    .set("enum", withNull(e.getValue()));
            rule(all, "`" + e.getKey() + "` is initialized by " + code(e.getValue()),
                    familyIs(e.getKey(), e.getKey().equals(ModelSpec.SINGLE_LAYER)), then, null);
        }
    }

    private static void root(ArrayNode all) {
        ObjectNode isClassifier = F.objectNode();
        isClassifier.putArray("required").add("model");
        isClassifier.putObject("properties").set("model", familyIs(ModelSpec.CLASSIFIER, false));
        ObjectNode labelled = F.objectNode();
        ObjectNode ld = labelled.putObject("properties").putObject("data");
        ld.putArray("required").add("family");
        ld.putObject("properties").putObject("family").set("enum", strings(SpecValidator.classificationData()));
        ObjectNode tokens = F.objectNode();
        tokens.putObject("properties").putObject("data").putObject("properties").putObject("family").putArray("enum")
                .add(DataSpec.MARKOV).add(NullNode.instance);
        rule(all, "`two-layer-classifier` trains on labelled data (" + code(SpecValidator.classificationData())
                + "); the other model families on `markov` data", isClassifier, labelled, tokens);
        ObjectNode minimal = F.objectNode();
        minimal.putArray("required").add("model");
        minimal.putObject("properties").set("model", familyIs(ModelSpec.MAKKUVA_MINIMAL, false));
        ObjectNode binary = F.objectNode();
        binary.putObject("properties").putObject("data").putObject("properties").putObject("vocab").putArray("enum")
                .add(2).add(NullNode.instance);
        rule(all, "`makkuva-minimal` needs binary data (`data.vocab` 2)", minimal, binary, null);
        ObjectNode headDim = F.objectNode();
        ArrayNode any = headDim.putArray("anyOf");
        ObjectNode inModel = any.addObject();
        inModel.putArray("required").add("model");
        inModel.putObject("properties").set("model", given("headDim"));
        ObjectNode inSweep = any.addObject();
        inSweep.putArray("required").add("sweep");
        inSweep.putObject("properties").putObject("sweep").putArray("required").add("model.headDim");
        ObjectNode noDModel = F.objectNode();
        ObjectNode np = noDModel.putObject("properties");
        np.putObject("model").putObject("properties").putObject("dModel").put("type", "null");
        np.putObject("sweep").putObject("not").putArray("required").add("model.dModel");
        rule(all, "with `model.headDim` (given or swept), `model.dModel` is `headDim × heads`: neither given nor swept",
                headDim, noDModel, null);
    }

    private static void rule(ArrayNode all, String description, ObjectNode condition, ObjectNode then, ObjectNode otherwise) {
        ObjectNode r = all.addObject();
        r.put("description", description);
        r.set("if", condition);
        r.set("then", then);
        if (otherwise != null) {
            r.set("else", otherwise);
        }
    }

    /** The family is {@code fam}; {@code orAbsent}: also when no family is given (the default family). */
    static ObjectNode familyIs(String fam, boolean orAbsent) {
        ObjectNode c = F.objectNode();
        if (orAbsent) {
            c.putObject("properties").putObject("family").putArray("enum").add(fam).add(NullNode.instance);
        } else {
            c.putArray("required").add("family");
            c.putObject("properties").putObject("family").put("const", fam);
        }
        return c;
    }

    /** The field is given, and not as null. */
    static ObjectNode given(String field) {
        ObjectNode g = F.objectNode();
        g.putArray("required").add(field);
        g.putObject("properties").putObject(field).putObject("not").put("type", "null");
        return g;
    }

    static ArrayNode withNull(List<String> names) {
        return strings(names).add(NullNode.instance);
    }

    static ArrayNode strings(List<String> names) {
        ArrayNode a = F.arrayNode();
        names.forEach(a::add);
        return a;
    }

    static String code(List<String> names) {
        return String.join(", ", names.stream().map(n -> "`" + n + "`").toList());
    }
}
