package dev.tdlab.core.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Parameter-name groups, for {@code trainable} subsets and per-group metrics. A group matches parameter names by
 * their last path segments, in every layer:
 *
 * <pre>
 * all   every parameter            emb  emb/wte, emb/wpe
 * q     * /attn/wq                 k    * /attn/wk        v  * /attn/wv     o  * /attn/wo
 * qk    q + k                      qkv  q + k + v         attn  q + k + v + o
 * mlp   * /mlp/w1, * /mlp/w2       head head/w, head/bias
 * </pre>
 * An exact parameter name (e.g. {@code layer0/attn/wq}) is accepted too.
 */
public final class ParameterGroups {

    /** Every group name, in a fixed order. */
    public static final List<String> GROUPS = List.of("all", "emb", "q", "k", "v", "o", "qk", "qkv", "attn", "mlp", "head");
    /** The disjoint groups that metrics report norms for. */
    public static final List<String> NORM_GROUPS = List.of("emb", "q", "k", "v", "o", "mlp", "head");

    private ParameterGroups() {
    }

    static Predicate<String> matcher(String group) {
        return switch (group) {
            case "all" -> n -> true;
            case "emb" -> n -> n.startsWith("emb/");
            case "q" -> n -> n.endsWith("/attn/wq");
            case "k" -> n -> n.endsWith("/attn/wk");
            case "v" -> n -> n.endsWith("/attn/wv");
            case "o" -> n -> n.endsWith("/attn/wo");
            case "qk" -> n -> n.endsWith("/attn/wq") || n.endsWith("/attn/wk");
            case "qkv" -> n -> n.endsWith("/attn/wq") || n.endsWith("/attn/wk") || n.endsWith("/attn/wv");
            case "attn" -> n -> n.contains("/attn/w");
            case "mlp" -> n -> n.contains("/mlp/");
            case "head" -> n -> n.startsWith("head/");
            default -> null;
        };
    }

    /** The parameters (in {@code parameters} order) that the groups name; see the class comment. */
    public static List<String> resolve(List<String> groups, List<String> parameters) {
        if (groups == null || groups.isEmpty()) throw new IllegalArgumentException("trainable must name at least one group");
        Set<String> chosen = new LinkedHashSet<>();
        for (String g : groups) {
            if (g == null) throw new IllegalArgumentException("trainable has a null group");
            Predicate<String> m = matcher(g);
            if (m == null && !parameters.contains(g)) {
                throw new IllegalArgumentException("trainable group '" + g + "' is unknown; groups: " + GROUPS
                        + " or a parameter name " + parameters);
            }
            Predicate<String> p = m != null ? m : g::equals;
            int before = chosen.size();
            boolean any = false;
            for (String n : parameters) {
                if (p.test(n)) {
                    any = true;
                    chosen.add(n);
                }
            }
            if (!any) throw new IllegalArgumentException("trainable group '" + g + "' names no parameter of this model "
                    + parameters);
            assert chosen.size() >= before;
        }
        List<String> out = new ArrayList<>();
        for (String n : parameters) if (chosen.contains(n)) out.add(n);
        return out;
    }

    /** The non-empty {@link #NORM_GROUPS} of these parameters: group -> parameter names. */
    public static Map<String, List<String>> normGroups(List<String> parameters) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String g : NORM_GROUPS) {
            List<String> names = parameters.stream().filter(matcher(g)).toList();
            if (!names.isEmpty()) m.put(g, names);
        }
        return m;
    }
}
