package dev.tdlab.analysis.rest;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code docs/spec.md}, written from the schema alone: one table per object of the spec (field, type, default, allowed
 * values, description), the sweep's axes, the rules across fields the schema states, and those only the validator
 * checks.
 */
final class SpecSchemaDoc {

    private SpecSchemaDoc() {
    }

    static String markdown(JsonNode schema) {
        StringBuilder b = new StringBuilder();
        b.append("# The experiment spec\n\n");
        b.append("<!-- Generated from the JSON Schema by analysis-service's SpecSchemaGenerator: do not edit by hand. "
                + "Regenerate with\n     ").append(SpecSchemaGenerator.REGENERATE).append(" -->\n\n");
        b.append("What `POST /api/v1/experiments` accepts, as YAML (`Content-Type: application/yaml`) or JSON, and what the"
                + " templates under `analysis-service/src/main/resources/experiment-templates` are written in. The JSON"
                + " Schema (draft 2020-12) this page is made from is served at `GET /api/v1/spec/schema` and committed as"
                + " [`docs/examples/experiment-spec.schema.json`](examples/experiment-spec.schema.json); the service's"
                + " validator applies every rule below, and the few that only it can check are listed at the end.\n\n");
        b.append("An absent field and a field given as `null` are the same: the field takes its default. A field that"
                + " is not listed is refused (`400`, naming it). Example: [`examples/reference.yaml`](../examples/reference.yaml)."
                + " In the schema a constant default is `default`; one that depends on the family or on another field is"
                + " said in words in `x-default` (an annotation that validators ignore).\n\n");
        section(b, "The experiment", "", schema, schema);
        for (Map.Entry<String, JsonNode> d : SpecSchemaGenerator.fields(schema.get("$defs"))) {
            String title = switch (d.getKey()) {
                case "DataSpec" -> "data";
                case "ModelSpec" -> "model";
                case "InitSpec" -> "model.init";
                case "TrainSpec" -> "train";
                default -> null;
            };
            if (title != null) {
                section(b, "`" + title + "`", title + ".", d.getValue(), schema);
            }
        }
        b.append("## Sweep axes\n\n");
        b.append(schema.at("/properties/sweep/description").asText()).append(". Each axis is a non-empty list of"
                + " distinct values, each value as the field itself takes it. The fields that can be swept:\n\n");
        List<String> axes = new ArrayList<>();
        SpecSchemaGenerator.fields(schema.at("/properties/sweep/properties")).forEach(e -> axes.add("`" + e.getKey() + "`"));
        b.append(String.join(", ", axes)).append(".\n\n");
        b.append("## Rules across fields\n\n");
        b.append("Stated in the schema (`allOf` of `if`/`then`):\n\n");
        rules(b, schema);
        for (Map.Entry<String, JsonNode> d : SpecSchemaGenerator.fields(schema.get("$defs"))) {
            rules(b, d.getValue());
        }
        b.append("\nChecked by the validator only (JSON Schema cannot say them; a spec that breaks one passes the schema"
                + " and gets a `400` from the API):\n\n");
        for (SpecSchemaGenerator.ValidatorOnly v : SpecSchemaGenerator.VALIDATOR_ONLY) {
            b.append("- ").append(v.rule()).append('\n');
        }
        return b.toString();
    }

    private static void rules(StringBuilder b, JsonNode node) {
        for (JsonNode r : node.path("allOf")) {
            b.append("- ").append(r.path("description").asText()).append('\n');
        }
    }

    private static void section(StringBuilder b, String title, String prefix, JsonNode node, JsonNode schema) {
        b.append("## ").append(title).append("\n\n");
        b.append(node.path("description").asText()).append("\n\n");
        JsonNode required = node.path("required");
        b.append("| field | type | default | allowed values | description |\n|---|---|---|---|---|\n");
        for (Map.Entry<String, JsonNode> f : SpecSchemaGenerator.fields(node.get("properties"))) {
            JsonNode p = f.getValue();
            boolean req = false;
            for (JsonNode r : required) {
                req |= r.asText().equals(f.getKey());
            }
            b.append("| `").append(prefix).append(f.getKey()).append('`').append(req ? " (required)" : "")
                    .append(" | ").append(type(p)).append(" | ").append(defaultOf(p)).append(" | ")
                    .append(allowed(p)).append(" | ").append(cell(p.path("description").asText())).append(" |\n");
        }
        b.append('\n');
    }

    static String type(JsonNode p) {
        if (p.has("$ref")) {
            return "object (`" + ref(p.get("$ref").asText()) + "`)";
        }
        if (p.has("anyOf")) {
            for (JsonNode alt : p.get("anyOf")) {
                if (alt.has("$ref")) {
                    return "object (`" + ref(alt.get("$ref").asText()) + "`)";
                }
            }
        }
        JsonNode t = p.path("type");
        String base = "";
        if (t.isArray()) {
            for (JsonNode x : t) {
                if (!x.asText().equals("null")) {
                    base = x.asText();
                }
            }
        } else {
            base = t.asText();
        }
        if (base.equals("array")) {
            return "list of " + type(p.path("items"));
        }
        if (base.equals("object") && p.has("additionalProperties") && p.get("additionalProperties").isObject()) {
            return "map to " + type(p.get("additionalProperties"));
        }
        if (base.isEmpty() && p.has("anyOf")) {
            List<String> alts = new ArrayList<>();
            p.get("anyOf").forEach(a -> alts.add(a.has("enum") ? "string" : type(a)));
            return String.join(" or ", alts.stream().distinct().toList());
        }
        return base.isEmpty() ? "any scalar" : base;
    }

    private static String ref(String ref) {
        return switch (ref.substring(ref.lastIndexOf('/') + 1)) {
            case "DataSpec" -> "data";
            case "ModelSpec" -> "model";
            case "InitSpec" -> "model.init";
            case "TrainSpec" -> "train";
            default -> ref;
        };
    }

    static String defaultOf(JsonNode p) {
        if (p.has("x-default")) {
            return cell(p.get("x-default").asText());
        }
        if (p.has("default")) {
            return "`" + p.get("default") + "`";
        }
        return "";
    }

    static String allowed(JsonNode p) {
        List<String> out = new ArrayList<>();
        JsonNode items = p;
        String prefix = "";
        while (items.has("items")) {
            if (items.has("minItems") || items.has("maxItems")) {
                out.add(size(items, "items"));
            }
            if (items.path("uniqueItems").asBoolean()) {
                out.add("distinct");
            }
            items = items.get("items");
            prefix = "each ";
        }
        if (items.has("enum")) {
            List<String> names = new ArrayList<>();
            items.get("enum").forEach(e -> {
                if (!e.isNull()) {
                    names.add("`" + e.asText() + "`");
                }
            });
            out.add(prefix + "one of " + String.join(", ", names));
        }
        if (items.has("anyOf")) {
            for (JsonNode alt : items.get("anyOf")) {
                if (alt.has("enum")) {
                    List<String> names = new ArrayList<>();
                    alt.get("enum").forEach(e -> names.add("`" + e.asText() + "`"));
                    out.add(prefix + "one of " + String.join(", ", names) + ", or a parameter name (`layer0/attn/wq`, …)");
                }
            }
        }
        String range = range(items);
        if (!range.isEmpty()) {
            out.add(prefix + range);
        }
        if (items.has("minLength")) {
            out.add(items.get("minLength").asInt() + " to " + items.path("maxLength").asInt() + " characters");
        }
        if (p.has("propertyNames")) {
            out.add("keys: parameter names (`layer0/attn/wq`, …)");
        }
        return String.join("; ", out);
    }

    private static String size(JsonNode n, String what) {
        boolean lo = n.has("minItems");
        boolean hi = n.has("maxItems");
        if (lo && hi && n.get("minItems").asInt() == n.get("maxItems").asInt()) {
            return "exactly " + n.get("minItems").asInt() + " " + what;
        }
        return (lo ? n.get("minItems").asInt() : 0) + (hi ? " to " + n.get("maxItems").asInt() : " or more") + " " + what;
    }

    private static String range(JsonNode n) {
        String lo = n.has("minimum") ? "[" + num(n.get("minimum")) : n.has("exclusiveMinimum")
                ? "(" + num(n.get("exclusiveMinimum")) : null;
        String hi = n.has("maximum") ? num(n.get("maximum")) + "]" : n.has("exclusiveMaximum")
                ? num(n.get("exclusiveMaximum")) + ")" : null;
        if (lo == null && hi == null) {
            return "";
        }
        if (hi == null) {
            return n.has("minimum") ? "≥ " + num(n.get("minimum")) : "> " + num(n.get("exclusiveMinimum"));
        }
        return (lo == null ? "(−∞" : lo) + ", " + hi;
    }

    private static String num(JsonNode n) {
        double d = n.asDouble();
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : n.asText();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
