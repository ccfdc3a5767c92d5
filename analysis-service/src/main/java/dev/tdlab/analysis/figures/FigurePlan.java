package dev.tdlab.analysis.figures;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tdlab.analysis.mapping.ExperimentView;
import dev.tdlab.analysis.mapping.RunView;
import dev.tdlab.analysis.verdict.CellStats;
import dev.tdlab.analysis.verdict.Claims;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Which figures an experiment has, by name, and how each is drawn: read off the experiment view (its spec, runs,
 * findings) without touching a metric series; the series are read only when a figure is drawn. See
 * analysis-service/README.md ("Figures") for the list.
 */
final class FigurePlan {

    /** Where the curves come from: a run's stored metric series (empty when the run never reported it). */
    interface Curves {
        Bands.Curve curve(String runId, String metric);
    }

    /**
     * A planned figure: its title, its kind (what family of figure it is), the claims it shows the evidence of
     * ({@code id: OUTCOME}, judged on this experiment) and how to draw it.
     */
    record Entry(String title, String kind, List<String> claims, Supplier<Charts.Drawn> chart) {
    }

    /** The claims (verdict/Claims ids) whose evidence each claim figure shows, by the figure's name prefix. */
    static final Map<String, List<String>> CLAIMS = Map.of(
            "phase", List.of("local-to-global", "init-guideline"),
            "rank-collapse-rho", List.of("rank-collapse"),
            "rank-collapse-grad-ratio", List.of("qk-gradients-vanish"),
            "widths-loss", List.of("width-collapse"),
            "widths-final-loss-vs-lr", List.of("lr-transfer"),
            "kernels-train-loss", List.of("kernels-all-and-v", "kernels-q-only", "kernels-gaussian-faster"),
            "stages", List.of("signgd-four-stages", "adam-like-signgd"));

    static final int MAX_POINTS = 200;
    static final List<String> WIDTH_AXES = List.of("model.dModel", "model.headDim", "model.heads");
    static final List<String> LOSSES = List.of("train_loss", "eval_loss", "eval_exact_loss");
    static final List<String> STAGES = List.of("I", "II", "III", "IV");
    static final int H_COLOUR = 6, U_COLOUR = 3, ORDER_COLOUR = 5;

    private final List<RunView> runs;
    private final Curves curves;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, List<RunView>> cells = new LinkedHashMap<>();
    private final Set<String> axes;
    private final String family;
    private final List<Claims.Claim> claims;

    private FigurePlan(ExperimentView view, Curves curves) {
        this.curves = curves;
        this.axes = new LinkedHashSet<>();
        view.spec().path("sweep").fieldNames().forEachRemaining(axes::add);
        this.family = view.spec().path("model").path("family").asText("");
        this.runs = inSweepOrder(view.runs(), view.spec().path("sweep"));
        this.claims = view.claims() == null ? List.of() : view.claims();
        for (RunView r : runs) {
            cells.computeIfAbsent(r.cellId(), k -> new ArrayList<>()).add(r);
        }
    }

    /** The runs by cell in the sweep's order (first axis slowest, each axis's values as listed), then by seed. */
    static List<RunView> inSweepOrder(List<RunView> runs, JsonNode sweep) {
        List<String> names = new ArrayList<>();
        sweep.fieldNames().forEachRemaining(names::add);
        java.util.Comparator<RunView> order = (a, b) -> 0;
        for (String axis : names) {
            List<String> values = new ArrayList<>();
            sweep.path(axis).forEach(v -> values.add(canonical(v)));
            order = order.thenComparingInt(r -> {
                int i = values.indexOf(canonical(JSON.valueToTree(r.cell().get(axis))));
                return i < 0 ? Integer.MAX_VALUE : i;
            });
        }
        return runs.stream().sorted(order.thenComparingLong(RunView::seed)).toList();
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** A JSON value as text, numbers as doubles: 1 and 1.0 are the same value. */
    private static String canonical(JsonNode v) {
        return v == null ? "null" : v.isNumber() ? String.valueOf(v.asDouble()) : v.toString();
    }

    /** The figures of {@code view}, in the order they are listed. */
    static Map<String, Entry> of(ExperimentView view, Curves curves) {
        FigurePlan p = new FigurePlan(view, curves);
        p.phase();
        p.noci();
        p.bordelon();
        p.song();
        p.li();
        p.losses();
        return p.entries;
    }

    // ---- every experiment: loss and excess loss per cell -------------------------------------------------------

    private void losses() {
        for (List<RunView> runs : cells.values()) {
            String label = label(runs.get(0).cell());
            String slug = slug(runs.get(0).cell());
            RunView.Baselines b = runs.get(0).baselines();
            add("loss" + suffix(slug), "Loss" + of(label) + ": median and range over " + seeds(runs), "loss-curves", () -> {
                List<FigureData.Line> lines = new ArrayList<>();
                for (int i = 0; i < LOSSES.size(); i++) {
                    line(lines, LOSSES.get(i).replace('_', ' '), band(runs, LOSSES.get(i), 0), i, false);
                }
                return Charts.xy(new FigureData.Xy(title("Loss", label, runs), "step", "loss (nats)", false, false, lines,
                        levels(b), List.of()));
            });
            if (b != null && b.entropyRate() != null) {
                double h = b.entropyRate();
                add("excess" + suffix(slug), "Excess loss over the entropy rate" + of(label) + " (log scale)", "excess-loss", () -> {
                    List<FigureData.Line> lines = new ArrayList<>();
                    Bands.Band kl = band(runs, "eval_excess", 0);
                    if (!kl.isEmpty()) {
                        line(lines, "eval excess (KL to the true law)", kl, 2, false);
                    } else {
                        Bands.Band exact = band(runs, "eval_exact_loss", h);
                        line(lines, exact.isEmpty() ? "eval loss − H" : "eval exact loss − H",
                                exact.isEmpty() ? band(runs, "eval_loss", h) : exact, 1, false);
                    }
                    line(lines, "train loss − H", band(runs, "train_loss", h), 0, true);
                    List<FigureData.Level> lv = new ArrayList<>();
                    if (b.unigramEntropy() != null) {
                        lv.add(new FigureData.Level("unigram U − H", b.unigramEntropy() - h, U_COLOUR));
                    }
                    return Charts.xy(new FigureData.Xy(title("Excess loss", label, runs), "step",
                            "loss − entropy rate H (nats, log)", false, true, lines, lv, List.of()));
                });
            }
        }
    }

    /** H, U and the lower-order plateaus (orderLosses 1..k−1); the optimal loss where there is no entropy rate. */
    static List<FigureData.Level> levels(RunView.Baselines b) {
        List<FigureData.Level> out = new ArrayList<>();
        if (b == null) {
            return out;
        }
        if (b.entropyRate() != null) {
            out.add(new FigureData.Level("entropy rate H", b.entropyRate(), H_COLOUR));
        } else if (b.optimalLoss() != null) {
            out.add(new FigureData.Level("optimal loss", b.optimalLoss(), H_COLOUR));
        }
        if (b.unigramEntropy() != null) {
            // no entropy rate: a classification family, whose "unigram" level is the label entropy (chance)
            out.add(new FigureData.Level(b.entropyRate() != null ? "unigram U" : "chance (label entropy)",
                    b.unigramEntropy(), U_COLOUR));
        }
        JsonNode orders = b.orderLosses();
        if (orders != null && orders.isArray()) {
            for (int k = 1; k < orders.size() - 1; k++) {
                if (orders.get(k).isNumber()) {
                    out.add(new FigureData.Level("order-" + k + " plateau", orders.get(k).asDouble(), ORDER_COLOUR));
                }
            }
        }
        return out;
    }

    // ---- phase diagram -----------------------------------------------------------------------------------------

    /**
     * Fraction GLOBAL over two numeric axes ((data.p, data.q) when swept, else the only two numeric axes): one
     * figure per combination of the other axes.
     */
    private void phase() {
        if (runs.isEmpty()) {
            return;
        }
        List<String> numeric = axes.stream().filter(a -> cells.values().stream()
                .allMatch(rs -> rs.get(0).cell().get(a) instanceof Number)).toList();
        List<String> xy = numeric.contains("data.p") && numeric.contains("data.q") ? List.of("data.p", "data.q")
                : numeric.size() == 2 && axes.size() == 2 ? numeric : null;
        if (xy == null) {
            return;
        }
        boolean makkuva = xy.contains("data.p");
        Map<String, List<RunView>> groups = groupBy(runs, r -> others(r.cell(), xy));
        for (Map.Entry<String, List<RunView>> g : groups.entrySet()) {
            Map<String, Object> rest = others(g.getValue().get(0).cell(), xy);
            String label = label(rest);
            add("phase" + suffix(slug(rest)), "Phase diagram: fraction GLOBAL over " + xy.get(0) + " × " + xy.get(1) + of(label),
                    "phase-diagram", () -> {
                        Map<String, List<RunView>> byCell = groupBy(g.getValue(), r -> r.cellId());
                        List<FigureData.PhaseCell> pc = new ArrayList<>();
                        for (List<RunView> rs : byCell.values()) {
                            int decided = 0, global = 0;
                            for (RunView r : rs) {
                                if (r.verdict() != null) {
                                    decided++;
                                    global += "GLOBAL".equals(r.verdict()) ? 1 : 0;
                                }
                            }
                            CellStats.Interval w = decided == 0 ? null : CellStats.wilson(global, decided, 1.959964);
                            pc.add(new FigureData.PhaseCell(num(rs.get(0).cell().get(xy.get(0))),
                                    num(rs.get(0).cell().get(xy.get(1))), global, decided, w == null ? null : w.low(),
                                    w == null ? null : w.high(), rs.stream().anyMatch(RunView::uninformative)));
                        }
                        return Charts.phase(new FigureData.Phase("Fraction GLOBAL [Wilson 95 %]" + of(label),
                                xy.get(0), xy.get(1), pc, makkuva));
                    });
        }
    }

    // ---- Noci et al.: rank collapse and the Q/K-over-V gradient ratio against depth ---------------------------

    private void noci() {
        if (!"deep".equals(family) || !axes.contains("model.depth") || !axes.contains("model.residualScaling")) {
            return;
        }
        add("rank-collapse-rho", "Rank collapse at init: ρ of the last block against depth, per residual scaling (log scale)",
                "claim:rank-collapse", () -> findingAgainst("model.depth", "rankCollapseInit",
                        "Rank collapse at init (Noci et al.): ρ = ‖X − 1x̄ᵀ‖/‖X‖, median and range over seeds",
                        "depth L", "ρ at init (log)", false, true));
        add("rank-collapse-grad-ratio", "Q/K-over-V gradient ratio at init against depth, per residual scaling (log scale)",
                "claim:rank-collapse", () -> findingAgainst("model.depth", "qkOverVGradInit",
                        "Gradient ratio (‖∇W_Q‖ + ‖∇W_K‖)/(2‖∇W_V‖) at init, median over blocks; median and range over seeds",
                        "depth L", "Q/K over V gradient ratio (log)", false, true));
    }

    /** A finding (or the final eval loss, {@code finding} = null) against a numeric axis, one line per other cell. */
    private Charts.Drawn findingAgainst(String xAxis, String finding, String title, String xTitle, String yTitle,
                                       boolean logX, boolean logY) {
        Map<String, List<RunView>> groups = groupBy(runs, r -> others(r.cell(), List.of(xAxis)));
        List<FigureData.Line> lines = new ArrayList<>();
        int colour = 0;
        for (List<RunView> g : groups.values()) {
            Map<Double, List<Double>> byX = new java.util.TreeMap<>();
            for (RunView r : g) {
                Double x = num(r.cell().get(xAxis));
                Double y = finding == null ? r.finalEvalLoss() : r.findings() == null ? null
                        : r.findings().path(finding).isNumber() ? r.findings().path(finding).asDouble() : null;
                if (x != null && y != null && Double.isFinite(y)) {
                    byX.computeIfAbsent(x, k -> new ArrayList<>()).add(y);
                }
            }
            double[] xs = new double[byX.size()], med = new double[byX.size()], lo = new double[byX.size()],
                    hi = new double[byX.size()];
            int i = 0;
            for (Map.Entry<Double, List<Double>> e : byX.entrySet()) {
                double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
                xs[i] = e.getKey();
                med[i] = CellStats.median(v);
                lo[i] = v[0];
                hi[i] = v[v.length - 1];
                i++;
            }
            String label = label(others(g.get(0).cell(), List.of(xAxis)));
            lines.add(new FigureData.Line(label.isEmpty() ? "median" : label, xs, med, lo, hi, colour++, false, true));
        }
        return Charts.xy(new FigureData.Xy(title, xTitle, yTitle, logX, logY, lines, List.of(), List.of()));
    }

    // ---- Bordelon et al.: loss curves across widths; final loss against the base rate per width ---------------

    private void bordelon() {
        String width = WIDTH_AXES.stream().filter(axes::contains).findFirst().orElse(null);
        if (!"deep".equals(family) || width == null) {
            return;
        }
        String w = short_(width);
        Map<String, List<RunView>> groups = groupBy(runs, r -> others(r.cell(), List.of(width)));
        for (List<RunView> g : groups.values()) {
            Map<String, Object> rest = others(g.get(0).cell(), List.of(width));
            String label = label(rest);
            add("widths-loss" + suffix(slug(rest)), "Eval loss across widths (one line per " + w + ")" + of(label),
                    "claim:infinite-limits", () -> {
                        Map<String, List<RunView>> byWidth = groupBy(sortedBy(g, width), r -> String.valueOf(r.cell().get(width)));
                        List<FigureData.Line> lines = new ArrayList<>();
                        int colour = 0;
                        for (Map.Entry<String, List<RunView>> e : byWidth.entrySet()) {
                            line(lines, w + " = " + e.getKey(), band(e.getValue(), "eval_loss", 0), colour++, false);
                        }
                        return Charts.xy(new FigureData.Xy(title("Eval loss across widths", label, g), "step",
                                "eval loss (nats)", false, false, lines, levels(g.get(0).baselines()), List.of()));
                    });
        }
        if (axes.contains("train.lr")) {
            Map<String, List<RunView>> byRest = groupBy(runs, r -> others(r.cell(), List.of(width, "train.lr")));
            for (List<RunView> g : byRest.values()) {
                Map<String, Object> rest = others(g.get(0).cell(), List.of(width, "train.lr"));
                String label = label(rest);
                add("widths-final-loss-vs-lr" + suffix(slug(rest)), "Final eval loss against the base rate η₀, one line per "
                        + w + of(label), "claim:infinite-limits", () -> {
                    List<RunView> sub = g;
                    Map<String, List<RunView>> byWidth = groupBy(sortedBy(sub, width), r -> String.valueOf(r.cell().get(width)));
                    List<FigureData.Line> lines = new ArrayList<>();
                    int colour = 0;
                    for (Map.Entry<String, List<RunView>> e : byWidth.entrySet()) {
                        Map<Double, List<Double>> byLr = new java.util.TreeMap<>();
                        for (RunView r : e.getValue()) {
                            Double lr = num(r.cell().get("train.lr"));
                            if (lr != null && r.finalEvalLoss() != null && Double.isFinite(r.finalEvalLoss())) {
                                byLr.computeIfAbsent(lr, k -> new ArrayList<>()).add(r.finalEvalLoss());
                            }
                        }
                        lines.add(medianLine(w + " = " + e.getKey(), byLr, colour++));
                    }
                    return Charts.xy(new FigureData.Xy("Final eval loss against η₀ (median and range over seeds)" + of(label),
                            "base learning rate η₀ (log)", "final eval loss (nats)", true, false, lines,
                            levels(g.get(0).baselines()), List.of()));
                });
            }
        }
    }

    // ---- Song et al.: loss curves per kernel × trainable subset ----------------------------------------------

    private void song() {
        if (!"two-layer-classifier".equals(family) || !axes.contains("model.attention") || !axes.contains("train.trainable")) {
            return;
        }
        add("kernels-train-loss", "Train loss per attention kernel × trainable subset (log scale)", "claim:attention-kernels",
                () -> {
                    List<FigureData.Line> lines = new ArrayList<>();
                    int colour = 0;
                    for (List<RunView> runs : cells.values()) {
                        line(lines, label(runs.get(0).cell()), band(runs, "train_loss", 0), colour++, false);
                    }
                    return Charts.xy(new FigureData.Xy("Train loss per kernel × trainable subset: median and range over seeds",
                            "step", "train loss (log)", false, true, lines, List.of(), List.of()));
                });
    }

    // ---- Li et al.: the stage quantities over time, stage boundaries as vertical lines ------------------------

    private void li() {
        for (List<RunView> runs : cells.values()) {
            if (runs.stream().noneMatch(r -> r.findings() != null && r.findings().has("stageTrajectories"))) {
                continue;
            }
            String label = label(runs.get(0).cell());
            add("stages" + suffix(slug(runs.get(0).cell())), "Li's stage quantities over time, stage ends marked" + of(label),
                    "claim:signgd-stages", () -> {
                        List<FigureData.Line> lines = new ArrayList<>();
                        Map<String, List<Bands.Curve>> byQuantity = new LinkedHashMap<>();
                        List<FigureData.Marker> markers = new ArrayList<>();
                        Map<String, List<Double>> ends = new LinkedHashMap<>();
                        for (RunView r : runs) {
                            JsonNode f = r.findings();
                            if (f == null) {
                                continue;
                            }
                            f.path("stageTrajectories").fields().forEachRemaining(e -> byQuantity
                                    .computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                                    .add(new Bands.Curve(doubles(e.getValue().path("steps")), doubles(e.getValue().path("values")))));
                            for (String s : STAGES) {
                                JsonNode end = f.path("liStages").path(s).path("endStep");
                                if (end.isNumber()) {
                                    ends.computeIfAbsent(s, k -> new ArrayList<>()).add(end.asDouble());
                                }
                            }
                        }
                        int colour = 0;
                        for (Map.Entry<String, List<Bands.Curve>> e : byQuantity.entrySet()) {
                            Bands.Band b = Bands.of(e.getValue(), MAX_POINTS);
                            if (!b.isEmpty()) {
                                lines.add(new FigureData.Line(e.getKey().replace("probe/", ""), b.steps(), b.median(),
                                        b.min(), b.max(), colour, false, false, isShare(e.getKey())));
                            }
                            colour++;
                        }
                        for (Map.Entry<String, List<Double>> e : ends.entrySet()) {
                            double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
                            markers.add(new FigureData.Marker("stage " + e.getKey() + " ends", CellStats.median(v), 6));
                        }
                        return Charts.xy(new FigureData.Xy(title("Stage quantities", label, runs),
                                "step (dotted: the median step each stage ends)", "value norm",
                                "sign agreement, attention weight (0–1)", false, false, lines, List.of(), markers));
                    });
        }
    }

    /**
     * Li's stage quantities that are shares in [0, 1] (sign agreements, attention weights): drawn on the right y
     * axis, apart from the value norms (tens), which would flatten them on a shared axis.
     */
    static boolean isShare(String quantity) {
        return quantity.endsWith("_sign_agreement") || quantity.startsWith("probe/attn_");
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private void add(String name, String title, String kind, Supplier<Charts.Drawn> chart) {
        String n = name;
        for (int i = 2; entries.containsKey(n); i++) {
            n = name + "-" + i;
        }
        List<String> ids = CLAIMS.entrySet().stream().filter(e -> name.equals(e.getKey()) || name.startsWith(e.getKey() + "-"))
                .max(java.util.Comparator.comparingInt(e -> e.getKey().length())).map(Map.Entry::getValue).orElse(List.of());
        List<String> judged = claims.stream().filter(c -> ids.contains(c.id())).map(c -> c.id() + ": " + c.outcome()).toList();
        Supplier<Charts.Drawn> drawn = judged.isEmpty() ? chart : () -> {
            Charts.Drawn d = chart.get();
            List<String> desc = new ArrayList<>(d.description());
            judged.forEach(j -> desc.add("claim " + j));
            return new Charts.Drawn(d.chart(), desc);
        };
        entries.put(n, new Entry(title, kind, judged, drawn));
    }

    /** The median and min–max band over the runs' series {@code metric}, minus {@code shift}. */
    private Bands.Band band(List<RunView> runs, String metric, double shift) {
        List<Bands.Curve> list = new ArrayList<>();
        for (RunView r : runs) {
            Bands.Curve c = curves.curve(r.id(), metric);
            if (shift != 0) {
                double[] v = c.values().clone();
                for (int i = 0; i < v.length; i++) {
                    v[i] -= shift;
                }
                c = new Bands.Curve(c.steps(), v);
            }
            list.add(c);
        }
        return Bands.of(list, MAX_POINTS);
    }

    private static void line(List<FigureData.Line> lines, String label, Bands.Band b, int colour, boolean dashed) {
        if (!b.isEmpty()) {
            lines.add(new FigureData.Line(label, b.steps(), b.median(), b.min(), b.max(), colour, dashed, false));
        }
    }

    private static FigureData.Line medianLine(String label, Map<Double, List<Double>> byX, int colour) {
        double[] xs = new double[byX.size()], med = new double[byX.size()], lo = new double[byX.size()],
                hi = new double[byX.size()];
        int i = 0;
        for (Map.Entry<Double, List<Double>> e : byX.entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            xs[i] = e.getKey();
            med[i] = CellStats.median(v);
            lo[i] = v[0];
            hi[i] = v[v.length - 1];
            i++;
        }
        return new FigureData.Line(label, xs, med, lo, hi, colour, false, true);
    }

    private static String title(String what, String label, List<RunView> runs) {
        return what + of(label) + " (median and range over " + seeds(runs) + ")";
    }

    /** How many seeds the runs span (a figure may draw several cells: the seeds, not the runs, are counted). */
    private static String seeds(List<RunView> runs) {
        long n = runs.stream().mapToLong(RunView::seed).distinct().count();
        return n == 1 ? "1 seed" : n + " seeds";
    }

    private static String of(String label) {
        return label.isEmpty() ? "" : ", " + label;
    }

    private static String suffix(String slug) {
        return slug.isEmpty() ? "" : "-" + slug;
    }

    private static <K> Map<String, List<RunView>> groupBy(List<RunView> runs, java.util.function.Function<RunView, K> key) {
        Map<String, List<RunView>> out = new LinkedHashMap<>();
        for (RunView r : runs) {
            out.computeIfAbsent(String.valueOf(key.apply(r)), k -> new ArrayList<>()).add(r);
        }
        return out;
    }

    private static List<RunView> sortedBy(List<RunView> runs, String axis) {
        return runs.stream().sorted((a, b) -> Double.compare(Objects.requireNonNullElse(num(a.cell().get(axis)), 0.0),
                Objects.requireNonNullElse(num(b.cell().get(axis)), 0.0))).toList();
    }

    private static Map<String, Object> others(Map<String, Object> cell, List<String> without) {
        Map<String, Object> out = new LinkedHashMap<>(cell);
        without.forEach(out::remove);
        return out;
    }

    /** {@code data.p=0.1 model.init.scheme=base} → {@code p = 0.1, scheme = base}. */
    static String label(Map<String, Object> cell) {
        List<String> parts = new ArrayList<>();
        cell.forEach((k, v) -> parts.add(short_(k) + " = " + value(v)));
        return String.join(", ", parts);
    }

    /** A file-name-safe name of a cell: {@code p0.1-q0.2}, {@code attention-softmax-trainable-q}. */
    static String slug(Map<String, Object> cell) {
        List<String> parts = new ArrayList<>();
        cell.forEach((k, v) -> {
            String key = short_(k).toLowerCase(Locale.ROOT);
            String val = value(v).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "-").replaceAll("^-|-$", "");
            parts.add(v instanceof Number && key.length() == 1 ? key + val : key + "-" + val);
        });
        return String.join("-", parts).replaceAll("[^a-z0-9.-]+", "-");
    }

    private static String short_(String axis) {
        return axis.substring(axis.lastIndexOf('.') + 1);
    }

    private static String value(Object v) {
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return String.valueOf(d.longValue());
        }
        if (v instanceof List<?> l) {
            return String.join("+", l.stream().map(String::valueOf).toList());
        }
        return String.valueOf(v);
    }

    private static Double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : null;
    }

    private static double[] doubles(JsonNode arr) {
        double[] out = new double[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).isNumber() ? arr.get(i).asDouble() : Double.NaN;
        }
        return out;
    }
}
