package dev.tdlab.analysis.rest;

import dev.tdlab.analysis.problem.ProblemException;
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
        add(new Info("rank-collapse", "Noci et al. 2022, Signal propagation in transformers (arXiv 2206.03126)",
                "without residual scaling, deep self-attention stacks collapse the tokens towards rank one at "
                        + "initialization and the query/key gradients vanish; residual branches scaled by 1/sqrt(L) or "
                        + "beta/L prevent it",
                "per run and layer: distance of the token matrix from rank one, gradient norms of W_Q, W_K, W_V at init "
                        + "and through training, attention entropy at init; per cell: collapsed or not (findings.collapsed)"));
        add(new Info("attention-kernels", "Song et al. 2024, Gaussian vs softmax attention (arXiv 2411.07538)",
                "training all of Q, K, V or only V reaches the global optimum with either kernel; training only Q is "
                        + "guaranteed only with the Gaussian kernel, which also converges faster",
                "per run: convergence step (train loss under the threshold), final train and test error; per cell: "
                        + "fraction converged"));
        add(new Info("signgd-stages", "Li et al. 2024, SignGD on two-layer transformers (arXiv 2410.04870)",
                "SignGD on noisy patches goes through four stages, fits the training set fast and generalizes poorly; "
                        + "Adam behaves like SignGD",
                "per run: stages (change points of the training loss) with their step boundaries, final train error and "
                        + "test error against the Bayes error"));
        add(new Info("infinite-limits", "Bordelon et al. 2024, Infinite limits of multi-head transformers (arXiv 2405.15712)",
                "under muP / depth-muP the dynamics converge as width N and heads H grow: loss curves collapse and the "
                        + "best learning rate transfers across widths; under the standard parameterization they do not",
                "per run: loss curve and head variance at init; per parameterization and learning rate: the RMS "
                        + "distance of each width's loss curve to the widest one and its fitted exponent; per width: "
                        + "the best learning rate"));
    }

    /** The request field that picks a template's size: {@code default} (minutes on 2 CPU cores) or {@code paper}. */
    static final String SCALE = "scale";
    static final List<String> SCALES = List.of("default", "paper");

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
        return resource(name);
    }

    /** The class-path resource of a template or of its paper overlay ({@code NAME.paper}). */
    static String resourcePath(String name) {
        return "experiment-templates/" + name + ".yaml";
    }

    private static JsonNode resource(String name) {
        try (InputStream in = Templates.class.getClassLoader().getResourceAsStream(resourcePath(name))) {
            if (in == null) {
                throw new IllegalStateException("template resource " + name + ".yaml is missing");
            }
            return SpecParser.readYamlResource(in);
        } catch (IOException e) {
            throw new IllegalStateException("template " + name + " cannot be read", e);
        }
    }

    /**
     * The named template with the request's overrides merged in. An override {@code "scale": "paper"} first merges the
     * template's paper-size overlay ({@code NAME.paper.yaml}: the sizes of the paper, for GPUs); the other overrides
     * are merged after it.
     */
    static JsonNode resolve(String name, JsonNode overrides) {
        JsonNode base = spec(name);
        if (overrides != null && overrides.isObject() && overrides.has(SCALE)) {
            ObjectNode rest = ((ObjectNode) overrides).deepCopy();
            JsonNode scale = rest.remove(SCALE);
            if (!scale.isTextual() || !SCALES.contains(scale.asText())) {
                throw ProblemException.badSpec(List.of(new Violation(SCALE, "must be one of " + SCALES)));
            }
            if (scale.asText().equals("paper")) {
                base = merge(base, resource(name + ".paper"));
            }
            return merge(base, rest);
        }
        return merge(base, overrides);
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
