package dev.tdlab.analysis.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tdlab.analysis.problem.ProblemException;
import dev.tdlab.analysis.service.ExternalRuns;
import dev.tdlab.contracts.events.MetricSeries;
import dev.tdlab.contracts.events.RunState;
import dev.tdlab.contracts.spec.Violation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The bodies of the external-run endpoints, read and checked in full before anything is stored: a bad body is a 400
 * naming every bad field ({@code metrics[3].value}), at most {@value #MAX_VIOLATIONS} of them.
 *
 * <pre>
 * POST /runs/{id}/metrics  {"batchId": "b-0001", "metrics": [{"name": "train_loss", "step": 10, "value": 0.61}, ...]}
 * POST /runs/{id}/finish   {"status": "FINISHED", "finalEvalStdErr": 0.002}   or   {"status": "FAILED", "error": "..."}
 * </pre>
 * Limits (MLflow's log-batch as a floor: it takes 1,000 metrics a request): {@value #MAX_POINTS} points a request,
 * names of at most {@value #MAX_NAME} characters of {@code [A-Za-z0-9_./ -]}, batch ids of at most
 * {@value #MAX_BATCH_ID} characters of {@code [A-Za-z0-9_.:-]}, steps in [0, 2³¹−1], values numbers or the strings
 * "NaN", "Infinity", "-Infinity"; a (name, step) at most once a batch.
 */
final class ExternalRunRequests {

    static final int MAX_POINTS = 10_000;
    static final int MAX_NAME = 250;
    static final int MAX_BATCH_ID = 128;
    static final int MAX_VIOLATIONS = 20;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_./ -]+");
    private static final Pattern BATCH_ID = Pattern.compile("[A-Za-z0-9_.:-]+");
    private static final Set<String> BATCH_FIELDS = Set.of("batchId", "metrics");
    private static final Set<String> POINT_FIELDS = Set.of("name", "step", "value", "timestamp");
    private static final Set<String> FINISH_FIELDS = Set.of("status", "error", "finalEvalLoss", "finalEvalStdErr",
            "finalTrainLoss", "secondsElapsed");

    private ExternalRunRequests() {
    }

    /** A checked metrics batch: its id, its points by metric name (steps ascending), and how many points. */
    record Batch(String batchId, Map<String, MetricSeries> metrics, int points) {
    }

    static Batch metrics(JsonNode body) {
        List<Violation> out = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw invalid("Invalid metrics batch", List.of(new Violation("", "the body must be a JSON object {\"batchId\", \"metrics\": [...]}")));
        }
        unknown(body, BATCH_FIELDS, "", out);
        JsonNode id = body.get("batchId");
        String batchId = null;
        if (id == null || !id.isTextual() || id.asText().isEmpty()) {
            out.add(new Violation("batchId", "required: a client-chosen id of this batch (a retry sends the same id)"));
        } else if (id.asText().length() > MAX_BATCH_ID || !BATCH_ID.matcher(id.asText()).matches()) {
            out.add(new Violation("batchId", "at most " + MAX_BATCH_ID + " characters of A-Z a-z 0-9 _ . : -"));
        } else {
            batchId = id.asText();
        }
        JsonNode points = body.get("metrics");
        Map<String, List<int[]>> index = new LinkedHashMap<>();
        Map<String, List<Double>> values = new LinkedHashMap<>();
        int count = 0;
        if (points == null || !points.isArray() || points.isEmpty()) {
            out.add(new Violation("metrics", "required: a non-empty array of {name, step, value}"));
        } else if (points.size() > MAX_POINTS) {
            out.add(new Violation("metrics", points.size() + " points: at most " + MAX_POINTS
                    + " a request (split the batch: each request is stored atomically)"));
        } else {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < points.size(); i++) {
                String f = "metrics[" + i + "].";
                JsonNode p = points.get(i);
                if (!p.isObject()) {
                    out.add(new Violation("metrics[" + i + "]", "must be an object {name, step, value}"));
                    continue;
                }
                unknown(p, POINT_FIELDS, f, out);
                String name = name(p.get("name"), f + "name", out);
                Integer step = step(p.get("step"), f + "step", out);
                Double value = value(p.get("value"), f + "value", out);
                if (name == null || step == null || value == null) {
                    continue;
                }
                if (!seen.add(name + "\u0000" + step)) {
                    out.add(new Violation(f + "step", "step " + step + " of " + name + " appears twice in this batch"));
                    continue;
                }
                index.computeIfAbsent(name, k -> new ArrayList<>()).add(new int[]{step, values.computeIfAbsent(name,
                        k -> new ArrayList<>()).size()});
                values.get(name).add(value);
                count++;
            }
        }
        if (!out.isEmpty()) {
            throw invalid("Invalid metrics batch", out);
        }
        Map<String, MetricSeries> series = new LinkedHashMap<>();
        index.forEach((name, idx) -> {
            idx.sort((a, b) -> Integer.compare(a[0], b[0]));
            List<Integer> steps = new ArrayList<>(idx.size());
            List<Double> vals = new ArrayList<>(idx.size());
            for (int[] x : idx) {
                steps.add(x[0]);
                vals.add(values.get(name).get(x[1]));
            }
            series.put(name, new MetricSeries(steps, vals));
        });
        return new Batch(batchId, series, count);
    }

    static ExternalRuns.Finish finish(JsonNode body) {
        List<Violation> out = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw invalid("Invalid finish request", List.of(new Violation("", "the body must be a JSON object {\"status\": \"FINISHED\" | \"FAILED\", ...}")));
        }
        unknown(body, FINISH_FIELDS, "", out);
        JsonNode st = body.get("status");
        RunState status = null;
        if (st == null || !st.isTextual() || !(st.asText().equals("FINISHED") || st.asText().equals("FAILED"))) {
            out.add(new Violation("status", "required: FINISHED or FAILED"));
        } else {
            status = RunState.valueOf(st.asText());
        }
        JsonNode err = body.get("error");
        String error = null;
        if (err != null && !err.isNull()) {
            if (!err.isTextual() || err.asText().length() > 2000) {
                out.add(new Violation("error", "must be a string of at most 2000 characters"));
            } else {
                error = err.asText();
            }
        }
        Double evalLoss = optionalNumber(body, "finalEvalLoss", false, out);
        Double evalStdErr = optionalNumber(body, "finalEvalStdErr", true, out);
        Double trainLoss = optionalNumber(body, "finalTrainLoss", false, out);
        Double seconds = optionalNumber(body, "secondsElapsed", true, out);
        if (!out.isEmpty()) {
            throw invalid("Invalid finish request", out);
        }
        return new ExternalRuns.Finish(status, error, evalLoss, evalStdErr, trainLoss, seconds);
    }

    private static Double optionalNumber(JsonNode body, String field, boolean nonNegative, List<Violation> out) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber() || !Double.isFinite(n.asDouble()) || (nonNegative && n.asDouble() < 0)) {
            out.add(new Violation(field, nonNegative ? "must be a finite number ≥ 0" : "must be a finite number"));
            return null;
        }
        return n.asDouble();
    }

    private static String name(JsonNode n, String field, List<Violation> out) {
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            add(out, field, "required: the metric's name (train_loss, eval_loss, ...)");
            return null;
        }
        String s = n.asText();
        if (s.length() > MAX_NAME || !NAME.matcher(s).matches()) {
            add(out, field, "at most " + MAX_NAME + " characters of A-Z a-z 0-9 _ . / - and space");
            return null;
        }
        return s;
    }

    private static Integer step(JsonNode n, String field, List<Violation> out) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0) {
            add(out, field, "required: an integer in [0, 2147483647]");
            return null;
        }
        return n.asInt();
    }

    private static Double value(JsonNode n, String field, List<Violation> out) {
        if (n != null && n.isNumber()) {
            return n.asDouble();
        }
        if (n != null && n.isTextual()) {
            switch (n.asText()) {
                case "NaN" -> {
                    return Double.NaN;
                }
                case "Infinity" -> {
                    return Double.POSITIVE_INFINITY;
                }
                case "-Infinity" -> {
                    return Double.NEGATIVE_INFINITY;
                }
                default -> {
                }
            }
        }
        add(out, field, "required: a number, or \"NaN\", \"Infinity\" or \"-Infinity\"");
        return null;
    }

    private static void unknown(JsonNode o, Set<String> known, String prefix, List<Violation> out) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                add(out, prefix + f, "unknown field; known: " + known.stream().sorted().toList());
            }
        }
    }

    private static void add(List<Violation> out, String field, String message) {
        if (out.size() < MAX_VIOLATIONS) {
            out.add(new Violation(field, message));
        }
    }

    private static ProblemException invalid(String title, List<Violation> violations) {
        return new ProblemException(400, title, violations.size() + " field(s) are invalid: " + String.join(", ",
                violations.stream().map(v -> v.field().isEmpty() ? "(body)" : v.field()).distinct().limit(5).toList()),
                violations);
    }
}
