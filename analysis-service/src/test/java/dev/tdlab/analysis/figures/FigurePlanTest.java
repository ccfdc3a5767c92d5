package dev.tdlab.analysis.figures;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tdlab.analysis.mapping.ExperimentView;
import dev.tdlab.analysis.mapping.RunView;
import dev.tdlab.analysis.verdict.Claims;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The figures each template's experiment gets, by name, and what the claim figures show (from their SVG desc). */
class FigurePlanTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final RunView.Baselines MARKOV = new RunView.Baselines(0.5446, 0.673, null, 0.5446, 0.0,
            JSON.valueToTree(List.of(0.673, 0.5446)));

    /** Synthetic series: train and eval loss decaying from U to H; no exact-conditional loss, no eval_excess. */
    static final FigurePlan.Curves CURVES = (run, metric) -> {
        if (!metric.equals("train_loss") && !metric.equals("eval_loss")) {
            return new Bands.Curve(new double[0], new double[0]);
        }
        double[] steps = IntStream.rangeClosed(0, 20).mapToDouble(i -> i * 10).toArray();
        double seed = Math.abs(run.hashCode() % 7) / 1000.0;
        return new Bands.Curve(steps, java.util.Arrays.stream(steps).map(t -> 0.5446 + seed + 0.13 * Math.exp(-t / 50)).toArray());
    };

    @Test
    void localToGlobal() {
        ExperimentView v = view("makkuva-minimal", sweep("data.p", List.of(0.1, 0.9), "data.q", List.of(0.2, 0.3, 0.6)), 2,
                MARKOV, (cell, seed) -> null);
        Map<String, FigurePlan.Entry> plan = FigurePlan.of(v, CURVES);
        List<String> expected = new ArrayList<>(List.of("phase"));
        for (String c : List.of("p0.1-q0.2", "p0.1-q0.3", "p0.1-q0.6", "p0.9-q0.2", "p0.9-q0.3", "p0.9-q0.6")) {
            expected.add("loss-" + c);
            expected.add("excess-" + c);
        }
        assertEquals(expected, new ArrayList<>(plan.keySet()));
        String phase = desc(plan.get("phase"));
        assertTrue(phase.contains("cell data.p = 0.1, data.q = 0.2: 2/2 GLOBAL, fraction 1.00 [0.34, 1.00]"), phase);
        assertTrue(phase.contains("cell data.p = 0.9, data.q = 0.6: 0/2 GLOBAL, fraction 0.00 [0.00, 0.66]"), phase);
        assertTrue(phase.contains("p + q = 1 (H = U)"), phase);
        String loss = desc(plan.get("loss-p0.1-q0.2"));
        assertTrue(loss.contains("legend: train loss; eval loss; entropy rate H = 0.5446; unigram U = 0.6730"), loss);
        assertFalse(loss.contains("eval exact loss"), "not reported: no line");
        String excess = desc(plan.get("excess-p0.1-q0.2"));
        assertTrue(excess.contains("y axis: loss − entropy rate H (nats, log) (log scale)"), excess);
        assertTrue(excess.contains("line eval loss − H: 21 points, with its min–max band"), excess);
    }

    @Test
    void rankCollapse() {
        ExperimentView v = view("deep", sweep("model.depth", List.of(2, 8, 32), "model.residualScaling",
                List.of("none", "inv-sqrt-depth")), 3, MARKOV, (cell, seed) -> {
            int depth = (Integer) cell.get("model.depth");
            boolean none = "none".equals(cell.get("model.residualScaling"));
            return Map.of("rankCollapseInit", none ? Math.pow(0.5, depth) * (1 + seed / 10.0) : 0.9,
                    "qkOverVGradInit", none ? Math.pow(0.7, depth) : 1.0);
        });
        Map<String, FigurePlan.Entry> plan = FigurePlan.of(v, CURVES);
        assertEquals(List.of("rank-collapse-rho", "rank-collapse-grad-ratio", "loss-depth-2-residualscaling-none",
                "excess-depth-2-residualscaling-none"), new ArrayList<>(plan.keySet()).subList(0, 4));
        assertEquals(2 + 2 * 6, plan.size());
        String rho = desc(plan.get("rank-collapse-rho"));
        assertTrue(rho.contains("y axis: ρ at init (log) (log scale)"), rho);
        assertTrue(rho.contains("legend: residualScaling = none; residualScaling = inv-sqrt-depth"), rho);
        // 0.5^32 is tiny but positive: all three depths are on the log axis
        assertTrue(rho.contains("line residualScaling = none: 3 points, with its min–max band"), rho);
        assertEquals("claim:rank-collapse", plan.get("rank-collapse-grad-ratio").kind());
        // the claims judged on the experiment go with the figure that shows their evidence
        ExperimentView judged = new ExperimentView(v.id(), v.name(), v.status(), v.tenant(), v.runCount(), null, null,
                v.spec(), v.runs(), List.of(), List.of(new Claims.Claim("rank-collapse", "Noci", "s", Claims.Outcome.CONFIRMED,
                Map.of()), new Claims.Claim("qk-gradients-vanish", "Noci", "s", Claims.Outcome.INCONCLUSIVE, Map.of())));
        Map<String, FigurePlan.Entry> withClaims = FigurePlan.of(judged, CURVES);
        assertEquals(List.of("rank-collapse: CONFIRMED"), withClaims.get("rank-collapse-rho").claims());
        assertEquals(List.of("qk-gradients-vanish: INCONCLUSIVE"), withClaims.get("rank-collapse-grad-ratio").claims());
        assertEquals(List.of(), withClaims.get("loss-depth-2-residualscaling-none").claims());
        assertTrue(desc(withClaims.get("rank-collapse-rho")).endsWith("claim rank-collapse: CONFIRMED"));
    }

    @Test
    void infiniteLimits() {
        Map<String, List<?>> sw = new LinkedHashMap<>(sweep("model.headDim", List.of(4, 8, 16), "model.parameterization",
                List.of("mup")));
        sw.put("train.lr", List.of(0.03, 0.1, 0.3));
        ExperimentView v = view("deep", sw, 2, MARKOV, (cell, seed) -> null);
        Map<String, FigurePlan.Entry> plan = FigurePlan.of(v, CURVES);
        List<String> names = new ArrayList<>(plan.keySet());
        assertEquals(List.of("widths-loss-parameterization-mup-lr-0.03", "widths-loss-parameterization-mup-lr-0.1",
                "widths-loss-parameterization-mup-lr-0.3", "widths-final-loss-vs-lr-parameterization-mup"),
                names.subList(0, 4));
        String lr = desc(plan.get("widths-final-loss-vs-lr-parameterization-mup"));
        assertTrue(lr.contains("x axis: base learning rate η₀ (log) (log scale)"), lr);
        assertTrue(lr.contains("legend: headDim = 4; headDim = 8; headDim = 16"), lr);
        String widths = desc(plan.get("widths-loss-parameterization-mup-lr-0.1"));
        assertTrue(widths.contains("legend: headDim = 4; headDim = 8; headDim = 16; entropy rate H = 0.5446"), widths);
        String svg = new String(Charts.svg(plan.get("widths-loss-parameterization-mup-lr-0.1").chart().get()),
                StandardCharsets.UTF_8);
        String chartTitle = svg.substring(svg.indexOf("<title>") + 7, svg.indexOf("</title>"));
        assertTrue(chartTitle.contains("over 2 seeds"), chartTitle); // 3 widths × 2 seeds: seeds, not runs
    }

    @Test
    void levelsNameTheChanceLevelForClassifiersAndPrintNoNegativeZero() {
        List<FigureData.Level> lv = FigurePlan.levels(new RunView.Baselines(null, Math.log(2), null, -1e-12, 0.0, null));
        assertEquals(List.of("optimal loss", "chance (label entropy)"), lv.stream().map(FigureData.Level::label).toList());
        String svg = new String(Charts.svg(Charts.xy(new FigureData.Xy("t", "step", "loss", false, false,
                List.of(new FigureData.Line("train loss", new double[] {0, 1}, new double[] {0.7, 0.1}, null, null, 0,
                        false, false)), lv, List.of()))), StandardCharsets.UTF_8);
        assertTrue(svg.contains("optimal loss = 0.0000") && !svg.contains("-0.0000"), svg.substring(0, 400));
    }

    @Test
    void attentionKernels() {
        RunView.Baselines classifier = new RunView.Baselines(null, null, null, 0.0, 0.0, null);
        ExperimentView v = view("two-layer-classifier", sweep("model.attention", List.of("softmax", "gaussian"),
                "train.trainable", List.of(List.of("all"), List.of("q"))), 2, classifier, (cell, seed) -> null);
        Map<String, FigurePlan.Entry> plan = FigurePlan.of(v, CURVES);
        assertEquals(List.of("kernels-train-loss", "loss-attention-softmax-trainable-all", "loss-attention-softmax-trainable-q",
                "loss-attention-gaussian-trainable-all", "loss-attention-gaussian-trainable-q"), new ArrayList<>(plan.keySet()));
        String k = desc(plan.get("kernels-train-loss"));
        assertTrue(k.contains("legend: attention = softmax, trainable = all; attention = softmax, trainable = q;"), k);
        assertTrue(desc(plan.get("loss-attention-softmax-trainable-q")).contains("optimal loss = 0.0000"));
    }

    @Test
    void signGdStages() {
        RunView.Baselines classifier = new RunView.Baselines(null, null, null, 0.1, 0.0, null);
        ExperimentView v = view("two-layer-classifier", sweep("train.optimizer", List.of("signgd", "gd"), "train.lr",
                List.of(0.003)), 2, classifier, (cell, seed) -> "gd".equals(cell.get("train.optimizer")) ? Map.of()
                : Map.of("liStages", Map.of("I", Map.of("endStep", 8), "II", Map.of("endStep", 20 + seed)),
                "stageTrajectories", Map.of("probe/value_noise", Map.of("steps", List.of(0, 10, 20, 30),
                        "values", List.of(0.0, 0.1, 0.2, 0.3)))));
        Map<String, FigurePlan.Entry> plan = FigurePlan.of(v, CURVES);
        assertEquals(List.of("stages-optimizer-signgd-lr-0.003", "loss-optimizer-signgd-lr-0.003", "loss-optimizer-gd-lr-0.003"),
                new ArrayList<>(plan.keySet()));
        String s = desc(plan.get("stages-optimizer-signgd-lr-0.003"));
        assertTrue(s.contains("vertical line stage I ends at 8"), s);
        assertTrue(s.contains("vertical line stage II ends at 20.5"), s);
        assertTrue(s.contains("line value_noise: 4 points"), s);
    }

    @Test
    void signGdStagesDrawNormsAndSharesOnTwoYAxes() {
        RunView.Baselines classifier = new RunView.Baselines(null, null, null, 0.1, 0.0, null);
        Map<String, Object> trajectories = new LinkedHashMap<>();
        trajectories.put("probe/value_noise", Map.of("steps", List.of(0, 10, 20, 30), "values", List.of(0.0, 12.0, 25.0, 40.0)));
        trajectories.put("probe/qk_noise_sign_agreement", Map.of("steps", List.of(0, 10, 20, 30),
                "values", List.of(0.5, 0.7, 0.9, 0.95)));
        trajectories.put("probe/attn_signal_from_noise", Map.of("steps", List.of(0, 10, 20, 30),
                "values", List.of(0.3, 0.2, 0.1, 0.05)));
        ExperimentView v = view("two-layer-classifier", sweep("train.optimizer", List.of("signgd"), "train.lr",
                List.of(0.003)), 2, classifier, (cell, seed) -> Map.of("stageTrajectories", trajectories,
                "liStages", Map.of("I", Map.of("endStep", 8))));
        Charts.Drawn d = FigurePlan.of(v, CURVES).get("stages-optimizer-signgd-lr-0.003").chart().get();
        String s = String.join("\n", d.description());
        assertTrue(s.contains("y axis: value norm"), s);
        assertTrue(s.contains("right y axis: sign agreement, attention weight (0–1)"), s);
        assertTrue(s.contains("line value_noise: 4 points, with its min–max band\n"), s);
        assertTrue(s.contains("line qk_noise_sign_agreement: 4 points, with its min–max band, on the right y axis"), s);
        assertTrue(s.contains("line attn_signal_from_noise: 4 points, with its min–max band, on the right y axis"), s);
        assertEquals(1, d.chart().getSeriesMap().get("qk_noise_sign_agreement").getYAxisGroup());
        assertEquals(0, d.chart().getSeriesMap().get("value_noise").getYAxisGroup());
        assertTrue(FigurePlan.isShare("probe/qk_signal_sign_agreement") && FigurePlan.isShare("probe/attn_signal_from_signal"));
        assertFalse(FigurePlan.isShare("probe/value_signal"));
    }

    @Test
    void slugsAndLabels() {
        Map<String, Object> cell = new LinkedHashMap<>();
        cell.put("data.p", 0.1);
        cell.put("model.init.scheme", "base");
        cell.put("train.trainable", List.of("q", "k"));
        assertEquals("p0.1-scheme-base-trainable-q-k", FigurePlan.slug(cell));
        assertEquals("p = 0.1, scheme = base, trainable = q+k", FigurePlan.label(cell));
        assertEquals("", FigurePlan.slug(Map.of()));
    }

    // ---- fixtures ----------------------------------------------------------------------------------------------

    interface Findings {
        Map<String, Object> of(Map<String, Object> cell, int seed);
    }

    static Map<String, List<?>> sweep(String a, List<?> av, String b, List<?> bv) {
        Map<String, List<?>> s = new LinkedHashMap<>();
        s.put(a, av);
        s.put(b, bv);
        return s;
    }

    /** An experiment of {@code family} with {@code seeds} runs per cell; GLOBAL below p + q = 1, LOCAL above. */
    static ExperimentView view(String family, Map<String, List<?>> sweep, int seeds, RunView.Baselines b, Findings findings) {
        ObjectNode spec = JSON.createObjectNode();
        spec.putObject("model").put("family", family);
        spec.set("sweep", JSON.valueToTree(sweep));
        List<Map<String, Object>> cells = new ArrayList<>();
        cells.add(new LinkedHashMap<>());
        for (Map.Entry<String, List<?>> axis : sweep.entrySet()) {
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> c : cells) {
                for (Object value : axis.getValue()) {
                    Map<String, Object> n = new LinkedHashMap<>(c);
                    n.put(axis.getKey(), value);
                    next.add(n);
                }
            }
            cells = next;
        }
        List<RunView> runs = new ArrayList<>();
        int i = 0;
        for (Map<String, Object> cell : cells) {
            for (int seed = 0; seed < seeds; seed++) {
                double sum = cell.get("data.p") instanceof Double p ? p + (Double) cell.get("data.q") : 0;
                Map<String, Object> f = findings.of(cell, seed);
                JsonNode fj = f == null ? null : JSON.valueToTree(f);
                runs.add(new RunView("run-" + i++, "e1", "cell-" + cells.indexOf(cell), cell, seed, "FINISHED", 1, 200,
                        200, sum > 1 ? "LOCAL" : "GLOBAL", false, "exact", b, null, null, null, 0.55 + seed / 100.0, null,
                        null, null, null, null, null, null, null, null, null, fj, null, null, null));
            }
        }
        java.util.Collections.reverse(runs); // as the store may list them (by id): the figures follow the sweep's order
        return new ExperimentView("e1", "t", "FINISHED", "default", runs.size(), null, null, spec, runs, List.of(), null);
    }

    static String desc(FigurePlan.Entry e) {
        String svg = new String(Charts.svg(e.chart().get()), StandardCharsets.UTF_8);
        return svg.substring(svg.indexOf("<desc>") + 6, svg.indexOf("</desc>"));
    }
}
