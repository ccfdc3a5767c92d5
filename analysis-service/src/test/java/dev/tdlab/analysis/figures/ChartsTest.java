package dev.tdlab.analysis.figures;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChartsTest {

    static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    static FigureData.Xy lossFigure(boolean logY, double shift) {
        double[] steps = {0, 100, 200, 300, 400};
        double[] median = {0.69 - shift, 0.60 - shift, 0.55 - shift, 0.545 - shift, 0.5446 - shift};
        double[] low = Arrays.stream(median).map(v -> v - 0.01).toArray();
        double[] high = Arrays.stream(median).map(v -> v + 0.01).toArray();
        return new FigureData.Xy("Loss, p = 0.2, q = 0.3", "step", "loss (nats)", false, logY,
                List.of(new FigureData.Line("eval loss", steps, median, low, high, 1, false, false)),
                List.of(new FigureData.Level("entropy rate H", 0.5446 - shift, 6), new FigureData.Level("unigram U", 0.673, 1)),
                List.of());
    }

    @Test
    void pngHasThePngSignatureAndTheChartSize() throws Exception {
        byte[] png = Charts.png(Charts.xy(lossFigure(false, 0)));
        assertArrayEquals(PNG_MAGIC, Arrays.copyOf(png, 8));
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(Charts.WIDTH, img.getWidth());
        assertEquals(Charts.HEIGHT, img.getHeight());
        assertTrue(Boolean.getBoolean("java.awt.headless") || java.awt.GraphicsEnvironment.isHeadless());
    }

    @Test
    void svgParsesAsXmlAndNamesTheEntropyRateLine() throws Exception {
        byte[] svg = Charts.svg(Charts.xy(lossFigure(false, 0)));
        Document doc = parse(new ByteArrayInputStream(svg));
        assertEquals("svg", doc.getDocumentElement().getLocalName() == null ? doc.getDocumentElement().getTagName()
                : doc.getDocumentElement().getLocalName());
        String text = texts(doc);
        assertTrue(text.contains("entropy rate H = 0.5446"), text);
        assertTrue(text.contains("unigram U = 0.6730"), text);
        assertTrue(text.contains("eval loss"), text);
        assertEquals("Loss, p = 0.2, q = 0.3", doc.getElementsByTagName("title").item(0).getTextContent());
        // the two levels are drawn dashed 6-4, in the plot and in the legend (the grid is 3-0, the data line solid)
        String raw = new String(svg, StandardCharsets.UTF_8);
        assertEquals(4, raw.split("stroke-dasharray:6,4", -1).length - 1, "dashed strokes");
    }

    @Test
    void aLogAxisLeavesOutNonPositivePointsInsteadOfFailing() throws Exception {
        // shifted by H: the last points are ≤ 0 (excess loss below sampling noise), and so is the H level
        FigureData.Xy f = lossFigure(true, 0.5446);
        byte[] svg = Charts.svg(Charts.xy(f));
        String text = texts(parse(new ByteArrayInputStream(svg)));
        assertFalse(text.contains("entropy rate H"), "a level at 0 cannot be drawn on a log axis: " + text);
        double[][] kept = Charts.kept(f.lines().get(0).x(), f.lines().get(0).y(), f.lines().get(0).low(),
                f.lines().get(0).high(), false, true);
        assertArrayEquals(new double[] {0, 100, 200, 300}, kept[0]);
        assertTrue(Arrays.stream(kept[2]).allMatch(v -> v > 0), Arrays.toString(kept[2]));
        // all points non-positive: an empty frame, no exception
        FigureData.Xy none = new FigureData.Xy("t", "x", "y", false, true, List.of(FigureData.Line.of("l",
                new double[] {1, 2}, new double[] {0, -1}, 0)), List.of(), List.of());
        assertArrayEquals(PNG_MAGIC, Arrays.copyOf(Charts.png(Charts.xy(none)), 8));
    }

    @Test
    void thePhaseDiagramLabelsEachCellWithItsWilsonIntervalAndHatchesUninformativeOnes() throws Exception {
        FigureData.Phase f = new FigureData.Phase("phase", "data.p", "data.q", List.of(
                new FigureData.PhaseCell(0.1, 0.2, 3, 4, 0.30, 0.95, false),
                new FigureData.PhaseCell(0.9, 0.2, 0, 4, 0.0, 0.49, false),
                new FigureData.PhaseCell(0.5, 0.5, 0, 0, null, null, true),
                new FigureData.PhaseCell(0.1, 0.6, 0, 0, null, null, false)), true);
        byte[] svg = Charts.svg(Charts.phase(f));
        String text = texts(parse(new ByteArrayInputStream(svg)));
        assertTrue(text.contains("3/4 GLOBAL"), text);
        assertTrue(text.contains("0.75 [0.30, 0.95]"), text);
        assertTrue(text.contains("0.00 [0.00, 0.49]"), text);
        assertTrue(text.contains("uninformative"), text);
        assertTrue(text.contains("p + q = 1"), text);
        assertTrue(text.contains("no verdicts"), text);
        assertArrayEquals(PNG_MAGIC, Arrays.copyOf(Charts.png(Charts.phase(f)), 8));
    }

    @Test
    void verticalMarkersAndEdgesOfIrregularGrids() {
        assertArrayEquals(new double[] {0.05, 0.15, 0.4, 0.8}, Charts.edges(new double[] {0.1, 0.2, 0.6}, true), 1e-12);
        assertArrayEquals(new double[] {1, 3, 6, 10}, Charts.edges(new double[] {2, 4, 8}, false), 1e-12);
        FigureData.Xy f = new FigureData.Xy("stages", "step", "value", false, false,
                List.of(FigureData.Line.of("value_noise", new double[] {0, 10, 20}, new double[] {0, 1, 2}, 0)), List.of(),
                List.of(new FigureData.Marker("stage I ends", 10, 6)));
        String svg = new String(Charts.svg(Charts.xy(f)), StandardCharsets.UTF_8);
        assertTrue(svg.contains("stage I ends"), svg);
        assertThrows(IllegalArgumentException.class, () -> new FigureData.Line("bad", new double[] {1}, new double[] {1, 2},
                null, null, 0, false, false));
    }

    static FigureData.Xy lrFigure(double... lrs) {
        double[] loss = Arrays.stream(lrs).map(lr -> 1 + Math.abs(Math.log10(lr) + 1)).toArray();
        return new FigureData.Xy("Final eval loss against η₀", "base learning rate η₀ (log)", "final eval loss (nats)", true,
                false, List.of(new FigureData.Line("dModel = 64", lrs, loss, null, null, 0, false, true)), List.of(), List.of());
    }

    @Test
    void aLogAxisUnderTwoDecadesIsLabelledAtOneTwoFive() throws Exception {
        String text = texts(parse(new ByteArrayInputStream(Charts.svg(Charts.xy(lrFigure(0.03, 0.1, 0.3, 1.0))))));
        assertTrue(text.contains("x axis labelled at 0.05, 0.1, 0.2, 0.5, 1\n"), text);
        String narrow = texts(parse(new ByteArrayInputStream(Charts.svg(Charts.xy(lrFigure(0.02, 0.03, 0.06)))))); // 0.48 decades
        assertTrue(narrow.contains("x axis labelled at 0.02, 0.03, 0.04, 0.05, 0.06\n"), narrow);
        String wide = texts(parse(new ByteArrayInputStream(Charts.svg(Charts.xy(lrFigure(0.001, 0.01, 0.1, 1.0))))));
        assertFalse(wide.contains("axis labelled at"), "three decades: the powers of ten are enough: " + wide);
        // a log y axis too: excess loss over 1.3 decades
        String y = texts(parse(new ByteArrayInputStream(Charts.svg(Charts.xy(new FigureData.Xy("excess", "step", "excess", false,
                true, List.of(FigureData.Line.of("kl", new double[] {0, 1, 2}, new double[] {0.4, 0.05, 0.02}, 0)), List.of(),
                List.of()))))));
        assertTrue(y.contains("y axis labelled at 0.02, 0.05, 0.1, 0.2\n"), y);
        assertEquals(List.of(0.2, 0.5, 2.0, 5.0), Charts.logTickValues(0.15, 8));
        assertEquals("0.2", Charts.tick(Double.parseDouble("2e-1")));
    }

    @Test
    void theAddedLogTickLabelsAreDrawnUnderTheirTickMarks() throws Exception {
        Charts.Drawn d = Charts.xy(lrFigure(0.03, 0.1, 0.3, 1.0));
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(Charts.png(d)));
        // below the lowest point (loss 1 at lr 0.1) the plot is empty; the label "0.2" is centred on its tick mark
        int x = (int) Math.round(d.chart().getScreenXFromChart(0.2));
        int bottom = (int) Math.round(d.chart().getScreenYFromChart(1.0));
        assertTrue(dark(img, x - 9, x - 2, bottom + 2, bottom + 45) > 10, "no label left of the 0.2 tick mark at x = " + x);
        // and nothing where no tick is labelled (between 0.2 and 0.5)
        int between = (int) Math.round(d.chart().getScreenXFromChart(Math.sqrt(0.2 * 0.5)));
        assertEquals(0, dark(img, between - 4, between + 4, bottom + 2, bottom + 45), "at x = " + between);
    }

    /** Pixels darker than mid grey in the box. */
    static int dark(BufferedImage img, int x0, int x1, int y0, int y1) {
        int n = 0;
        for (int x = x0; x <= x1; x++) {
            for (int y = y0; y <= y1; y++) {
                java.awt.Color c = new java.awt.Color(img.getRGB(x, y));
                n += (c.getRed() + c.getGreen() + c.getBlue()) / 3 < 110 ? 1 : 0;
            }
        }
        return n;
    }

    /** Parses as XML (well-formed), without fetching the SVG 1.1 DTD its DOCTYPE names. */
    static Document parse(java.io.InputStream in) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(in);
    }

    static String texts(Document doc) {
        NodeList nodes = doc.getElementsByTagName("desc");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < nodes.getLength(); i++) {
            sb.append(nodes.item(i).getTextContent()).append('\n');
        }
        return sb.toString();
    }
}
