package dev.tdlab.analysis.verdict;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The seed papers' headline claims, judged on an experiment's finished runs ({@link Findings} and final losses):
 * pure functions. Which claims apply follows from the experiment itself (its model family and what it sweeps), not
 * from its name, so a template submitted with overrides, or a hand-written spec of the same shape, is judged alike.
 *
 * <p>Each claim is {@code CONFIRMED}, {@code REFUTED} or {@code INCONCLUSIVE} (too few finished runs, or the runs
 * needed for the comparison are not in the sweep), with the numbers it was decided on.
 */
public final class Claims {

    public enum Outcome { CONFIRMED, REFUTED, INCONCLUSIVE }

    /** One claim's judgement. */
    public record Claim(String id, String paper, String statement, Outcome outcome, Map<String, Object> evidence) {
    }

    /** What a claim needs of one run: its swept values, seed, final eval loss and findings. Unfinished runs: absent. */
    public record Run(Map<String, Object> cell, long seed, Double finalEvalLoss, Double finalTrainLoss,
                      Map<String, Object> findings) {
    }

    /** Share of the runs a group needs for a fraction claim to count as met ("all" allows one stray seed in 10). */
    static final double MOST = 0.9;

    private Claims() {
    }

    /** The claims that apply to an experiment of {@code family} sweeping {@code axes}, judged on {@code runs}. */
    public static List<Claim> judge(String family, Map<String, Object> base, java.util.Set<String> axes, List<Run> runs) {
        List<Claim> out = new ArrayList<>();
        if ("deep".equals(family) && axes.contains("model.residualScaling")) {
            out.add(rankCollapse(base, runs));
        }
        if ("deep".equals(family) && axes.contains("model.dModel") && axes.contains("model.parameterization")) {
            out.add(widthCollapse(base, runs));
            if (axes.contains("train.lr")) {
                out.add(lrTransfer(base, runs));
            }
        }
        if ("two-layer-classifier".equals(family) && axes.contains("model.attention") && axes.contains("train.trainable")) {
            out.addAll(kernels(base, runs));
        }
        if ("two-layer-classifier".equals(family) && (axes.contains("train.optimizer")
                || "signgd".equals(base.get("train.optimizer")))) {
            out.add(signGd(base, runs));
        }
        return out;
    }

    // ---- Noci et al.: unscaled deep stacks collapse at init, scaled ones do not -------------------------------

    static Claim rankCollapse(Map<String, Object> base, List<Run> runs) {
        String statement = "at the largest depth, unscaled residual branches collapse the tokens to rank one at init "
                + "(and the query/key gradients fall behind the values'); 1/sqrt(L) and beta/L scaling do not collapse";
        int maxDepth = runs.stream().mapToInt(r -> intOf(value(r, base, "model.depth"), 1)).max().orElse(0);
        List<Run> deepest = runs.stream().filter(r -> intOf(value(r, base, "model.depth"), 1) == maxDepth
                && r.findings().containsKey("collapsed")).toList();
        List<Run> none = deepest.stream().filter(r -> "none".equals(value(r, base, "model.residualScaling"))).toList();
        List<Run> scaled = deepest.stream().filter(r -> !"none".equals(value(r, base, "model.residualScaling"))).toList();
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("depth", maxDepth);
        ev.put("collapsedUnscaled", count(none, r -> Boolean.TRUE.equals(r.findings().get("collapsed"))) + "/" + none.size());
        ev.put("collapsedScaled", count(scaled, r -> Boolean.TRUE.equals(r.findings().get("collapsed"))) + "/" + scaled.size());
        ev.put("rankCollapseInitUnscaled", median(none, "rankCollapseInit"));
        ev.put("rankCollapseInitScaled", median(scaled, "rankCollapseInit"));
        ev.put("qkOverVGradInitUnscaled", median(none, "qkOverVGradInit"));
        ev.put("qkOverVGradInitScaled", median(scaled, "qkOverVGradInit"));
        if (none.isEmpty() || scaled.isEmpty() || maxDepth < 2) {
            return new Claim("rank-collapse", "Noci et al. 2022", statement, Outcome.INCONCLUSIVE, ev);
        }
        boolean unscaledCollapse = share(none, r -> Boolean.TRUE.equals(r.findings().get("collapsed"))) >= MOST;
        boolean scaledNot = share(scaled, r -> Boolean.FALSE.equals(r.findings().get("collapsed"))) >= MOST;
        Double qu = (Double) ev.get("qkOverVGradInitUnscaled"), qs = (Double) ev.get("qkOverVGradInitScaled");
        boolean gradients = qu == null || qs == null || qu < qs;
        return new Claim("rank-collapse", "Noci et al. 2022", statement,
                unscaledCollapse && scaledNot && gradients ? Outcome.CONFIRMED : Outcome.REFUTED, ev);
    }

    // ---- Song et al.: kernels and trainable subsets ------------------------------------------------------------

    static List<Claim> kernels(Map<String, Object> base, List<Run> runs) {
        List<Claim> out = new ArrayList<>();
        Map<String, Object> ev1 = new LinkedHashMap<>();
        boolean allOk = true, any = false;
        for (String kernel : List.of("softmax", "gaussian")) {
            for (String subset : List.of("[all]", "[v]")) {
                List<Run> g = group(runs, base, kernel, subset);
                ev1.put(kernel + " " + subset + " converged", count(g, Claims::converged) + "/" + g.size());
                if (!g.isEmpty()) {
                    any = true;
                    allOk &= share(g, Claims::converged) >= MOST;
                }
            }
        }
        out.add(new Claim("kernels-all-and-v", "Song et al. 2024",
                "training all of Q, K, V or only V reaches the optimum with both kernels",
                !any ? Outcome.INCONCLUSIVE : allOk ? Outcome.CONFIRMED : Outcome.REFUTED, ev1));

        Map<String, Object> ev2 = new LinkedHashMap<>();
        List<Run> gq = group(runs, base, "gaussian", "[q]"), sq = group(runs, base, "softmax", "[q]");
        double fg = share(gq, Claims::converged), fs = share(sq, Claims::converged);
        ev2.put("gaussian [q] converged", count(gq, Claims::converged) + "/" + gq.size());
        ev2.put("softmax [q] converged", count(sq, Claims::converged) + "/" + sq.size());
        ev2.put("gaussian [q] median final train loss", medianOf(gq, Run::finalTrainLoss));
        ev2.put("softmax [q] median final train loss", medianOf(sq, Run::finalTrainLoss));
        Outcome o2;
        if (gq.isEmpty() || sq.isEmpty()) {
            o2 = Outcome.INCONCLUSIVE;
        } else {
            Double lg = (Double) ev2.get("gaussian [q] median final train loss");
            Double ls = (Double) ev2.get("softmax [q] median final train loss");
            boolean better = fg > fs || (fg == fs && lg != null && ls != null && lg < ls);
            o2 = fg >= MOST && better ? Outcome.CONFIRMED : Outcome.REFUTED;
        }
        out.add(new Claim("kernels-q-only", "Song et al. 2024",
                "training only Q reaches the optimum with the Gaussian kernel, not reliably with softmax", o2, ev2));

        Map<String, Object> ev3 = new LinkedHashMap<>();
        List<Run> ga = group(runs, base, "gaussian", "[all]"), sa = group(runs, base, "softmax", "[all]");
        Double stepG = medianOf(ga, r -> number(r.findings().get("trainConvergenceStep")));
        Double stepS = medianOf(sa, r -> number(r.findings().get("trainConvergenceStep")));
        ev3.put("gaussian [all] median convergence step", stepG);
        ev3.put("softmax [all] median convergence step", stepS);
        Outcome o3 = stepG == null || stepS == null ? Outcome.INCONCLUSIVE
                : stepG < stepS ? Outcome.CONFIRMED : Outcome.REFUTED;
        out.add(new Claim("kernels-gaussian-faster", "Song et al. 2024",
                "with all of Q, K, V trained, the Gaussian kernel converges in fewer steps than softmax", o3, ev3));
        return out;
    }

    // ---- Li et al.: SignGD fits fast, generalizes poorly; Adam alike ------------------------------------------

    static Claim signGd(Map<String, Object> base, List<Run> runs) {
        Map<String, Object> ev = new LinkedHashMap<>();
        boolean ok = true, any = false;
        for (String opt : List.of("signgd", "adam")) {
            List<Run> g = runs.stream().filter(r -> opt.equals(value(r, base, "train.optimizer"))
                    && r.findings().containsKey("finalTrainError")).toList();
            if (g.isEmpty()) {
                continue;
            }
            any = true;
            Double train = median(g, "finalTrainError"), gap = median(g, "generalizationGap");
            ev.put(opt + " median final train error", train);
            ev.put(opt + " median test error - Bayes error", gap);
            ev.put(opt + " median convergence step", medianOf(g, r -> number(r.findings().get("trainConvergenceStep"))));
            ev.put(opt + " median stages", medianOf(g, r -> r.findings().get("stages") instanceof List<?> l
                    ? (double) l.size() : null));
            ok &= train != null && train <= 0.01 && gap != null && gap >= 0.1;
        }
        return new Claim("signgd-fit-not-generalize", "Li et al. 2024",
                "SignGD (and Adam) drive the training error to zero while the test error stays well above the Bayes "
                        + "error (≥ 0.1 above)",
                !any ? Outcome.INCONCLUSIVE : ok ? Outcome.CONFIRMED : Outcome.REFUTED, ev);
    }

    // ---- Bordelon et al.: width limits ------------------------------------------------------------------------

    /** Spread (max − min) of the final eval loss across widths, per (parameterization, lr), medians over seeds. */
    static Map<String, Double> spreads(Map<String, Object> base, List<Run> runs) {
        Map<String, Map<Integer, List<Double>>> by = new TreeMap<>();
        for (Run r : runs) {
            if (r.finalEvalLoss() == null || !Double.isFinite(r.finalEvalLoss())) {
                continue;
            }
            String key = value(r, base, "model.parameterization") + " lr=" + value(r, base, "train.lr");
            by.computeIfAbsent(key, k -> new TreeMap<>())
                    .computeIfAbsent(intOf(value(r, base, "model.dModel"), 0), k -> new ArrayList<>()).add(r.finalEvalLoss());
        }
        Map<String, Double> out = new TreeMap<>();
        by.forEach((k, widths) -> {
            if (widths.size() >= 2) {
                double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
                for (List<Double> v : widths.values()) {
                    double m = CellStats.median(v.stream().mapToDouble(Double::doubleValue).toArray());
                    lo = Math.min(lo, m);
                    hi = Math.max(hi, m);
                }
                out.put(k, hi - lo);
            }
        });
        return out;
    }

    static Claim widthCollapse(Map<String, Object> base, List<Run> runs) {
        Map<String, Double> s = spreads(base, runs);
        Map<String, Object> ev = new LinkedHashMap<>(s);
        Double mup = medianWhere(s, k -> k.startsWith("mup ")), sp = medianWhere(s, k -> k.startsWith("standard "));
        ev.put("median spread mup", mup);
        ev.put("median spread standard", sp);
        Outcome o = mup == null || sp == null ? Outcome.INCONCLUSIVE : mup < sp ? Outcome.CONFIRMED : Outcome.REFUTED;
        return new Claim("width-collapse", "Bordelon et al. 2024",
                "under muP the final losses at a fixed learning rate agree across widths more closely than under the "
                        + "standard parameterization", o, ev);
    }

    static Claim lrTransfer(Map<String, Object> base, List<Run> runs) {
        Map<String, Object> ev = new LinkedHashMap<>();
        Map<String, Integer> distinct = new LinkedHashMap<>();
        for (String param : List.of("standard", "mup", "depth-mup")) {
            Map<Integer, Map<Double, List<Double>>> byWidth = new TreeMap<>();
            for (Run r : runs) {
                if (!param.equals(value(r, base, "model.parameterization")) || r.finalEvalLoss() == null
                        || !Double.isFinite(r.finalEvalLoss())) {
                    continue;
                }
                byWidth.computeIfAbsent(intOf(value(r, base, "model.dModel"), 0), k -> new TreeMap<>())
                        .computeIfAbsent(number(value(r, base, "train.lr")), k -> new ArrayList<>()).add(r.finalEvalLoss());
            }
            if (byWidth.size() < 2) {
                continue;
            }
            Map<Integer, Double> best = new TreeMap<>();
            byWidth.forEach((w, lrs) -> best.put(w, lrs.entrySet().stream()
                    .min(Comparator.comparingDouble(e -> CellStats.median(e.getValue().stream().mapToDouble(Double::doubleValue).toArray())))
                    .map(Map.Entry::getKey).orElse(null)));
            ev.put("best lr per width, " + param, best);
            distinct.put(param, (int) best.values().stream().filter(Objects::nonNull).distinct().count());
        }
        Integer m = distinct.get("mup");
        Outcome o = m == null ? Outcome.INCONCLUSIVE : m == 1 ? Outcome.CONFIRMED
                : Outcome.REFUTED;
        return new Claim("lr-transfer", "Bordelon et al. 2024",
                "under muP the best learning rate is the same at every width", o, ev);
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static List<Run> group(List<Run> runs, Map<String, Object> base, String kernel, String subset) {
        return runs.stream().filter(r -> kernel.equals(value(r, base, "model.attention"))
                && subset.equals(String.valueOf(value(r, base, "train.trainable")).replace(" ", ""))
                && r.findings().containsKey("trainConverged")).toList();
    }

    private static boolean converged(Run r) {
        return Boolean.TRUE.equals(r.findings().get("trainConverged"));
    }

    /** The run's value of a dotted field: swept in its cell, else the experiment's base value. */
    static Object value(Run r, Map<String, Object> base, String field) {
        return r.cell().containsKey(field) ? r.cell().get(field) : base.get(field);
    }

    private static int intOf(Object o, int dflt) {
        return o instanceof Number n ? n.intValue() : dflt;
    }

    private static Double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : null;
    }

    private static int count(List<Run> runs, Predicate<Run> p) {
        return (int) runs.stream().filter(p).count();
    }

    private static double share(List<Run> runs, Predicate<Run> p) {
        return runs.isEmpty() ? 0 : (double) count(runs, p) / runs.size();
    }

    private static Double median(List<Run> runs, String finding) {
        return medianOf(runs, r -> number(r.findings().get(finding)));
    }

    private static Double medianOf(List<Run> runs, java.util.function.Function<Run, Double> f) {
        double[] v = runs.stream().map(f).filter(x -> x != null && Double.isFinite(x)).mapToDouble(Double::doubleValue).toArray();
        return v.length == 0 ? null : CellStats.median(v);
    }

    private static Double medianWhere(Map<String, Double> m, Predicate<String> key) {
        double[] v = m.entrySet().stream().filter(e -> key.test(e.getKey())).mapToDouble(Map.Entry::getValue).toArray();
        return v.length == 0 ? null : CellStats.median(v);
    }
}
