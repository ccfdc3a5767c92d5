package dev.tdlab.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Plain-text tables and the number formats of the CLI's output. */
final class Tables {

    private Tables() {
    }

    /**
     * Columns padded to their widest cell, two spaces apart; columns whose header starts with a space are
     * right-aligned (the space is dropped).
     */
    static String table(List<String> headers, List<List<String>> rows) {
        int n = headers.size();
        int[] width = new int[n];
        boolean[] right = new boolean[n];
        List<String> head = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String h = headers.get(i);
            right[i] = h.startsWith(" ");
            head.add(h.strip());
            width[i] = head.get(i).length();
        }
        for (List<String> r : rows) {
            for (int i = 0; i < n; i++) {
                width[i] = Math.max(width[i], cellAt(r, i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        appendRow(sb, head, width, right);
        for (List<String> r : rows) {
            appendRow(sb, r, width, right);
        }
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, List<String> r, int[] width, boolean[] right) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < width.length; i++) {
            String c = cellAt(r, i);
            String pad = " ".repeat(width[i] - c.length());
            if (i > 0) {
                line.append("  ");
            }
            line.append(right[i] ? pad + c : c + pad);
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }

    private static String cellAt(List<String> r, int i) {
        return i < r.size() && r.get(i) != null ? r.get(i) : "";
    }

    /** The first 8 characters of an id (as git shortens hashes). */
    static String shortId(String id) {
        return id == null ? "" : id.length() <= 8 ? id : id.substring(0, 8);
    }

    /** A sweep cell as {@code p=0.2,q=0.3} (the last part of each dotted name); {@code -} when nothing is swept. */
    static String cell(JsonNode cell) {
        if (cell == null || !cell.isObject() || cell.isEmpty()) {
            return "-";
        }
        StringBuilder sb = new StringBuilder();
        Iterator<Map.Entry<String, JsonNode>> it = cell.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (sb.length() > 0) {
                sb.append(',');
            }
            String k = e.getKey();
            sb.append(k.substring(k.lastIndexOf('.') + 1)).append('=').append(e.getValue().asText());
        }
        return sb.toString();
    }

    /** Six decimals; empty for null, NaN as is. */
    static String num(Double x) {
        if (x == null) {
            return "";
        }
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.6f", x) : x.toString();
    }

    static String num(JsonNode x) {
        if (x == null || x.isNull() || x.isMissingNode()) {
            return "";
        }
        return x.isNumber() ? num(x.asDouble()) : x.asText();
    }

    /** {@code exp 4.10e-03/step (R² 0.991)} or {@code power t^-0.812 (R² 0.973)}. */
    static String rate(String model, Double rate, Double r2) {
        if (model == null || rate == null) {
            return "";
        }
        String fit = "power".equals(model) ? String.format(Locale.ROOT, "power t^-%.3f", rate)
                : String.format(Locale.ROOT, "exp %.2e/step", rate);
        return r2 == null ? fit : fit + String.format(Locale.ROOT, " (R² %.3f)", r2);
    }

    /** The runs of an experiment: run, cell, seed, verdict, final loss, gap with its 95 % interval, convergence. */
    static String verdicts(JsonNode experiment) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode r : experiment.path("runs")) {
            String verdict = r.path("verdict").isTextual() ? r.path("verdict").asText()
                    : "(" + r.path("status").asText() + ")";
            String ci = r.path("gapLow").isNumber() && r.path("gapHigh").isNumber()
                    ? "[" + num(r.path("gapLow")) + ", " + num(r.path("gapHigh")) + "]" : "";
            JsonNode rate = r.path("convergenceRate");
            rows.add(List.of(shortId(r.path("id").asText()), cell(r.path("cell")), r.path("seed").asText(), verdict,
                    num(r.path("finalEvalLoss")), num(r.path("gapToOptimum")), ci,
                    r.path("convergenceStep").isNumber() ? r.path("convergenceStep").asText() : "",
                    rate.isObject() ? rate(rate.path("model").asText(null),
                            rate.path("rate").isNumber() ? rate.path("rate").asDouble() : null,
                            rate.path("r2").isNumber() ? rate.path("r2").asDouble() : null) : "",
                    r.path("stepsNearSaddle").isNumber() ? r.path("stepsNearSaddle").asText() : ""));
        }
        return table(List.of("RUN", "CELL", " SEED", "VERDICT", " FINAL LOSS", " GAP", "GAP 95% CI", " CONV STEP",
                "RATE", " NEAR SADDLE"), rows);
    }

    /** A page of experiments: id, name, status, runs, created. */
    static String experiments(JsonNode page) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode e : page.path("items")) {
            String created = e.path("createdAt").asText("");
            rows.add(List.of(e.path("id").asText(), e.path("name").asText(), e.path("status").asText(),
                    e.path("runCount").asText(), created.length() > 19 ? created.substring(0, 19).replace('T', ' ') : created));
        }
        return table(List.of("ID", "NAME", "STATUS", " RUNS", "CREATED"), rows);
    }
}
