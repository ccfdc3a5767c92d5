package dev.tdlab.analysis.rest;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The long-format curves CSV: a header {@code experiment,run,<swept parameters by dotted name, sorted>,seed,metric,step,value},
 * then one row per metric point. A run's leading fields are written once into a prefix and reused for its points.
 * Fields are quoted as RFC 4180 says when they hold a comma, a quote or a line break; NaN and the infinities are
 * written {@code NaN}, {@code Infinity}, {@code -Infinity}.
 */
final class CurvesCsv {

    private CurvesCsv() {
    }

    /** The header line (with its line break) for these sweep axes. */
    static String header(List<String> axes) {
        List<String> head = new ArrayList<>(List.of("experiment", "run"));
        head.addAll(axes);
        head.addAll(List.of("seed", "metric", "step", "value"));
        return String.join(",", head.stream().map(ReportResource::csvField).toList()) + "\n";
    }

    /** {@code experiment,run,<cell values>,seed,} of one run. */
    static String prefix(String experiment, String run, List<String> axes, Map<String, Object> cell, long seed) {
        StringBuilder p = new StringBuilder(ReportResource.csvField(experiment)).append(',')
                .append(ReportResource.csvField(run)).append(',');
        for (String a : axes) {
            p.append(ReportResource.csvField(cell.get(a))).append(',');
        }
        return p.append(seed).append(',').toString();
    }

    /** One point's row. */
    static void point(Writer w, String prefix, String metric, int step, double value) throws IOException {
        w.write(prefix);
        w.write(ReportResource.csvField(metric));
        w.write(',');
        w.write(Integer.toString(step));
        w.write(',');
        w.write(Double.toString(value));
        w.write('\n');
    }
}
