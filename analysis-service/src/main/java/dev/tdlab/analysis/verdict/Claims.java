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

    /**
     * What a claim needs of one run: its swept values, seed, final eval loss, findings, verdict and whether its optimum
     * coincides with a plateau (uninformative: left out of claims). Unfinished runs: absent.
     */
    public record Run(Map<String, Object> cell, long seed, Double finalEvalLoss, Double finalTrainLoss,
                      Map<String, Object> findings, String verdict, boolean uninformative) {

        /** Without a verdict. */
        public Run(Map<String, Object> cell, long seed, Double finalEvalLoss, Double finalTrainLoss,
                   Map<String, Object> findings) {
            this(cell, seed, finalEvalLoss, finalTrainLoss, findings, null, false);
        }
    }

    /** Share of the runs a group needs for a fraction claim to count as met ("all" allows one stray seed in 10). */
    static final double MOST = 0.9;

    private Claims() {
    }

    /** The claims that apply to an experiment of {@code family} sweeping {@code axes}, judged on {@code runs}. */
    public static List<Claim> judge(String family, Map<String, Object> base, java.util.Set<String> axes, List<Run> runs) {
        List<Claim> out = new ArrayList<>();
        if ("deep".equals(family) && axes.contains("model.residualScaling")) {
            out.addAll(NociClaims.judge(base, runs));
        }
        if ("deep".equals(family)) {
            out.addAll(BordelonClaims.judge(base, axes, runs));
        }
        if ("two-layer-classifier".equals(family) && axes.contains("model.attention") && axes.contains("train.trainable")) {
            out.addAll(kernels(base, runs));
        }
        if (("makkuva-minimal".equals(family) || "single-layer".equals(family)) && axes.contains("data.p")
                && axes.contains("data.q")) {
            out.add(LocalToGlobal.split(base, runs));
            out.add(LocalToGlobal.initGuideline(base, runs));
        }
        if ("two-layer-classifier".equals(family) && (axes.contains("train.optimizer")
                || "signgd".equals(base.get("train.optimizer")))) {
            out.addAll(signGd(base, runs));
        }
        return out;
    }

    // ---- Noci et al.: unscaled deep stacks collapse at init, scaled ones do not -------------------------------

    /** Noci et al.'s rank-collapse claim: see {@link NociClaims#rankCollapse}. */
    static Claim rankCollapse(Map<String, Object> base, List<Run> runs) {
        return NociClaims.rankCollapse(base, runs);
    }

    // ---- Song et al.: kernels and trainable subsets ------------------------------------------------------------

    static List<Claim> kernels(Map<String, Object> base, List<Run> runs) {
        return SongClaims.judge(base, runs);
    }

    // ---- Li et al.: SignGD fits fast, generalizes poorly; Adam alike ------------------------------------------

    static List<Claim> signGd(Map<String, Object> base, List<Run> runs) {
        return LiClaims.judge(base, runs);
    }

    // ---- Bordelon et al.: width limits ------------------------------------------------------------------------

    /** Bordelon et al.'s width convergence of whole loss curves: see {@link BordelonClaims#widthCollapse}. */
    static Claim widthCollapse(Map<String, Object> base, List<Run> runs) {
        return BordelonClaims.widthCollapse(base, "model.dModel", runs);
    }

    /** Bordelon et al.'s learning-rate transfer with an interior optimum: see {@link BordelonClaims#lrTransfer}. */
    static Claim lrTransfer(Map<String, Object> base, List<Run> runs) {
        return BordelonClaims.lrTransfer(base, "model.dModel", runs);
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
