package dev.tdlab.analysis.verdict;

import dev.tdlab.analysis.verdict.Claims.Claim;
import dev.tdlab.analysis.verdict.Claims.Outcome;
import dev.tdlab.analysis.verdict.Claims.Run;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Noci et al. 2022 (arXiv 2206.03126), judged on a deep experiment that sweeps {@code model.residualScaling}: pure
 * functions. Both claims are judged at the largest depth of the sweep, comparing the unscaled stack ({@code none})
 * with every scaled one; the measures are {@link DeepFindings}'s (ρ, the Q/K-vs-V gradient ratio, the attention
 * entropy ratio, all at init).
 *
 * <p>Never a pass on missing data: each compared group needs {@link ClaimStats#MIN_SEEDS} finished seeds with the
 * measure, else INCONCLUSIVE with the reason. Collapse is told apart from softmax saturation by the attention entropy
 * at init: when the unscaled stack's lowest per-layer entropy ratio is under {@link #SATURATED} (attention close to
 * one-hot somewhere in the stack), or was not measured, both claims are INCONCLUSIVE: the setup cannot tell them apart.
 */
final class NociClaims {

    static final String PAPER = "Noci et al. 2022";
    /** Attention entropy / uniform entropy below which a layer's softmax counts as saturated. */
    static final double SATURATED = 0.5;
    /** Share of a group's seeds for "collapses" / "does not collapse" (as {@link Claims#MOST}). */
    static final double MOST = 0.9;

    private NociClaims() {
    }

    /** Both claims. */
    static List<Claim> judge(Map<String, Object> base, List<Run> runs) {
        return List.of(rankCollapse(base, runs), qkGradients(base, runs));
    }

    /** The deepest depth's runs by residual scaling (sorted), keeping those that carry {@code finding}. */
    private static Map<String, List<Run>> deepestByScaling(Map<String, Object> base, List<Run> runs, String finding,
                                                           Map<String, Object> ev) {
        int maxDepth = runs.stream().mapToInt(r -> depth(base, r)).max().orElse(0);
        ev.put("depth", maxDepth);
        Map<String, List<Run>> by = new TreeMap<>();
        for (Run r : runs) {
            if (depth(base, r) == maxDepth && r.findings().get(finding) instanceof Number n
                    && Double.isFinite(n.doubleValue())) {
                by.computeIfAbsent(String.valueOf(Claims.value(r, base, "model.residualScaling")),
                        k -> new ArrayList<>()).add(r);
            }
        }
        return by;
    }

    /** The reason the comparison cannot be made, or null: depth, groups, seeds, saturation. */
    private static String precondition(Map<String, List<Run>> by, Map<String, Object> ev, List<Run> allDeepest,
                                       String what) {
        int depth = (Integer) ev.get("depth");
        if (depth < 2) {
            return "the sweep's largest depth is " + depth + "; a stack needs at least 2 blocks";
        }
        if (!by.containsKey("none")) {
            return "no finished unscaled (residualScaling none) run with " + what + " at depth " + depth;
        }
        if (by.size() < 2) {
            return "no finished scaled run with " + what + " at depth " + depth;
        }
        for (Map.Entry<String, List<Run>> e : by.entrySet()) {
            if (e.getValue().size() < ClaimStats.MIN_SEEDS) {
                return e.getKey() + " has " + e.getValue().size() + " finished seeds with " + what + " at depth "
                        + depth + "; at least " + ClaimStats.MIN_SEEDS + " needed";
            }
        }
        double[] ent = ClaimStats.finite(allDeepest.stream()
                .map(r -> ClaimStats.number(r.findings().get("attnEntropyRatioInitMin"))).toList());
        if (ent.length == 0) {
            return "the attention entropy at init was not measured, so collapse cannot be told apart from a saturated"
                    + " softmax";
        }
        double m = CellStats.median(ent);
        if (m < SATURATED) {
            return "the unscaled stack's softmax is saturated at init (lowest per-layer attention entropy / uniform"
                    + " entropy, median over seeds " + String.format("%.3g", m) + " < " + SATURATED + "): collapse and"
                    + " saturation cannot be told apart in this setup";
        }
        return null;
    }

    /** At the largest depth, unscaled stacks collapse at init and every scaled one does not. */
    static Claim rankCollapse(Map<String, Object> base, List<Run> runs) {
        String statement = "at the largest depth, without residual scaling the tokens collapse towards rank one at "
                + "initialization (rho of the last block < the collapse threshold); with 1/sqrt(L) or beta/L scaling "
                + "they do not";
        Map<String, Object> ev = new LinkedHashMap<>();
        Map<String, List<Run>> by = deepestByScaling(base, runs, "rankCollapseInit", ev);
        for (Map.Entry<String, List<Run>> e : by.entrySet()) {
            List<Run> g = e.getValue();
            int k = (int) g.stream().filter(r -> Boolean.TRUE.equals(r.findings().get("collapsed"))).count();
            ev.put("collapsed " + e.getKey(), ClaimStats.shareUnrounded(k, g.size()));
            ev.put("rho at init " + e.getKey(), ClaimStats.medianUnrounded(values(g, "rankCollapseInit")));
            ev.put("attention entropy ratio at init (min over layers) " + e.getKey(),
                    ClaimStats.medianUnrounded(values(g, "attnEntropyRatioInitMin")));
        }
        String reason = precondition(by, ev, by.getOrDefault("none", List.of()), "rho at init");
        if (reason != null) {
            ev.put("reason", reason);
            return new Claim("rank-collapse", PAPER, statement, Outcome.INCONCLUSIVE, ev);
        }
        boolean confirmed = true, refuted = false;
        for (Map.Entry<String, List<Run>> e : by.entrySet()) {
            List<Run> g = e.getValue();
            int k = (int) g.stream().filter(r -> Boolean.TRUE.equals(r.findings().get("collapsed"))).count();
            CellStats.Interval w = CellStats.wilson(k, g.size(), ClaimStats.Z95);
            double share = (double) k / g.size();
            if (e.getKey().equals("none")) {
                confirmed &= share >= MOST;
                refuted |= w.high() < 0.5;   // clearly does not collapse
            } else {
                confirmed &= 1 - share >= MOST;
                refuted |= w.low() > 0.5;    // clearly collapses although scaled
            }
        }
        Outcome o = confirmed ? Outcome.CONFIRMED : refuted ? Outcome.REFUTED : Outcome.INCONCLUSIVE;
        if (o == Outcome.INCONCLUSIVE) {
            ev.put("reason", "mixed seeds: the collapsed shares neither meet " + MOST + " nor exclude 0.5");
        }
        return new Claim("rank-collapse", PAPER, statement, o, ev);
    }

    /**
     * At the largest depth, the Q/K-vs-V gradient ratio at init (median over layers) is smaller without residual
     * scaling than with each scaling: the bootstrap interval of the difference of log10 medians (scaled − unscaled)
     * lies above 0 for every scaling (CONFIRMED), below 0 for one (REFUTED), else INCONCLUSIVE.
     */
    static Claim qkGradients(Map<String, Object> base, List<Run> runs) {
        String statement = "at the largest depth, the query/key gradients at initialization are smaller relative to the "
                + "values' ((|dW_Q| + |dW_K|) / (2 |dW_V|), median over layers) without residual scaling than with it";
        Map<String, Object> ev = new LinkedHashMap<>();
        Map<String, List<Run>> by = deepestByScaling(base, runs, "qkOverVGradInit", ev);
        by.values().forEach(g -> g.removeIf(r -> !(ClaimStats.number(r.findings().get("qkOverVGradInit")) > 0)));
        for (Map.Entry<String, List<Run>> e : by.entrySet()) {
            ev.put("qk/v gradient ratio at init " + e.getKey(), ClaimStats.medianUnrounded(values(e.getValue(), "qkOverVGradInit")));
        }
        String reason = precondition(by, ev, by.getOrDefault("none", List.of()), "a finite gradient ratio");
        if (reason != null) {
            ev.put("reason", reason);
            return new Claim("qk-gradients-vanish", PAPER, statement, Outcome.INCONCLUSIVE, ev);
        }
        double[] none = log10(values(by.get("none"), "qkOverVGradInit"));
        boolean all = true, any = false;
        for (Map.Entry<String, List<Run>> e : by.entrySet()) {
            if (e.getKey().equals("none")) continue;
            double[] s = log10(values(e.getValue(), "qkOverVGradInit"));
            CellStats.Interval d = ClaimStats.DEEP.medianDifference(none, s);
            CellStats.Interval ci = new CellStats.Interval(-d.high(), -d.low()); // median(s) − median(none)
            ev.put("log10 ratio, " + e.getKey() + " minus none", Map.of(
                    "median", CellStats.median(s) - CellStats.median(none), "ci95", ClaimStats.list(ci)));
            all &= ci.low() > 0;
            any |= ci.high() < 0;
        }
        Outcome o = all ? Outcome.CONFIRMED : any ? Outcome.REFUTED : Outcome.INCONCLUSIVE;
        if (o == Outcome.INCONCLUSIVE) {
            ev.put("reason", "the interval of the difference includes 0 for some scaling");
        }
        return new Claim("qk-gradients-vanish", PAPER, statement, o, ev);
    }

    private static int depth(Map<String, Object> base, Run r) {
        Double d = ClaimStats.number(Claims.value(r, base, "model.depth"));
        return d == null ? 1 : d.intValue();
    }

    private static double[] values(List<Run> g, String finding) {
        return ClaimStats.finite(g.stream().map(r -> ClaimStats.number(r.findings().get(finding))).toList());
    }

    private static double[] log10(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Math.log10(v[i]);
        return out;
    }
}
