package dev.tdlab.analysis.rest;

import dev.tdlab.analysis.problem.ProblemException;
import dev.tdlab.contracts.spec.Violation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The query of {@code GET /runs/{id}/metrics}, checked: every bad parameter is named in one 400
 * problem+json (violations with field = the parameter).
 *
 * @param names     the metrics asked for; empty = every metric the run has
 * @param from      first step (inclusive), default 0
 * @param to        last step (inclusive), default 2147483647
 * @param maxPoints most points per metric, in [{@value #MIN_POINTS}, {@value #MAX_POINTS}], default 1000
 */
record MetricQuery(List<String> names, int from, int to, int maxPoints) {

    static final int MIN_POINTS = 2;
    static final int MAX_POINTS = 100_000;

    /** Parses the raw query parameters (null = absent). */
    static MetricQuery parse(String names, String from, String to, String maxPoints) {
        List<Violation> bad = new ArrayList<>();
        Integer f = integer("from", from, 0, bad);
        Integer t = integer("to", to, Integer.MAX_VALUE, bad);
        Integer m = integer("maxPoints", maxPoints, 1000, bad);
        if (f != null && t != null && f > t) {
            bad.add(new Violation("from", "must be ≤ to (" + f + " > " + t + ")"));
        }
        if (m != null && (m < MIN_POINTS || m > MAX_POINTS)) {
            bad.add(new Violation("maxPoints", "must be in [" + MIN_POINTS + ", " + MAX_POINTS + "], got " + m));
        }
        List<String> wanted = names == null ? List.of()
                : List.copyOf(new LinkedHashSet<>(Arrays.stream(names.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()));
        if (!bad.isEmpty()) {
            throw problem(bad);
        }
        return new MetricQuery(wanted, f, t, m);
    }

    /** The metrics to return: those asked for, each of which the run must have reported, or all it has. */
    List<String> resolve(List<String> reported) {
        if (names.isEmpty()) {
            return reported;
        }
        List<Violation> bad = new ArrayList<>();
        for (String n : names) {
            if (!reported.contains(n)) {
                bad.add(new Violation("names", "unknown metric '" + n + "': this run has reported "
                        + (reported.isEmpty() ? "no metrics yet" : String.join(", ", reported))));
            }
        }
        if (!bad.isEmpty()) {
            throw problem(bad);
        }
        return names;
    }

    private static Integer integer(String field, String raw, int absent, List<Violation> bad) {
        if (raw == null || raw.isBlank()) {
            return absent;
        }
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            bad.add(new Violation(field, "must be an integer, got '" + raw + "'"));
            return null;
        }
    }

    private static ProblemException problem(List<Violation> bad) {
        return new ProblemException(400, "Bad query parameters", String.join("; ",
                bad.stream().map(v -> v.field() + ": " + v.message()).toList()), bad);
    }
}
