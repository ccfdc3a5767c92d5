package dev.tdlab.analysis.verdict;

import dev.tdlab.analysis.verdict.Claims.Claim;
import dev.tdlab.analysis.verdict.Claims.Outcome;
import dev.tdlab.analysis.verdict.Claims.Run;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.tdlab.analysis.verdict.ClaimStats.MIN_SEEDS;
import static dev.tdlab.analysis.verdict.ClaimStats.MOST;
import static dev.tdlab.analysis.verdict.ClaimStats.number;
import static dev.tdlab.analysis.verdict.ClaimStats.value;

/**
 * Li et al. 2024 (arXiv 2410.04870) on an experiment of the two-layer classifier with SignGD, Adam and (the control
 * arm) GD: pure functions. Each arm needs {@link ClaimStats#MIN_SEEDS} finished runs.
 *
 * <ul>
 *   <li>{@code signgd-fit-not-generalize}: SignGD and Adam reach train error ≤ {@link #FIT} on the whole training set
 *       and their test error stays ≥ {@link #GAP} above the Bayes error (90 % of the runs). The train error is the
 *       whole training set's only under full-batch training ({@code train.fullBatch}, or GD): otherwise INCONCLUSIVE.
 *       A run that has not fit counts against the claim only once its loss has stalled (else: budget).</li>
 *   <li>{@code signgd-not-data-noise}: the poor generalization is not due to the data noise alone: GD on the same data
 *       fits and generalizes (median gap &lt; {@link #GAP}) while SignGD does not; the 95 % bootstrap interval of
 *       median gap(SignGD) − median gap(GD) lies above 0.</li>
 *   <li>{@code signgd-four-stages}: the four stages ({@link LiStages}), found on the stage quantities, happen in the
 *       paper's order in 90 % of the SignGD runs; their end steps (median and interval) are reported next to the
 *       paper's description of each.</li>
 *   <li>{@code adam-like-signgd}: Adam's trajectories of the stage quantities follow SignGD's: per seed and quantity
 *       the mean |adam − signgd| over the common steps, divided by the range of SignGD's curve; CONFIRMED when the
 *       median over seeds is ≤ {@link #CLOSE} for every quantity and, with a GD arm, below GD's distance to SignGD.</li>
 * </ul>
 */
public final class LiClaims {

    static final String PAPER = "Li et al. 2024";
    /** Train error at or under which a run has fit its training set. */
    static final double FIT = 0.01;
    /** Test error − Bayes error at or above which a run generalizes poorly. */
    static final double GAP = 0.1;
    /** Normalized trajectory distance at or under which two optimizers' curves count as alike. */
    static final double CLOSE = 0.25;
    /** The quantities the stages are defined on, compared between optimizers. */
    static final List<String> COMPARED = List.of(LiStages.VALUE_NOISE, LiStages.QK_NOISE, LiStages.QK_SIGNAL,
            LiStages.ATTN_NOISE);

    private LiClaims() {
    }

    public static List<Claim> judge(Map<String, Object> base, List<Run> runs) {
        return List.of(fit(base, runs), notDataNoise(base, runs), stages(base, runs), adamLikeSignGd(base, runs));
    }

    /**
     * An optimizer's finished runs. When {@code train.lr} is swept (a GD control needs a larger rate than SignGD's),
     * SignGD's and Adam's arm is their runs at the experiment's base {@code train.lr}, and GD's its runs at the swept
     * rate with the lowest median final train loss (the control tuned).
     */
    static List<Run> arm(Map<String, Object> base, List<Run> runs, String optimizer) {
        List<Run> all = runs.stream().filter(r -> optimizer.equals(value(r, base, "train.optimizer"))
                && r.findings().containsKey("finalTrainError")).toList();
        if (all.stream().noneMatch(r -> r.cell().containsKey("train.lr"))) {
            return all;
        }
        if (!"gd".equals(optimizer)) {
            Double lr = number(base.get("train.lr"));
            return all.stream().filter(r -> lr != null && lr.equals(number(value(r, base, "train.lr")))).toList();
        }
        Map<Double, List<Run>> byLr = new java.util.TreeMap<>();
        all.forEach(r -> byLr.computeIfAbsent(number(value(r, base, "train.lr")), k -> new ArrayList<>()).add(r));
        List<Run> best = List.of();
        double bestLoss = Double.POSITIVE_INFINITY;
        for (List<Run> g : byLr.values()) {
            double[] l = ClaimStats.values(g, Run::finalTrainLoss);
            double m = l.length == 0 ? Double.POSITIVE_INFINITY : CellStats.median(l);
            if (best.isEmpty() || m < bestLoss) {
                best = g;
                bestLoss = m;
            }
        }
        return best;
    }

    static boolean fullBatch(Map<String, Object> base, Run r) {
        return "gd".equals(value(r, base, "train.optimizer")) || Boolean.TRUE.equals(value(r, base, "train.fullBatch"));
    }

    private static boolean fits(Run r) {
        Double e = number(r.findings().get("finalTrainError"));
        return e != null && e <= FIT;
    }

    private static boolean poor(Run r) {
        Double g = number(r.findings().get("generalizationGap"));
        return g != null && g >= GAP;
    }

    private static double[] gaps(List<Run> g) {
        return ClaimStats.values(g, r -> number(r.findings().get("generalizationGap")));
    }

    // ---- fit but do not generalize ----------------------------------------------------------------------------

    static Claim fit(Map<String, Object> base, List<Run> runs) {
        Map<String, Object> ev = new LinkedHashMap<>();
        List<String> reasons = new ArrayList<>();
        boolean ok = true, refuted = false;
        for (String opt : List.of("signgd", "adam")) {
            List<Run> g = arm(base, runs, opt);
            int fit = (int) g.stream().filter(LiClaims::fits).count();
            int poor = (int) g.stream().filter(LiClaims::poor).count();
            int unfinished = (int) g.stream().filter(r -> !fits(r) && !Boolean.TRUE.equals(r.findings().get("trainLossStalled")))
                    .count();
            ev.put(opt + " fit the training set", ClaimStats.share(fit, g.size()));
            ev.put(opt + " final train error", ClaimStats.median(ClaimStats.values(g,
                    r -> number(r.findings().get("finalTrainError")))));
            ev.put(opt + " test error − Bayes error", ClaimStats.median(gaps(g)));
            ev.put(opt + " generalize poorly (gap ≥ " + GAP + ")", ClaimStats.share(poor, g.size()));
            if (g.size() < MIN_SEEDS) {
                ok = false;
                reasons.add(opt + " has " + g.size() + " finished runs, needs ≥ " + MIN_SEEDS);
                continue;
            }
            if (g.stream().anyMatch(r -> !fullBatch(base, r))) {
                ok = false;
                reasons.add(opt + " trained on mini-batches: its train error is the last batch's, not the whole "
                        + "training set's; set train.fullBatch = true");
                continue;
            }
            if ((double) fit / g.size() < MOST) {
                ok = false;
                if ((double) (fit + unfinished) / g.size() < MOST) {
                    refuted = true;
                } else {
                    reasons.add(opt + ": " + unfinished + " runs had not fit yet and their loss was still falling");
                }
            } else if ((double) poor / g.size() < MOST) {
                ok = false;
                refuted = true;
            }
        }
        Outcome o = refuted ? Outcome.REFUTED : ok ? Outcome.CONFIRMED : Outcome.INCONCLUSIVE;
        if (o == Outcome.INCONCLUSIVE) {
            ev.put("reason", String.join("; ", reasons));
        }
        return new Claim("signgd-fit-not-generalize", PAPER, "SignGD (and Adam) drive the train error on the whole "
                + "training set to 0 while the test error stays ≥ " + GAP + " above the Bayes error", o, ev);
    }

    // ---- GD control arm ---------------------------------------------------------------------------------------

    static Claim notDataNoise(Map<String, Object> base, List<Run> runs) {
        Map<String, Object> ev = new LinkedHashMap<>();
        List<Run> sg = arm(base, runs, "signgd"), gd = arm(base, runs, "gd");
        ev.put("signgd test error − Bayes error", ClaimStats.median(gaps(sg)));
        ev.put("gd test error − Bayes error", ClaimStats.median(gaps(gd)));
        ev.put("gd fit the training set", ClaimStats.share((int) gd.stream().filter(LiClaims::fits).count(), gd.size()));
        if (!gd.isEmpty()) {
            ev.put("gd lr", value(gd.get(0), base, "train.lr"));
        }
        String statement = "the poor generalization is not due to the data noise alone: on the same data GD fits and "
                + "generalizes while SignGD does not";
        String reason = null;
        if (sg.size() < MIN_SEEDS || gd.size() < MIN_SEEDS) {
            reason = "needs ≥ " + MIN_SEEDS + " finished runs of SignGD and of GD (the control arm), have " + sg.size()
                    + " and " + gd.size();
        } else if ((double) gd.stream().filter(LiClaims::fits).count() / gd.size() < MOST
                && gd.stream().anyMatch(r -> !fits(r) && !Boolean.TRUE.equals(r.findings().get("trainLossStalled")))) {
            reason = "GD had not fit the training set within the budget (loss still falling)";
        }
        if (reason != null) {
            ev.put("reason", reason);
            return new Claim("signgd-not-data-noise", PAPER, statement, Outcome.INCONCLUSIVE, ev);
        }
        CellStats.Interval d = ClaimStats.SHALLOW.medianDifference(gaps(sg), gaps(gd));
        ev.put("gap signgd − gd, ci95", ClaimStats.rounded(d));
        double gdGap = CellStats.median(gaps(gd));
        Outcome o;
        if (d.low() > 0 && gdGap < GAP && (double) gd.stream().filter(LiClaims::fits).count() / gd.size() >= MOST) {
            o = Outcome.CONFIRMED;
        } else if (d.high() <= 0 || gdGap >= GAP) {
            o = Outcome.REFUTED; // GD on the same data generalizes no better: the data noise explains it
        } else {
            o = Outcome.INCONCLUSIVE;
            ev.put("reason", "GD stalled without fitting, or the interval of the difference contains 0");
        }
        return new Claim("signgd-not-data-noise", PAPER, statement, o, ev);
    }

    // ---- four stages ------------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    static Claim stages(Map<String, Object> base, List<Run> runs) {
        Map<String, Object> ev = new LinkedHashMap<>();
        List<Run> sg = arm(base, runs, "signgd").stream().filter(r -> r.findings().get("liStages") instanceof Map).toList();
        for (String s : List.of("I", "II", "III", "IV")) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("paper", LiStages.PAPER.get(s));
            double[] ends = ClaimStats.values(sg, r -> {
                Integer t = LiStages.endStep((Map<String, Object>) r.findings().get("liStages"), s);
                return t == null ? null : t.doubleValue();
            });
            m.put("found in", ends.length + "/" + sg.size());
            m.put("end step", ClaimStats.median(ends));
            ev.put("stage " + s, m);
        }
        int ordered = 0, disordered = 0, missing = 0, missingUnfinished = 0;
        for (Run r : sg) {
            Boolean o = LiStages.ordered((Map<String, Object>) r.findings().get("liStages"));
            if (o == null) {
                missing++;
                if (!Boolean.TRUE.equals(r.findings().get("trainLossStalled"))
                        && !Boolean.TRUE.equals(r.findings().get("trainConverged"))) {
                    missingUnfinished++;
                }
            } else if (o) {
                ordered++;
            } else {
                disordered++;
            }
        }
        ev.put("all four in the paper's order", ClaimStats.share(ordered, sg.size()));
        ev.put("out of order", disordered);
        ev.put("some stage not found", missing);
        String statement = "SignGD's training goes through four stages, in order, on the quantities that define them";
        Outcome o;
        if (sg.size() < MIN_SEEDS) {
            ev.put("reason", "needs ≥ " + MIN_SEEDS + " SignGD runs with the stage probes (noisy-patch data), have "
                    + sg.size());
            o = Outcome.INCONCLUSIVE;
        } else if ((double) ordered / sg.size() >= MOST) {
            o = Outcome.CONFIRMED;
        } else if ((double) (ordered + missingUnfinished) / sg.size() >= MOST) {
            ev.put("reason", missingUnfinished + " runs ended before every stage marker happened, with the loss still "
                    + "falling");
            o = Outcome.INCONCLUSIVE;
        } else if (!paperRegime(base, runs)) {
            ev.put("reason", "the stages are stated for the paper's regime (over-parameterized, d ≥ 2n, sparse noise); "
                    + "this setup has d = " + setup(runs, base, "data.dim") + ", n = "
                    + setup(runs, base, "data.trainSequences") + ", sparsity " + setup(runs, base, "data.sparsity")
                    + ": stages missing here do not refute the claim");
            o = Outcome.INCONCLUSIVE;
        } else {
            o = Outcome.REFUTED;
        }
        return new Claim("signgd-four-stages", PAPER, statement, o, ev);
    }

    // ---- Adam like SignGD -------------------------------------------------------------------------------------

    static Claim adamLikeSignGd(Map<String, Object> base, List<Run> runs) {
        Map<String, Object> ev = new LinkedHashMap<>();
        Map<Long, Run> sg = bySeed(arm(base, runs, "signgd")), adam = bySeed(arm(base, runs, "adam"));
        Map<Long, Run> gd = bySeed(arm(base, runs, "gd"));
        String statement = "Adam behaves like SignGD: its trajectories of the stage quantities follow SignGD's (closer "
                + "than GD's)";
        boolean close = true, beatsGd = true, far = false;
        int pairs = 0;
        for (String q : COMPARED) {
            double[] da = distances(sg, adam, q), dg = distances(sg, gd, q);
            pairs = Math.max(pairs, da.length);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("adam vs signgd", ClaimStats.median(da));
            m.put("gd vs signgd", ClaimStats.median(dg));
            ev.put(q, m);
            if (da.length < MIN_SEEDS) {
                close = false;
                continue;
            }
            double a = CellStats.median(da);
            CellStats.Interval ci = ClaimStats.SHALLOW.median(da);
            m.put("adam vs signgd median ci95", List.of(ci.low(), ci.high()));
            close &= ci.high() <= CLOSE; // alike beyond doubt
            far |= ci.low() > CLOSE;     // not alike beyond doubt
            if (dg.length >= MIN_SEEDS) {
                beatsGd &= a < CellStats.median(dg);
            }
        }
        ev.put("distance", "per seed: mean |adam − signgd| over the common steps / range of signgd's curve; ≤ " + CLOSE
                + " is alike");
        Outcome o;
        if (pairs < MIN_SEEDS) {
            ev.put("reason", "needs ≥ " + MIN_SEEDS + " seeds with both SignGD and Adam stage trajectories, have " + pairs);
            o = Outcome.INCONCLUSIVE;
        } else if (close && beatsGd) {
            o = Outcome.CONFIRMED;
        } else if (far) {
            o = Outcome.REFUTED;
        } else {
            ev.put("reason", "the 95 % interval of the median Adam–SignGD distance straddles " + CLOSE
                    + (beatsGd ? "" : ", or GD is as close as Adam") + ": the seeds cannot tell alike from not alike");
            o = Outcome.INCONCLUSIVE;
        }
        return new Claim("adam-like-signgd", PAPER, statement, o, ev);
    }

    /** The paper's regime: over-parameterized (d ≥ 2n) with sparse noise patches (sparsity below d − 1). */
    static boolean paperRegime(Map<String, Object> base, List<Run> runs) {
        Double d = ClaimStats.number(setup(runs, base, "data.dim"));
        Double n = ClaimStats.number(setup(runs, base, "data.trainSequences"));
        Double sparsity = ClaimStats.number(setup(runs, base, "data.sparsity"));
        return d != null && n != null && d >= 2 * n && sparsity != null && sparsity < d - 1;
    }

    private static Object setup(List<Run> runs, Map<String, Object> base, String field) {
        return ClaimStats.value(runs.isEmpty() ? null : runs.get(0), base, field);
    }

    private static Map<Long, Run> bySeed(List<Run> g) {
        Map<Long, Run> m = new HashMap<>();
        g.forEach(r -> m.put(r.seed(), r));
        return m;
    }

    /** Per seed present in both: the normalized mean distance of quantity q's trajectories. */
    static double[] distances(Map<Long, Run> ref, Map<Long, Run> other, String q) {
        List<Double> out = new ArrayList<>();
        for (Map.Entry<Long, Run> e : ref.entrySet()) {
            Run o = other.get(e.getKey());
            if (o == null) {
                continue;
            }
            Map<Integer, Double> a = curve(e.getValue(), q), b = curve(o, q);
            if (a.isEmpty() || b.isEmpty()) {
                continue;
            }
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY, sum = 0;
            int n = 0;
            for (double v : a.values()) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            for (Map.Entry<Integer, Double> p : a.entrySet()) {
                Double w = b.get(p.getKey());
                if (w != null) {
                    sum += Math.abs(p.getValue() - w);
                    n++;
                }
            }
            if (n > 0) {
                double range = hi - lo > 1e-12 ? hi - lo : 1.0;
                out.add(sum / n / range);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @SuppressWarnings("unchecked")
    private static Map<Integer, Double> curve(Run r, String q) {
        Map<Integer, Double> out = new LinkedHashMap<>();
        if (r.findings().get("stageTrajectories") instanceof Map<?, ?> all && all.get(q) instanceof Map<?, ?> m
                && m.get("steps") instanceof List<?> st && m.get("values") instanceof List<?> v) {
            for (int i = 0; i < Math.min(st.size(), v.size()); i++) {
                if (st.get(i) instanceof Number s && v.get(i) instanceof Number x && Double.isFinite(x.doubleValue())) {
                    out.put(s.intValue(), x.doubleValue());
                }
            }
        }
        return out;
    }
}
