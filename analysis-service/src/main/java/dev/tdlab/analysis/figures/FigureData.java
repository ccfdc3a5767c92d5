package dev.tdlab.analysis.figures;

import java.util.List;

/** What a figure shows, as typed data: the renderers ({@link Charts}) turn these into charts. */
final class FigureData {

    private FigureData() {
    }

    /**
     * One line of an x–y figure: {@code y} against {@code x}, with an optional band {@code low..high} (same length as
     * {@code x}; null without one) drawn under it. {@code colour} indexes the palette; {@code dashed} for a secondary
     * line; {@code markers} to draw a marker at every point (few points, e.g. one per depth); {@code right} to draw
     * it against the figure's second y axis, on the right ({@link Xy#yRightTitle}: quantities of another scale).
     */
    record Line(String label, double[] x, double[] y, double[] low, double[] high, int colour, boolean dashed,
                boolean markers, boolean right) {
        Line {
            if (x.length != y.length || low != null && low.length != x.length || high != null && high.length != x.length) {
                throw new IllegalArgumentException("line '" + label + "': x, y, low and high differ in length");
            }
        }

        /** A line against the left y axis. */
        Line(String label, double[] x, double[] y, double[] low, double[] high, int colour, boolean dashed, boolean markers) {
            this(label, x, y, low, high, colour, dashed, markers, false);
        }

        static Line of(String label, double[] x, double[] y, int colour) {
            return new Line(label, x, y, null, null, colour, false, false);
        }
    }

    /** A horizontal line across the figure at {@code value} (entropy rate, unigram, an order-k plateau). */
    record Level(String label, double value, int colour) {
    }

    /** A vertical line at {@code x} (a detected stage boundary). */
    record Marker(String label, double x, int colour) {
    }

    /**
     * An x–y figure; on a log axis the points at or below zero (and non-finite ones) are left out. The lines marked
     * {@code right} are drawn against a second, linear y axis on the right titled {@code yRightTitle} (null: one y
     * axis); levels and markers belong to the left one.
     */
    record Xy(String title, String xTitle, String yTitle, String yRightTitle, boolean logX, boolean logY,
              List<Line> lines, List<Level> levels, List<Marker> markers) {

        /** A figure with one y axis. */
        Xy(String title, String xTitle, String yTitle, boolean logX, boolean logY, List<Line> lines, List<Level> levels,
           List<Marker> markers) {
            this(title, xTitle, yTitle, null, logX, logY, lines, levels, markers);
        }
    }

    /**
     * One cell of a phase diagram at ({@code x}, {@code y}): {@code global} GLOBAL verdicts out of {@code decided},
     * the Wilson 95 % interval {@code low..high} of that fraction (null when nothing is decided yet).
     */
    record PhaseCell(double x, double y, int global, int decided, Double low, Double high, boolean uninformative) {
        Double fraction() {
            return decided == 0 ? null : (double) global / decided;
        }
    }

    /** A heat map of fraction GLOBAL over two numeric axes; {@code pPlusQLine}: draw Makkuva's p + q = 1. */
    record Phase(String title, String xTitle, String yTitle, List<PhaseCell> cells, boolean pPlusQLine) {
    }
}
