package dev.tdlab.analysis.verdict;

import dev.tdlab.core.metrics.CurveDistance;

import dev.tdlab.analysis.verdict.Claims.Claim;
import dev.tdlab.analysis.verdict.Claims.Outcome;
import dev.tdlab.analysis.verdict.Claims.Run;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Bordelon et al. 2024 (arXiv 2405.15712), judged on a deep experiment that sweeps the parameterization and a width:
 * pure functions. The width is the first swept of {@code model.dModel} (N·H), {@code model.headDim} (N at fixed H)
 * and {@code model.heads} (H at fixed N).
 *
 * <ul>
 *   <li>{@code width-collapse}: under μP (mup, depth-mup) the eval-loss curves at a fixed η₀ approach the widest
 *       model's curve as the width grows. Per (parameterization, η₀): the pointwise median curve over seeds at each
 *       width; D(w) = the root-mean-square distance, over the steps all curves share, from the widest width's median
 *       curve; the exponent γ of D(w) ∝ w^−γ by least squares on log D against log w over the narrower widths; its 95 %
 *       interval by resampling the seeds of every width. CONFIRMED when γ's interval lies above 0 at every η₀ judged,
 *       REFUTED when it lies below 0 at one, else INCONCLUSIVE.</li>
 *   <li>{@code lr-transfer}: under μP the best η₀ (lowest median final eval loss, diverged runs counting as +∞) is the
 *       same at every width. INCONCLUSIVE whenever the best η₀ sits on an edge of the η₀ grid at any width (the true
 *       optimum may lie beyond it) or the best values differ by one grid step (the grid's resolution); REFUTED when
 *       they differ by two steps or more.</li>
 * </ul>
 * Each compared cell needs {@link ClaimStats#MIN_SEEDS} finished seeds (curves for width-collapse), else INCONCLUSIVE
 * with the reason; width-collapse needs at least three widths (two distances for the fit).
 */
final class BordelonClaims {

    static final String PAPER = "Bordelon et al. 2024";
    static final List<String> WIDTH_AXES = List.of("model.dModel", "model.headDim", "model.heads");
    static final List<String> MUP = List.of("mup", "depth-mup");

    private BordelonClaims() {
    }

    /** The claims that apply: a parameterization and a width swept (lr-transfer also needs train.lr swept). */
    static List<Claim> judge(Map<String, Object> base, Set<String> axes, List<Run> runs) {
        String width = WIDTH_AXES.stream().filter(axes::contains).findFirst().orElse(null);
        List<Claim> out = new ArrayList<>();
        if (width == null || !axes.contains("model.parameterization")) {
            return out;
        }
        out.add(widthCollapse(base, width, runs));
        if (axes.contains("train.lr")) {
            out.add(lrTransfer(base, width, runs));
        }
        return out;
    }

    // ---- width collapse of whole loss curves ---------------------------------------------------------------

    /** One run's curve on the given steps; null when a step is missing or a value not finite. */
    static double[] curve(Run r, int[] steps) {
        if (!(r.findings().get("evalLossCurve") instanceof Map<?, ?> m)
                || !(m.get("steps") instanceof List<?> st) || !(m.get("values") instanceof List<?> vs)) {
            return null;
        }
        Map<Integer, Double> at = new TreeMap<>();
        for (int i = 0; i < Math.min(st.size(), vs.size()); i++) {
            Double s = ClaimStats.number(st.get(i)), v = ClaimStats.number(vs.get(i));
            if (s != null) at.put(s.intValue(), v);
        }
        double[] out = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            Double v = at.get(steps[i]);
            if (v == null || !Double.isFinite(v)) return null;
            out[i] = v;
        }
        return out;
    }

    /** Steps of a run's stored curve (empty when none). */
    private static Set<Integer> steps(Run r) {
        Set<Integer> s = new TreeSet<>();
        if (r.findings().get("evalLossCurve") instanceof Map<?, ?> m && m.get("steps") instanceof List<?> st) {
            st.forEach(x -> {
                if (x instanceof Number n) s.add(n.intValue());
            });
        }
        return s;
    }

    /** γ of D(w) ∝ w^−γ from the per-width curves (widths ascending, the last the reference); NaN if a D is 0. */
    static double exponent(double[] widths, List<List<double[]>> curves, double[] distancesOut) {
        double[] ref = CurveDistance.medianCurve(curves.get(curves.size() - 1).toArray(double[][]::new));
        int n = widths.length - 1;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = CurveDistance.rms(CurveDistance.medianCurve(curves.get(i).toArray(double[][]::new)), ref);
            if (distancesOut != null) distancesOut[i] = d[i];
            if (!(d[i] > 0)) return Double.NaN;
        }
        return CurveDistance.decayExponent(Arrays.copyOf(widths, n), d);
    }

    static Claim widthCollapse(Map<String, Object> base, String widthAxis, List<Run> runs) {
        String statement = "under muP the eval-loss curves at a fixed base learning rate approach the widest model's "
                + "curve as " + widthAxis + " grows: their RMS distance to it falls as a power of the width (exponent "
                + "> 0 with its 95% interval)";
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("width axis", widthAxis);
        // parameterization -> lr -> width -> runs
        Map<String, Map<Double, Map<Double, List<Run>>>> by = new TreeMap<>();
        for (Run r : runs) {
            Double w = ClaimStats.number(Claims.value(r, base, widthAxis));
            Double lr = ClaimStats.number(Claims.value(r, base, "train.lr"));
            if (w == null || lr == null) continue;
            by.computeIfAbsent(String.valueOf(Claims.value(r, base, "model.parameterization")), k -> new TreeMap<>())
                    .computeIfAbsent(lr, k -> new TreeMap<>()).computeIfAbsent(w, k -> new ArrayList<>()).add(r);
        }
        List<String> reasons = new ArrayList<>();
        boolean all = true, any = false, judged = false;
        for (Map.Entry<String, Map<Double, Map<Double, List<Run>>>> p : by.entrySet()) {
            boolean mup = MUP.contains(p.getKey());
            for (Map.Entry<Double, Map<Double, List<Run>>> lr : p.getValue().entrySet()) {
                String key = p.getKey() + " lr=" + lr.getKey();
                Map<Double, List<Run>> widths = lr.getValue();
                String why = null;
                if (widths.size() < 3) {
                    why = widths.size() + " widths; at least 3 needed";
                }
                Set<Integer> common = null;
                for (List<Run> g : widths.values()) {
                    for (Run r : g) {
                        Set<Integer> s = steps(r);
                        if (s.isEmpty()) continue;
                        if (common == null) common = new TreeSet<>(s);
                        else common.retainAll(s);
                    }
                }
                int[] st = common == null ? new int[0] : common.stream().mapToInt(Integer::intValue).toArray();
                if (why == null && st.length == 0) why = "no loss curves";
                List<List<double[]>> curves = new ArrayList<>();
                double[] ws = new double[widths.size()];
                int wi = 0;
                for (Map.Entry<Double, List<Run>> w : widths.entrySet()) {
                    ws[wi++] = w.getKey();
                    List<double[]> cs = new ArrayList<>();
                    for (Run r : w.getValue()) {
                        double[] c = curve(r, st);
                        if (c != null) cs.add(c);
                    }
                    curves.add(cs);
                    if (why == null && cs.size() < ClaimStats.MIN_SEEDS) {
                        why = "width " + fmt(w.getKey()) + " has " + cs.size() + " finished finite curves; at least "
                                + ClaimStats.MIN_SEEDS + " needed";
                    }
                }
                if (why != null) {
                    ev.put(key, Map.of("reason", why));
                    if (mup) reasons.add(key + ": " + why);
                    continue;
                }
                double[] d = new double[ws.length - 1];
                double g = exponent(ws, curves, d);
                CellStats.Interval ci = bootstrapExponent(ws, curves);
                Map<String, Object> e = new LinkedHashMap<>();
                Map<String, Double> dist = new LinkedHashMap<>();
                for (int i = 0; i < d.length; i++) dist.put(fmt(ws[i]), d[i]);
                e.put("rms distance to width " + fmt(ws[ws.length - 1]), dist);
                e.put("exponent", g);
                e.put("exponent ci95", ClaimStats.list(ci));
                e.put("steps compared", st.length);
                ev.put(key, e);
                if (mup) {
                    judged = true;
                    all &= ci.low() > 0;
                    any |= ci.high() < 0;
                }
            }
        }
        headVariance(base, widthAxis, runs, ev);
        Outcome o;
        if (!judged) {
            o = Outcome.INCONCLUSIVE;
            ev.put("reason", reasons.isEmpty() ? "no muP runs in the sweep" : "no muP learning rate could be judged: "
                    + String.join("; ", reasons));
        } else {
            o = all ? Outcome.CONFIRMED : any ? Outcome.REFUTED : Outcome.INCONCLUSIVE;
            if (o == Outcome.INCONCLUSIVE) ev.put("reason", "the exponent's interval includes 0 at some learning rate");
            if (!reasons.isEmpty()) ev.put("not judged", reasons);
        }
        return new Claim("width-collapse", PAPER, statement, o, ev);
    }

    /**
     * A finding beside the claim (not judged: the paper's rate is for another quantity, see docs/reproductions/
     * bordelon.md): per parameterization, the median over seeds of {@code headVarianceInit} per width and the exponent
     * κ of headVariance ∝ w^−κ (least squares on logs) with its 95 % interval by resampling seeds within widths.
     */
    static void headVariance(Map<String, Object> base, String widthAxis, List<Run> runs, Map<String, Object> ev) {
        Map<String, Map<Double, List<Double>>> by = new TreeMap<>();
        for (Run r : runs) {
            Double w = ClaimStats.number(Claims.value(r, base, widthAxis));
            Double v = ClaimStats.number(r.findings().get("headVarianceInit"));
            if (w == null || v == null || !(v > 0)) continue;
            by.computeIfAbsent(String.valueOf(Claims.value(r, base, "model.parameterization")), k -> new TreeMap<>())
                    .computeIfAbsent(w, k -> new ArrayList<>()).add(v);
        }
        by.forEach((p, widths) -> {
            if (widths.size() < 2) return;
            double[] x = new double[widths.size()];
            List<double[]> vals = new ArrayList<>();
            Map<String, Double> med = new LinkedHashMap<>();
            int i = 0;
            for (Map.Entry<Double, List<Double>> e : widths.entrySet()) {
                x[i++] = Math.log(e.getKey());
                double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).toArray();
                vals.add(v);
                med.put(fmt(e.getKey()), CellStats.median(v));
            }
            SplittableRandom rnd = ClaimStats.DEEP.random();
            double[] k = new double[ClaimStats.DEEP.resamples()];
            double[] y = new double[x.length];
            for (int b = 0; b < k.length; b++) {
                for (int j = 0; j < x.length; j++) {
                    double[] v = vals.get(j), sm = new double[v.length];
                    for (int t = 0; t < v.length; t++) sm[t] = v[rnd.nextInt(v.length)];
                    y[j] = Math.log(CellStats.median(sm));
                }
                k[b] = -ClaimStats.slope(x, y);
            }
            for (int j = 0; j < x.length; j++) y[j] = Math.log(CellStats.median(vals.get(j)));
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("median per width", med);
            e.put("exponent", -ClaimStats.slope(x, y));
            e.put("exponent ci95", ClaimStats.list(ClaimStats.percentiles(k)));
            ev.put("head variance at init, " + p, e);
        });
    }

    private static CellStats.Interval bootstrapExponent(double[] ws, List<List<double[]>> curves) {
        SplittableRandom rnd = ClaimStats.DEEP.random();
        double[] g = new double[ClaimStats.DEEP.resamples()];
        for (int b = 0; b < g.length; b++) {
            List<List<double[]>> re = new ArrayList<>();
            for (List<double[]> cs : curves) {
                List<double[]> s = new ArrayList<>();
                for (int i = 0; i < cs.size(); i++) s.add(cs.get(rnd.nextInt(cs.size())));
                re.add(s);
            }
            g[b] = exponent(ws, re, null);
        }
        return ClaimStats.percentiles(g);
    }

    // ---- learning-rate transfer ----------------------------------------------------------------------------

    static Claim lrTransfer(Map<String, Object> base, String widthAxis, List<Run> runs) {
        String statement = "under muP the best base learning rate (lowest median final eval loss) is the same at every "
                + "width, with the optimum inside the learning-rate grid";
        Map<String, Object> ev = new LinkedHashMap<>();
        ev.put("width axis", widthAxis);
        List<String> reasons = new ArrayList<>();
        boolean judged = false, same = true, far = false;
        for (String param : List.of("mup", "depth-mup", "standard")) {
            Map<Double, Map<Double, List<Double>>> byWidth = new TreeMap<>();
            TreeSet<Double> grid = new TreeSet<>();
            for (Run r : runs) {
                Double w = ClaimStats.number(Claims.value(r, base, widthAxis));
                Double lr = ClaimStats.number(Claims.value(r, base, "train.lr"));
                if (!param.equals(Claims.value(r, base, "model.parameterization")) || w == null || lr == null
                        || r.finalEvalLoss() == null) {
                    continue;
                }
                grid.add(lr);
                double loss = Double.isFinite(r.finalEvalLoss()) ? r.finalEvalLoss() : Double.POSITIVE_INFINITY;
                byWidth.computeIfAbsent(w, k -> new TreeMap<>()).computeIfAbsent(lr, k -> new ArrayList<>()).add(loss);
            }
            if (byWidth.isEmpty()) continue;
            List<Double> lrs = new ArrayList<>(grid);
            String why = null;
            if (byWidth.size() < 2) why = "one width";
            if (why == null && lrs.size() < 3) why = lrs.size() + " learning rates; at least 3 needed for an interior optimum";
            Map<String, Object> best = new LinkedHashMap<>();
            List<Integer> bestIdx = new ArrayList<>();
            for (Map.Entry<Double, Map<Double, List<Double>>> w : byWidth.entrySet()) {
                Map<Double, List<Double>> cells = w.getValue();
                for (double lr : lrs) {
                    int n = cells.getOrDefault(lr, List.of()).size();
                    if (why == null && n < ClaimStats.MIN_SEEDS) {
                        why = "width " + fmt(w.getKey()) + " lr " + lr + " has " + n + " finished seeds; at least "
                                + ClaimStats.MIN_SEEDS + " needed";
                    }
                }
                int bi = -1;
                double bm = Double.POSITIVE_INFINITY;
                Map<String, Double> medians = new LinkedHashMap<>();
                for (int i = 0; i < lrs.size(); i++) {
                    List<Double> v = cells.getOrDefault(lrs.get(i), List.of());
                    double m = v.isEmpty() ? Double.NaN : CellStats.median(v.stream().mapToDouble(Double::doubleValue).toArray());
                    medians.put(String.valueOf(lrs.get(i)), Double.isFinite(m) ? m : null);
                    if (m < bm) {
                        bm = m;
                        bi = i;
                    }
                }
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("best lr", bi < 0 ? null : lrs.get(bi));
                e.put("median final eval loss per lr", medians);
                e.put("best lr bootstrap share", bi < 0 ? null : bootstrapBestShare(cells, lrs, bi));
                best.put(fmt(w.getKey()), e);
                bestIdx.add(bi);
                if (why == null && bi < 0) why = "width " + fmt(w.getKey()) + ": every learning rate diverged";
                if (why == null && (bi == 0 || bi == lrs.size() - 1)) {
                    why = "the best lr " + lrs.get(bi) + " at width " + fmt(w.getKey()) + " is on the grid's edge "
                            + lrs + ": the optimum may lie beyond the grid";
                }
            }
            ev.put(param, best);
            if (!MUP.contains(param)) continue;
            if (why != null) {
                reasons.add(param + ": " + why);
                continue;
            }
            judged = true;
            int lo = bestIdx.stream().mapToInt(Integer::intValue).min().orElse(0);
            int hi = bestIdx.stream().mapToInt(Integer::intValue).max().orElse(0);
            same &= lo == hi;
            far |= hi - lo >= 2;
        }
        Outcome o;
        if (!judged || !reasons.isEmpty()) {
            o = Outcome.INCONCLUSIVE;
            ev.put("reason", reasons.isEmpty() ? "no muP runs in the sweep" : String.join("; ", reasons));
        } else if (same) {
            o = Outcome.CONFIRMED;
        } else if (far) {
            o = Outcome.REFUTED;
        } else {
            o = Outcome.INCONCLUSIVE;
            ev.put("reason", "the best lr differs by one grid step between widths: within the grid's resolution");
        }
        return new Claim("lr-transfer", PAPER, statement, o, ev);
    }

    /** Share of seed resamples in which learning rate {@code best} stays the best at this width. */
    private static double bootstrapBestShare(Map<Double, List<Double>> cells, List<Double> lrs, int best) {
        SplittableRandom rnd = ClaimStats.DEEP.random();
        int hits = 0, n = 200;
        for (int b = 0; b < n; b++) {
            int bi = -1;
            double bm = Double.POSITIVE_INFINITY;
            for (int i = 0; i < lrs.size(); i++) {
                List<Double> v = cells.getOrDefault(lrs.get(i), List.of());
                if (v.isEmpty()) continue;
                double[] s = new double[v.size()];
                for (int j = 0; j < s.length; j++) s[j] = v.get(rnd.nextInt(v.size()));
                double m = CellStats.median(s);
                if (m < bm) {
                    bm = m;
                    bi = i;
                }
            }
            if (bi == best) hits++;
        }
        return (double) hits / n;
    }

    private static String fmt(double w) {
        return w == Math.rint(w) ? String.valueOf((long) w) : String.valueOf(w);
    }
}
