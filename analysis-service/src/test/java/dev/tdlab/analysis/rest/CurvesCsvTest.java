package dev.tdlab.analysis.rest;

import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The long-format curves CSV that {@code GET /experiments/{id}/curves.csv} streams, written by the same code for a small
 * made-up experiment: Makkuva's binary chain at p = 0.2 and p = 0.8 (q = 0.3), two seeds, train and eval loss every 50
 * steps, the p = 0.2 runs falling to the entropy rate and the p = 0.8 runs staying at the unigram entropy. The result is
 * committed as {@code docs/examples/curves.csv}; this test fails when the file differs ({@code -Dtdlab.regenerate=true}
 * writes it), and reads it back as CSV.
 */
class CurvesCsvTest {

    static final String EXAMPLE = "docs/examples/curves.csv";

    static String example() throws Exception {
        List<String> axes = List.of("data.p", "train.trainable");
        StringWriter w = new StringWriter();
        w.write(CurvesCsv.header(axes));
        int n = 0;
        for (double p : new double[]{0.2, 0.8}) {
            double q = 0.3;
            double pi1 = p / (p + q);
            double entropyRate = (1 - pi1) * h(p) + pi1 * h(q);
            double unigram = h(pi1);
            for (long seed = 0; seed < 2; seed++) {
                Map<String, Object> cell = new LinkedHashMap<>();
                cell.put("data.p", p);
                cell.put("train.trainable", List.of("all"));
                String prefix = CurvesCsv.prefix("example-experiment", "run-" + n++, axes, cell, seed);
                SplittableRandom rnd = new SplittableRandom(seed);
                double floor = p + q < 1 ? entropyRate : unigram;
                for (String metric : List.of("train_loss", "eval_loss")) {
                    for (int step = 0; step <= 300; step += 50) {
                        double loss = floor + (Math.log(2) - floor) * Math.exp(-step / 60.0) + 0.002 * rnd.nextGaussian();
                        CurvesCsv.point(w, prefix, metric, step, Math.round(loss * 1e6) / 1e6);
                    }
                }
            }
        }
        return w.toString();
    }

    static double h(double x) {
        return x <= 0 || x >= 1 ? 0 : -x * Math.log(x) - (1 - x) * Math.log(1 - x);
    }

    @Test
    void theCommittedExampleIsWhatTheWriterMakesAndReadsBackAsLongFormat() throws Exception {
        String csv = example();
        Path file = SpecSchemaGenerator.root().resolve(EXAMPLE);
        if (Boolean.getBoolean("tdlab.regenerate")) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, csv, StandardCharsets.UTF_8);
        }
        assertTrue(Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).equals(csv), EXAMPLE
                + " differs from what the writer makes; regenerate with\n  " + SpecSchemaGenerator.REGENERATE
                .replace("SpecSchemaTest", "CurvesCsvTest"));
        List<List<String>> rows = parse(csv);
        assertEquals(List.of("experiment", "run", "data.p", "train.trainable", "seed", "metric", "step", "value"), rows.get(0));
        assertEquals(1 + 4 * 2 * 7, rows.size());
        for (List<String> r : rows.subList(1, rows.size())) {
            assertEquals(8, r.size(), r.toString());
            assertEquals("[all]", r.get(3));
            Double.parseDouble(r.get(7));
        }
        List<String> last = rows.get(rows.size() - 1);
        assertEquals(List.of("example-experiment", "run-3", "0.8", "[all]", "1", "eval_loss", "300"), last.subList(0, 7));
    }

    @Test
    void fieldsWithACommaOrAQuoteAreQuotedAndNonFiniteValuesNamed() throws Exception {
        StringWriter w = new StringWriter();
        String prefix = CurvesCsv.prefix("e", "r", List.of("train.trainable"), Map.of("train.trainable", List.of("q", "k")), 3);
        CurvesCsv.point(w, prefix, "a \"b\"", 7, Double.NaN);
        CurvesCsv.point(w, prefix, "x", 8, Double.NEGATIVE_INFINITY);
        List<List<String>> rows = parse(w.toString());
        assertEquals(List.of("e", "r", "[q, k]", "3", "a \"b\"", "7", "NaN"), rows.get(0));
        assertEquals("-Infinity", rows.get(1).get(6));
    }

    /** RFC 4180 rows (quoted fields, doubled quotes). */
    static List<List<String>> parse(String csv) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < csv.length(); i++) {
            char c = csv.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < csv.length() && csv.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    f.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(f.toString());
                f.setLength(0);
            } else if (c == '\n') {
                row.add(f.toString());
                f.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
            } else {
                f.append(c);
            }
        }
        return rows;
    }
}
