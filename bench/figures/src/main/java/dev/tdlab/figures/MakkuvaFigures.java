package dev.tdlab.figures;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The Makkuva et al. study's figures and table, from what the analysis API served: the experiment view
 * ({@code GET /api/v1/experiments/ID}) and each run's metrics ({@code GET /api/v1/runs/RUN/metrics}), saved as
 * {@code experiment.json} and {@code metrics/RUN.json} by {@code bench/figures/makkuva.sh}.
 *
 * <p>Writes into OUT: {@code phase-INIT.png} (fraction GLOBAL per (p, q) cell, the p + q = 1 line, uninformative
 * cells hollow), {@code curves-pP-qQ.png} per cell (the exact-conditional eval loss of every seed, one colour per init,
 * with the entropy rate H and the unigram entropy U as dashed lines), and {@code table.md} (paper says / measured /
 * seeds / Wilson interval, per cell and init, and the system's claims).
 *
 * <p>Usage: {@code MakkuvaFigures DIR OUT}.
 */
public final class MakkuvaFigures {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Color[] INIT_COLOURS = {new Color(0x0969da), new Color(0xcf222e), new Color(0x1a7f37), new Color(0x8250df)};

    private MakkuvaFigures() {
    }

    record Run(String id, double p, double q, String init, long seed, String verdict, boolean uninformative, double h,
               double u, double gap) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: MakkuvaFigures DIR OUT  (DIR holds experiment.json and metrics/RUN.json)");
            System.exit(2);
        }
        Path dir = Path.of(args[0]), out = Path.of(args[1]);
        Files.createDirectories(out);
        JsonNode e = JSON.readTree(dir.resolve("experiment.json").toFile());
        String baseInit = e.path("spec").path("model").path("init").path("scheme").asText("base");
        List<Run> runs = new ArrayList<>();
        for (JsonNode r : e.path("runs")) {
            JsonNode c = r.path("cell");
            double p = c.has("data.p") ? c.get("data.p").asDouble() : e.path("spec").path("data").path("p").asDouble();
            double q = c.has("data.q") ? c.get("data.q").asDouble() : e.path("spec").path("data").path("q").asDouble();
            String init = c.has("model.init.scheme") ? c.get("model.init.scheme").asText() : baseInit;
            runs.add(new Run(r.path("id").asText(), p, q, init, r.path("seed").asLong(),
                    r.path("verdict").isTextual() ? r.path("verdict").asText() : null,
                    r.path("uninformative").asBoolean(false), r.path("baselines").path("entropyRate").asDouble(Double.NaN),
                    r.path("baselines").path("unigramEntropy").asDouble(Double.NaN),
                    r.path("gapToOptimum").isNumber() ? r.path("gapToOptimum").asDouble() : Double.NaN));
        }
        Map<String, Map<String, List<Run>>> byInit = new TreeMap<>();
        for (Run r : runs) {
            byInit.computeIfAbsent(r.init(), k -> new TreeMap<>()).computeIfAbsent(key(r.p(), r.q()), k -> new ArrayList<>()).add(r);
        }
        for (var entry : byInit.entrySet()) {
            phase(entry.getKey(), entry.getValue(), out.resolve("phase-" + entry.getKey() + ".png"));
        }
        curves(dir, runs, new ArrayList<>(byInit.keySet()), out);
        Files.writeString(out.resolve("table.md"), table(e, byInit));
        System.out.println("wrote " + out);
    }

    static String key(double p, double q) {
        return String.format(Locale.ROOT, "p%s-q%s", trim(p), trim(q));
    }

    static String trim(double x) {
        String s = String.format(Locale.ROOT, "%.4f", x);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    /** GLOBAL share of the decided runs and its Wilson 95 % interval. */
    static double[] wilson(int k, int n) {
        if (n == 0) return new double[] {Double.NaN, Double.NaN, Double.NaN};
        double z = 1.959964, ph = (double) k / n, z2 = z * z;
        double centre = (ph + z2 / (2 * n)) / (1 + z2 / n);
        double half = z / (1 + z2 / n) * Math.sqrt(ph * (1 - ph) / n + z2 / (4.0 * n * n));
        return new double[] {ph, Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    static void phase(String init, Map<String, List<Run>> cells, Path file) throws IOException {
        XYChart c = new XYChartBuilder().width(640).height(560).title("fraction GLOBAL per cell, init " + init)
                .xAxisTitle("p = P(1 | 0)").yAxisTitle("q = P(0 | 1)").build();
        c.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        c.getStyler().setMarkerSize(28);
        XYSeries line = c.addSeries("p + q = 1 (H = U: uninformative)", new double[] {0, 1}, new double[] {1, 0});
        line.setMarker(SeriesMarkers.NONE).setLineColor(Color.GRAY).setLineStyle(SeriesLines.DASH_DASH);
        String[] bins = {"GLOBAL in 0-25 %", "GLOBAL in 25-50 %", "GLOBAL in 50-75 %", "GLOBAL in 75-100 %"};
        Color[] colours = {new Color(0xb35900), new Color(0xe6a23c), new Color(0x7fc97f), new Color(0x1a7f37)};
        List<List<double[]>> points = new ArrayList<>();
        for (int i = 0; i < 4; i++) points.add(new ArrayList<>());
        List<double[]> hollow = new ArrayList<>();
        for (List<Run> g : cells.values()) {
            Run r0 = g.get(0);
            if (r0.uninformative()) {
                hollow.add(new double[] {r0.p(), r0.q()});
                continue;
            }
            int n = 0, k = 0;
            for (Run r : g) {
                if (r.verdict() == null) continue;
                n++;
                if ("GLOBAL".equals(r.verdict())) k++;
            }
            if (n == 0) continue;
            double f = (double) k / n;
            points.get(Math.min(3, (int) (f * 4))).add(new double[] {r0.p(), r0.q()});
            c.addAnnotation(new org.knowm.xchart.AnnotationText(k + "/" + n, r0.p() + 0.075, r0.q(), false));
        }
        for (int i = 0; i < 4; i++) {
            if (points.get(i).isEmpty()) continue;
            XYSeries s = c.addSeries(bins[i], xs(points.get(i)), ys(points.get(i)));
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.SQUARE).setMarkerColor(colours[i]);
        }
        if (!hollow.isEmpty()) {
            XYSeries s = c.addSeries("uninformative (optimum = plateau)", xs(hollow), ys(hollow));
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.DIAMOND).setMarkerColor(Color.LIGHT_GRAY);
        }
        BitmapEncoder.saveBitmap(c, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    static void curves(Path dir, List<Run> runs, List<String> inits, Path out) throws IOException {
        Map<String, List<Run>> byCell = new TreeMap<>();
        for (Run r : runs) byCell.computeIfAbsent(key(r.p(), r.q()), k -> new ArrayList<>()).add(r);
        for (var cell : byCell.entrySet()) {
            Run r0 = cell.getValue().get(0);
            XYChart c = new XYChartBuilder().width(720).height(440)
                    .title(String.format(Locale.ROOT, "p = %s, q = %s (p + q = %s): exact-conditional eval loss",
                            trim(r0.p()), trim(r0.q()), trim(r0.p() + r0.q())))
                    .xAxisTitle("step").yAxisTitle("loss (nats)").build();
            c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
            c.getStyler().setMarkerSize(0);
            double maxStep = 1;
            double lo = Math.min(r0.h(), r0.u()), hi = Math.max(r0.h(), r0.u());
            boolean[] labelled = new boolean[inits.size()];
            for (Run r : cell.getValue()) {
                File f = dir.resolve("metrics").resolve(r.id() + ".json").toFile();
                if (!f.exists()) continue;
                JsonNode m = JSON.readTree(f).path("metrics");
                JsonNode s = m.has("eval_exact_loss") ? m.get("eval_exact_loss") : m.path("eval_loss");
                double[] x = doubles(s.path("steps")), y = doubles(s.path("values"));
                if (x.length == 0) continue;
                maxStep = Math.max(maxStep, x[x.length - 1]);
                for (double v : y) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, Math.min(v, r0.u() + 0.25)); }
                int i = inits.indexOf(r.init());
                String name = labelled[i] ? r.init() + " seed " + r.seed() : r.init() + " (each line a seed)";
                if (!labelled[i]) labelled[i] = true;
                XYSeries series = c.addSeries(name.contains("each line") ? name : name + " " + r.id().substring(0, 8), x, y);
                series.setMarker(SeriesMarkers.NONE).setLineColor(INIT_COLOURS[i % INIT_COLOURS.length])
                        .setLineWidth(1.2f).setLineStyle(SeriesLines.SOLID).setShowInLegend(name.contains("each line"));
            }
            XYSeries h = c.addSeries(String.format(Locale.ROOT, "entropy rate H = %.4f", r0.h()),
                    new double[] {0, maxStep}, new double[] {r0.h(), r0.h()});
            h.setMarker(SeriesMarkers.NONE).setLineColor(Color.BLACK).setLineStyle(new BasicStroke(1.5f,
                    BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            XYSeries u = c.addSeries(String.format(Locale.ROOT, "unigram U = %.4f", r0.u()),
                    new double[] {0, maxStep}, new double[] {r0.u(), r0.u()});
            u.setMarker(SeriesMarkers.NONE).setLineColor(new Color(0xb35900)).setLineStyle(new BasicStroke(1.5f,
                    BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {2f, 4f}, 0f));
            double pad = Math.max(0.005, 0.1 * (hi - lo));
            c.getStyler().setYAxisMin(lo - pad).setYAxisMax(hi + pad);
            BitmapEncoder.saveBitmap(c, out.resolve("curves-" + cell.getKey() + ".png").toString(),
                    BitmapEncoder.BitmapFormat.PNG);
        }
    }

    static String table(JsonNode e, Map<String, Map<String, List<Run>>> byInit) {
        StringBuilder sb = new StringBuilder();
        sb.append("| p | q | p + q | U − H | init | paper says | tdlab measured (GLOBAL / LOCAL / UNRESOLVED / NOT_CONVERGED) "
                + "| seeds | fraction GLOBAL [Wilson 95 %] | fraction as the paper says [interval, undecided runs counted both ways] "
                + "| median final gap to H (exact) |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (var init : byInit.entrySet()) {
            for (List<Run> g : init.getValue().values()) {
                Run r0 = g.get(0);
                int n = 0;
                Map<String, Integer> count = new TreeMap<>();
                for (Run r : g) {
                    if (r.verdict() == null) continue;
                    n++;
                    count.merge(r.verdict(), 1, Integer::sum);
                }
                double[] w = wilson(count.getOrDefault("GLOBAL", 0), n);
                double s = r0.p() + r0.q();
                String says = r0.uninformative() ? "— (H = U: uninformative)"
                        : "base".equals(init.getKey()) ? (s < 1 ? "GLOBAL" : "LOCAL")
                        : s > 1 ? "GLOBAL (init guideline)" : "GLOBAL";
                String expected = r0.uninformative() ? null : "base".equals(init.getKey()) && s > 1 ? "LOCAL" : "GLOBAL";
                int k = expected == null ? 0 : count.getOrDefault(expected, 0);
                int undecided = n - count.getOrDefault("GLOBAL", 0) - count.getOrDefault("LOCAL", 0);
                double lo = wilson(k, n)[1], hi = wilson(k + undecided, n)[2];
                String agree = n == 0 || expected == null ? "–" : String.format(Locale.ROOT, "%d/%d [%.2f, %.2f] %s", k, n, lo, hi,
                        lo > 0.5 ? "agrees" : hi < 0.5 ? "contradicts" : "undecided");
                double[] gaps = g.stream().mapToDouble(Run::gap).filter(Double::isFinite).sorted().toArray();
                String medianGap = gaps.length == 0 ? "–" : String.format(Locale.ROOT, "%.4f",
                        gaps.length % 2 == 1 ? gaps[gaps.length / 2] : (gaps[gaps.length / 2 - 1] + gaps[gaps.length / 2]) / 2);
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.4f | %s | %s | %d / %d / %d / %d | %d | %s | %s | %s |%n",
                        trim(r0.p()), trim(r0.q()), trim(s), r0.u() - r0.h(), init.getKey(), says,
                        count.getOrDefault("GLOBAL", 0), count.getOrDefault("LOCAL", 0),
                        count.getOrDefault("UNRESOLVED", 0), count.getOrDefault("NOT_CONVERGED", 0), n,
                        n == 0 ? "–" : String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", w[0], w[1], w[2]), agree, medianGap));
            }
        }
        sb.append("\nClaims judged by the system:\n\n");
        for (JsonNode c : e.path("claims")) {
            sb.append("- **").append(c.path("id").asText()).append("** (").append(c.path("paper").asText()).append("): ")
                    .append(c.path("outcome").asText()).append(". ").append(c.path("statement").asText());
            if (c.path("evidence").has("why")) sb.append(" — ").append(c.path("evidence").path("why").asText());
            sb.append('\n');
        }
        return sb.toString();
    }

    static double[] xs(List<double[]> pts) {
        return pts.stream().mapToDouble(a -> a[0]).toArray();
    }

    static double[] ys(List<double[]> pts) {
        return pts.stream().mapToDouble(a -> a[1]).toArray();
    }

    static double[] doubles(JsonNode arr) {
        double[] out = new double[arr.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = arr.get(i);
            out[i] = v.isNumber() ? v.asDouble() : Double.NaN;
        }
        return out;
    }
}
