package dev.tdlab.analysis.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.contracts.spec.ExperimentSpec;
import dev.tdlab.contracts.spec.InitSpec;
import dev.tdlab.contracts.spec.ModelSpec;
import dev.tdlab.contracts.spec.SpecValidator;
import dev.tdlab.contracts.spec.TrainSpec;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The defaults of the spec's fields, found by calling each record's {@code withDefaults()} on an empty record of every
 * family: a constant default becomes the schema's {@code default}; one that depends on the family or on another field
 * is said in words in {@code x-default} (an annotation keyword: JSON Schema ignores keywords it does not know).
 */
final class SpecSchemaDefaults {

    private SpecSchemaDefaults() {
    }

    static void annotate(ObjectNode p, SpecSchemaGenerator.Section s, RecordComponent rc, String path) throws Exception {
        String note = SpecSchemaGenerator.DEFAULT_NOTES.get(path);
        if (note != null) {
            p.put("x-default", note);
            return;
        }
        if (s.type() == ExperimentSpec.class) {
            if (path.equals("seeds") || path.equals("sweep")) {
                JsonNode v = SpecSchemaGenerator.JSON.valueToTree(rc.getAccessor().invoke(
                        new ExperimentSpec(null, null, null, null, null, null).withDefaults()));
                p.set("default", v);
            }
            return;
        }
        if (rc.getName().equals("family")) {
            p.put("default", s.type() == DataSpec.class ? DataSpec.MARKOV : ModelSpec.SINGLE_LAYER);
            return;
        }
        // family -> the default this family gives the field (families that do not read it left out)
        Map<String, JsonNode> byFamily = new LinkedHashMap<>();
        String first;
        if (s.type() == DataSpec.class) {
            first = DataSpec.MARKOV;
            Map<String, List<String>> reads = SpecValidator.dataFieldsByFamily();
            for (String f : families(first, SpecValidator.allowedNames().get("data.family"))) {
                if (List.of("trainSequences", "evalSequences").contains(rc.getName()) || reads.get(f).contains(rc.getName())) {
                    byFamily.put(f, value(rc, empty(DataSpec.class, f)));
                }
            }
        } else if (s.type() == ModelSpec.class) {
            first = ModelSpec.SINGLE_LAYER;
            for (String f : families(first, SpecValidator.allowedNames().get("model.family"))) {
                byFamily.put(f, value(rc, empty(ModelSpec.class, f)));
            }
        } else {
            first = "";
            byFamily.put(first, value(rc, empty(s.type(), null)));
        }
        Map<String, List<String>> groups = new LinkedHashMap<>(); // value -> families
        byFamily.forEach((f, v) -> groups.computeIfAbsent(v.toString(), k -> new ArrayList<>()).add(f));
        if (groups.size() == 1) {
            JsonNode v = byFamily.values().iterator().next();
            if (!v.isNull()) {
                p.set("default", v);
            }
            if (byFamily.size() < familyCount(s) && !byFamily.containsKey(first) && !v.isNull()) {
                p.remove("default");
                p.put("x-default", "`" + v + "`");
            }
            return;
        }
        List<String> parts = new ArrayList<>();
        JsonNode base = byFamily.get(first);
        if (base != null && !base.isNull()) {
            p.set("default", base);
        }
        groups.forEach((v, fams) -> parts.add((fams.contains(first) ? "" : String.join(", ", fams.stream()
                .map(f -> "`" + f + "`").toList()) + ": ") + (v.equals("null") ? "absent" : "`" + v + "`")));
        p.put("x-default", String.join("; ", parts));
    }

    private static int familyCount(SpecSchemaGenerator.Section s) {
        return s.type() == DataSpec.class ? SpecValidator.allowedNames().get("data.family").size()
                : s.type() == ModelSpec.class ? SpecValidator.allowedNames().get("model.family").size() : 1;
    }

    /** The default family first, then the others in order. */
    private static List<String> families(String first, List<String> all) {
        List<String> out = new ArrayList<>(List.of(first));
        all.stream().filter(f -> !f.equals(first)).forEach(out::add);
        return out;
    }

    private static JsonNode value(RecordComponent rc, Object defaulted) throws Exception {
        return SpecSchemaGenerator.JSON.valueToTree(rc.getAccessor().invoke(defaulted));
    }

    /** The record with only its family set (or nothing), after {@code withDefaults()}. */
    private static Object empty(Class<? extends Record> type, String family) throws Exception {
        RecordComponent[] comps = type.getRecordComponents();
        Class<?>[] types = new Class<?>[comps.length];
        Object[] args = new Object[comps.length];
        for (int i = 0; i < comps.length; i++) {
            types[i] = comps[i].getType();
            if (comps[i].getName().equals("family")) {
                args[i] = family;
            }
        }
        Constructor<? extends Record> c = type.getDeclaredConstructor(types);
        Object r = c.newInstance(args);
        return r instanceof DataSpec d ? d.withDefaults() : r instanceof ModelSpec m ? m.withDefaults()
                : r instanceof InitSpec i ? i.withDefaults() : ((TrainSpec) r).withDefaults();
    }
}
