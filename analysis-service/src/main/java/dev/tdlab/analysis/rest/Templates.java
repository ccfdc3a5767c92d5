package dev.tdlab.analysis.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tdlab.contracts.spec.Violation;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named, documented experiment templates (one YAML resource each under {@code experiment-templates/}),
 * and the merge of a request's overrides into one: objects merge field by field, anything else
 * (numbers, strings, lists) replaces the template's value.
 */
final class Templates {

    /** What a template is for: the paper, its claim, and what the template measures. */
    record Info(String name, String paper, String claim, String measures) {
    }

    static final Map<String, Info> ALL = new LinkedHashMap<>();

    static {
        add(new Info("local-to-global", "Makkuva et al. 2024, Local to Global (arXiv 2406.03072)",
                "single-layer transformers trained on first-order Markov chains reach the global minimum (entropy rate) "
                        + "or a bad local minimum (unigram entropy) depending on the chain and the initialization; the bad "
                        + "local minima exist when p + q > 1",
                "fraction of GLOBAL verdicts per (p, q) cell over seeds, with the p + q = 1 line in the phase diagram"));
    }

    private static void add(Info i) {
        ALL.put(i.name(), i);
    }

    private Templates() {
    }

    static JsonNode spec(String name) {
        if (!ALL.containsKey(name)) {
            throw new ProblemException(400, "Unknown template", "no template '" + name + "'; known: " + ALL.keySet(),
                    List.of(new Violation("template", "must be one of " + ALL.keySet())));
        }
        try (InputStream in = Templates.class.getClassLoader().getResourceAsStream("experiment-templates/" + name + ".yaml")) {
            return SpecParser.readYamlResource(in);
        } catch (IOException e) {
            throw new IllegalStateException("template " + name + " cannot be read", e);
        }
    }

    /** The template with the overrides merged in (a copy; the template is untouched). */
    static JsonNode merge(JsonNode template, JsonNode overrides) {
        JsonNode out = template.deepCopy();
        if (overrides == null || overrides.isNull() || (overrides.isObject() && overrides.isEmpty())) {
            return out;
        }
        if (!overrides.isObject()) {
            throw ProblemException.badSpec(List.of(new Violation("", "overrides of a template must be an object")));
        }
        mergeInto((ObjectNode) out, (ObjectNode) overrides);
        return out;
    }

    private static void mergeInto(ObjectNode target, ObjectNode overrides) {
        for (Iterator<Map.Entry<String, JsonNode>> it = overrides.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode cur = target.get(f.getKey());
            if (cur != null && cur.isObject() && f.getValue().isObject()) {
                mergeInto((ObjectNode) cur, (ObjectNode) f.getValue());
            } else {
                target.set(f.getKey(), f.getValue().deepCopy());
            }
        }
    }
}
