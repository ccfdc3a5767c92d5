package dev.tdlab.analysis.figures;

import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Annotation;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.font.TextLayout;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The renderers: pure functions from {@link FigureData} to XChart charts, and the two encodings (PNG through AWT,
 * SVG through VectorGraphics2D). AWT runs headless: no display is needed or used.
 */
final class Charts {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    static final int WIDTH = 760, HEIGHT = 480;
    /** Okabe–Ito: distinguishable with the common colour-vision deficiencies. */
    static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
            new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000), new Color(0xF0E442)};
    static final Color GREY = new Color(0x8c8c8c);

    private Charts() {
    }

    /**
     * A chart and what it says in words: XChart draws every glyph as an outline, so the SVG carries no text of its
     * own; {@link #svg} writes the title and these lines (legend entries, cell labels, markers) as the SVG's
     * {@code <title>} and {@code <desc>}, for screen readers, search and tests.
     */
    record Drawn(XYChart chart, List<String> description) {
    }

    static Color colour(int i) {
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }

    /**
     * An x–y chart: bands under their lines, then the lines, horizontal levels and vertical markers. Lines marked
     * {@code right} go on a second y axis on the right when the figure has left lines too (else all on one axis, titled
     * {@code yRightTitle}).
     */
    static Drawn xy(FigureData.Xy f) {
        List<String> desc = new ArrayList<>();
        // a legend too wide for one row goes one entry per row under the plot, the chart taller by as much
        int legendChars = f.lines().stream().mapToInt(l -> l.label().length() + 6).sum()
                + f.levels().stream().mapToInt(l -> l.label().length() + 15).sum();
        int entries = f.lines().size() + f.levels().size();
        boolean vertical = legendChars > 95;
        boolean anyRight = f.yRightTitle() != null && f.lines().stream().anyMatch(FigureData.Line::right);
        boolean twoAxes = anyRight && f.lines().stream().anyMatch(l -> !l.right());
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT + (vertical ? 18 * (entries - 1) : 0))
                .title(f.title()).xAxisTitle(f.xTitle()).yAxisTitle(anyRight && !twoAxes ? f.yRightTitle() : f.yTitle())
                .build();
        style(c);
        if (twoAxes) {
            c.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
            c.setYAxisGroupTitle(1, f.yRightTitle());
        }
        if (vertical) {
            c.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        }
        c.getStyler().setXAxisLogarithmic(f.logX()).setYAxisLogarithmic(f.logY());
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        List<String> names = new ArrayList<>();
        for (FigureData.Line line : f.lines()) {
            double[][] pts = kept(line.x(), line.y(), line.low(), line.high(), f.logX(), f.logY());
            if (pts[0].length == 0) {
                continue;
            }
            int group = twoAxes && line.right() ? 1 : 0; // levels and markers span the left axis: only its lines count
            for (int i = 0; i < pts[0].length; i++) {
                xMin = Math.min(xMin, pts[0][i]);
                xMax = Math.max(xMax, pts[0][i]);
                if (group == 1) {
                    continue;
                }
                yMin = Math.min(yMin, Math.min(pts[1][i], pts[2] == null ? pts[1][i] : pts[2][i]));
                yMax = Math.max(yMax, Math.max(pts[1][i], pts[3] == null ? pts[1][i] : pts[3][i]));
            }
            Color col = colour(line.colour());
            if (pts[2] != null && pts[0].length > 1) { // the band: min forward, max backward, filled
                int n = pts[0].length;
                double[] bx = new double[2 * n], by = new double[2 * n];
                for (int i = 0; i < n; i++) {
                    bx[i] = pts[0][i];
                    by[i] = pts[2][i];
                    bx[2 * n - 1 - i] = pts[0][i];
                    by[2 * n - 1 - i] = pts[3][i];
                }
                XYSeries band = c.addSeries(unique(names, line.label() + " (range)"), bx, by);
                band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
                band.setYAxisGroup(group);
                band.setMarker(SeriesMarkers.NONE).setLineStyle(SeriesLines.NONE)
                        .setFillColor(new Color(col.getRed(), col.getGreen(), col.getBlue(), 50)).setShowInLegend(false);
            }
            desc.add(String.format(Locale.ROOT, "line %s: %d points%s%s", line.label(), pts[0].length,
                    pts[2] != null ? ", with its min–max band" : "", group == 1 ? ", on the right y axis" : ""));
            XYSeries s = c.addSeries(unique(names, line.label()), pts[0], pts[1]);
            s.setYAxisGroup(group);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            s.setLineColor(col).setLineWidth(1.8f).setLineStyle(line.dashed() ? SeriesLines.DASH_DASH : SeriesLines.SOLID);
            if (line.markers()) {
                s.setMarker(SeriesMarkers.CIRCLE).setMarkerColor(col);
            } else {
                s.setMarker(SeriesMarkers.NONE);
            }
        }
        if (xMin > xMax) { // nothing to draw yet: an empty frame that says so
            c.setTitle(f.title() + " (no data yet)");
            xMin = f.logX() ? 1 : 0;
            xMax = f.logX() ? 10 : 1;
        }
        for (FigureData.Level l : f.levels()) {
            if (!Double.isFinite(l.value()) || f.logY() && l.value() <= 0) {
                continue;
            }
            String label = String.format(Locale.ROOT, "%s = %.4f", l.label(), Math.abs(l.value()) < 5e-5 ? 0.0 : l.value());
            desc.add("horizontal line " + label);
            XYSeries s = c.addSeries(unique(names, label),
                    new double[] {xMin, xMax}, new double[] {l.value(), l.value()});
            s.setMarker(SeriesMarkers.NONE).setLineColor(colour(l.colour())).setLineStyle(dash(6f, 4f));
            yMin = Math.min(yMin, l.value());
            yMax = Math.max(yMax, l.value());
        }
        if (!f.markers().isEmpty() && yMin <= yMax) { // named by a label at the top, not in the legend
            for (FigureData.Marker m : f.markers()) {
                if (!Double.isFinite(m.x()) || f.logX() && m.x() <= 0) {
                    continue;
                }
                XYSeries s = c.addSeries(unique(names, m.label() + " @ " + (long) m.x()), new double[] {m.x(), m.x()},
                        new double[] {yMin, yMax});
                s.setMarker(SeriesMarkers.NONE).setLineColor(colour(m.colour())).setLineStyle(dash(2f, 3f));
                s.setShowInLegend(false);
                c.addAnnotation(new AnnotationText(m.label(), m.x(), yMax, false));
                desc.add("vertical line " + m.label() + " at " + fmt(m.x()));
            }
        }
        if (f.logX() && xMin < xMax) {
            logTicks(c, true, xMin, xMax, desc);
        }
        if (f.logY() && yMin < yMax) {
            logTicks(c, false, yMin, yMax, desc);
        }
        return new Drawn(c, describe(c, desc));
    }

    /**
     * Labels a log axis between its powers of ten when its range spans under two decades: XChart's log axis labels
     * only the powers of ten (an axis 0.03–0.5 would read "0.1" alone), though it draws a tick mark at every
     * 1…9 × 10ᵏ. Over 0.7 to 2 decades the marks at 2 and 5 × 10ᵏ get labels too (1-2-5), under 0.7 decades every
     * mark; drawn as outlines by {@link TickLabels} like XChart's own, and listed in the description.
     */
    private static void logTicks(XYChart c, boolean x, double min, double max, List<String> desc) {
        List<Double> added = logTickValues(min, max);
        if (added.isEmpty()) {
            return;
        }
        List<Double> all = new ArrayList<>(added);
        for (int k = (int) Math.ceil(Math.log10(min) - 1e-9); Math.pow(10, k) <= max * (1 + 1e-9); k++) {
            all.add(Math.pow(10, k));
        }
        all.sort(Double::compare);
        c.addAnnotation(new TickLabels(x, added));
        desc.add((x ? "x" : "y") + " axis labelled at " + String.join(", ", all.stream().map(Charts::tick).toList()));
    }

    /** The values between the powers of ten a log axis over [min, max] labels (see {@link #logTicks}). */
    static List<Double> logTickValues(double min, double max) {
        double decades = Math.log10(max / min);
        List<Double> out = new ArrayList<>();
        if (!(decades > 0) || decades >= 2) {
            return out;
        }
        int[] mantissas = decades >= 0.7 ? new int[] {2, 5} : new int[] {2, 3, 4, 5, 6, 7, 8, 9};
        for (int k = (int) Math.floor(Math.log10(min)); k <= (int) Math.ceil(Math.log10(max)); k++) {
            for (int m : mantissas) {
                double v = Double.parseDouble(m + "e" + k);
                if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    /** A tick value as a label: up to three significant digits, no exponent ({@code 0.05}, {@code 2}, {@code 500}). */
    static String tick(double v) {
        return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }

    /** Tick labels at given values of the x or (left) y axis, where XChart's own labels go, in its font and colour. */
    static final class TickLabels extends Annotation {
        private final boolean x;
        private final List<Double> values;

        TickLabels(boolean x, List<Double> values) {
            super(false);
            this.x = x;
            this.values = values;
        }

        @Override
        public void paint(Graphics2D g) {
            AxesChartStyler s = (AxesChartStyler) styler;
            Font font = s.getAxisTickLabelsFont();
            Paint old = g.getPaint();
            g.setColor(s.getAxisTickLabelsColor());
            double gap = s.getAxisTickMarkLength() + s.getAxisTickPadding();
            for (double v : values) {
                TextLayout t = new TextLayout(tick(v), font, g.getFontRenderContext());
                Rectangle2D b = t.getBounds();
                double tx, ty;
                if (x) {
                    tx = getXAxisScreenValue(v) - b.getWidth() / 2 - b.getX();
                    ty = getYAxisScreenValueForMax() + gap - b.getY();
                } else {
                    tx = getXAxisScreenValueForMin() - gap - b.getWidth() - b.getX();
                    ty = getYAxisScreenValue(v) - b.getHeight() / 2 - b.getY();
                }
                g.fill(t.getOutline(AffineTransform.getTranslateInstance(tx, ty)));
            }
            g.setPaint(old);
        }
    }

    /**
     * A heat map of fraction GLOBAL: one filled rectangle per cell (white = 0, green = 1), labelled with k/n and
     * the Wilson interval; uninformative cells grey and hatched; optionally the p + q = 1 line.
     */
    static Drawn phase(FigureData.Phase f) {
        List<String> desc = new ArrayList<>();
        XYChart c = new XYChartBuilder().width(WIDTH).height(WIDTH).title(f.title()).xAxisTitle(f.xTitle())
                .yAxisTitle(f.yTitle()).build();
        style(c);
        double[] xs = f.cells().stream().mapToDouble(FigureData.PhaseCell::x).distinct().sorted().toArray();
        double[] ys = f.cells().stream().mapToDouble(FigureData.PhaseCell::y).distinct().sorted().toArray();
        double[] xe = edges(xs, f.pPlusQLine()), ye = edges(ys, f.pPlusQLine());
        List<String> names = new ArrayList<>();
        boolean hatchedShown = false, pendingShown = false;
        for (FigureData.PhaseCell cell : f.cells()) {
            int i = java.util.Arrays.binarySearch(xs, cell.x()), j = java.util.Arrays.binarySearch(ys, cell.y());
            double x0 = xe[i], x1 = xe[i + 1], y0 = ye[j], y1 = ye[j + 1];
            XYSeries rect = c.addSeries(unique(names, "cell " + cell.x() + "," + cell.y()),
                    new double[] {x0, x1, x1, x0}, new double[] {y0, y0, y1, y1});
            rect.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
            rect.setMarker(SeriesMarkers.NONE).setLineColor(Color.WHITE).setShowInLegend(false);
            Double frac = cell.fraction();
            if (cell.uninformative()) {
                rect.setFillColor(new Color(0xd0d0d0));
                double w = x1 - x0, h = y1 - y0;
                for (int k = 1; k < 6; k++) { // hatching: diagonals across the cell
                    double t = k / 6.0;
                    XYSeries hatch = c.addSeries(unique(names, "uninformative"),
                            new double[] {x0 + t * w, x0}, new double[] {y0, y0 + t * h});
                    hatch.setMarker(SeriesMarkers.NONE).setLineColor(GREY).setLineWidth(0.8f)
                            .setShowInLegend(!hatchedShown);
                    hatchedShown = true;
                    XYSeries hatch2 = c.addSeries(unique(names, "hatch"), new double[] {x1, x0 + t * w},
                            new double[] {y0 + t * h, y1});
                    hatch2.setMarker(SeriesMarkers.NONE).setLineColor(GREY).setLineWidth(0.8f).setShowInLegend(false);
                }
            } else if (frac == null) {
                rect.setFillColor(new Color(0xf4f4f4));
                pendingShown = true;
            } else {
                rect.setFillColor(heat(frac));
            }
            double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, dy = (y1 - y0) * 0.12;
            String top = cell.uninformative() ? "uninformative" : frac == null ? "no verdicts" : cell.global() + "/" + cell.decided() + " GLOBAL";
            c.addAnnotation(new AnnotationText(top, cx, cy + dy, false));
            String interval = frac == null ? "" : String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", frac,
                    cell.low() == null ? Double.NaN : cell.low(), cell.high() == null ? Double.NaN : cell.high());
            if (frac != null) {
                c.addAnnotation(new AnnotationText(interval, cx, cy - dy, false));
            }
            desc.add("cell " + f.xTitle() + " = " + fmt(cell.x()) + ", " + f.yTitle() + " = " + fmt(cell.y()) + ": " + top
                    + (frac == null ? "" : ", fraction " + interval));
        }
        if (f.pPlusQLine()) {
            XYSeries line = c.addSeries("p + q = 1 (H = U)", new double[] {xe[0], xe[xe.length - 1]},
                    new double[] {1 - xe[0], 1 - xe[xe.length - 1]});
            line.setMarker(SeriesMarkers.NONE).setLineColor(Color.BLACK).setLineWidth(2f).setLineStyle(dash(8f, 5f));
        }
        // legend entries for the colour scale: one point each, outside the axes' range (clipped away)
        for (double v : new double[] {0, 0.5, 1}) {
            XYSeries key = c.addSeries(String.format(Locale.ROOT, "GLOBAL %s", fmt(v)),
                    new double[] {xe[0] - 10 * (xe[xe.length - 1] - xe[0] + 1)}, new double[] {ye[0]});
            key.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            key.setMarker(SeriesMarkers.SQUARE).setMarkerColor(heat(v));
        }
        if (pendingShown) {
            c.setTitle(f.title() + " (some cells have no verdicts yet)");
        }
        c.getStyler().setXAxisMin(xe[0]).setXAxisMax(xe[xe.length - 1]).setYAxisMin(ye[0]).setYAxisMax(ye[ye.length - 1]);
        c.getStyler().setMarkerSize(10);
        return new Drawn(c, describe(c, desc));
    }

    /** White (0) to green (1). */
    static Color heat(double f) {
        double t = Math.max(0, Math.min(1, f));
        Color lo = new Color(0xfff7e6), hi = new Color(0x1a7f37);
        return new Color((int) Math.round(lo.getRed() + t * (hi.getRed() - lo.getRed())),
                (int) Math.round(lo.getGreen() + t * (hi.getGreen() - lo.getGreen())),
                (int) Math.round(lo.getBlue() + t * (hi.getBlue() - lo.getBlue())));
    }

    /** Cell edges: midpoints between neighbours, the outer ones half a gap out (clamped to [0, 1] for p, q). */
    static double[] edges(double[] v, boolean unit) {
        double[] e = new double[v.length + 1];
        for (int i = 1; i < v.length; i++) {
            e[i] = (v[i - 1] + v[i]) / 2;
        }
        double first = v.length > 1 ? (v[1] - v[0]) / 2 : 0.05 * Math.max(1, Math.abs(v[0]));
        double last = v.length > 1 ? (v[v.length - 1] - v[v.length - 2]) / 2 : first;
        e[0] = v[0] - first;
        e[v.length] = v[v.length - 1] + last;
        if (unit) {
            e[0] = Math.max(0, e[0]);
            e[v.length] = Math.min(1, e[v.length]);
        }
        return e;
    }

    /**
     * The points a chart can draw: finite, and positive on a log axis (a band end that is not positive is raised to
     * the line's value); returns {x, y, low, high} with low/high null without a band.
     */
    static double[][] kept(double[] x, double[] y, double[] low, double[] high, boolean logX, boolean logY) {
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i]) || logX && x[i] <= 0 || logY && y[i] <= 0) {
                continue;
            }
            double lo = low == null || !Double.isFinite(low[i]) || logY && low[i] <= 0 ? y[i] : low[i];
            double hi = high == null || !Double.isFinite(high[i]) ? y[i] : high[i];
            out.add(new double[] {x[i], y[i], lo, hi});
        }
        double[][] r = new double[4][];
        for (int k = 0; k < 4; k++) {
            final int kk = k;
            r[k] = out.stream().mapToDouble(p -> p[kk]).toArray();
        }
        if (low == null) {
            r[2] = null;
            r[3] = null;
        }
        return r;
    }

    /** The axis titles and the legend's entries, then {@code lines}. */
    private static List<String> describe(XYChart c, List<String> lines) {
        List<String> out = new ArrayList<>();
        out.add("x axis: " + c.getXAxisTitle() + (c.getStyler().isXAxisLogarithmic() ? " (log scale)" : ""));
        out.add("y axis: " + c.getYAxisTitle() + (c.getStyler().isYAxisLogarithmic() ? " (log scale)" : ""));
        if (c.getStyler().getYAxisGroupPosistion(1) == Styler.YAxisPosition.Right) {
            out.add("right y axis: " + c.getYAxisGroupTitle(1));
        }
        List<String> legend = c.getSeriesMap().values().stream().filter(XYSeries::isShowInLegend)
                .map(s -> s.getName().strip()).toList();
        out.add("legend: " + String.join("; ", legend));
        out.addAll(lines);
        return out;
    }

    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    static byte[] png(Drawn d) {
        try {
            return BitmapEncoder.getBitmapBytes(d.chart(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SVG, with the chart's title as its {@code <title>} and the description as its {@code <desc>}. */
    static byte[] svg(Drawn d) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            VectorGraphicsEncoder.saveVectorGraphic(d.chart(), out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String svg = out.toString(StandardCharsets.UTF_8);
        int root = svg.indexOf("<svg");
        int end = root < 0 ? -1 : svg.indexOf('>', root);
        if (end < 0) {
            throw new IllegalStateException("the SVG encoder wrote no <svg> element");
        }
        String meta = "\n  <title>" + xml(d.chart().getTitle()) + "</title>\n  <desc>" + xml(String.join("\n", d.description()))
                + "</desc>";
        return (svg.substring(0, end + 1) + meta + svg.substring(end + 1)).getBytes(StandardCharsets.UTF_8);
    }

    static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static void style(XYChart c) {
        Styler s = c.getStyler();
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(new Color(0xcccccc));
        s.setAntiAlias(true);
        // solid grid lines: a dashed stroke reaches the SVG as hundreds of filled dash outlines (≈ 300 kB a chart)
        c.getStyler().setPlotGridLinesStroke(new BasicStroke(0.7f));
        c.getStyler().setPlotGridLinesColor(new Color(0xe6e6e6));
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    }

    private static BasicStroke dash(float on, float off) {
        return new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {on, off}, 0f);
    }

    /** XChart needs distinct series names: a repeated label gets invisible trailing spaces. */
    private static String unique(List<String> names, String name) {
        String n = name;
        while (names.contains(n)) {
            n = n + " ";
        }
        names.add(n);
        return n;
    }
}
