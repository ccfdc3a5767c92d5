package dev.tdlab.analysis.rest;

import dev.tdlab.analysis.problem.ProblemException;
import dev.tdlab.contracts.spec.Violation;
import java.util.List;

/**
 * Query parameters read by hand: JAX-RS answers 404 when an {@code int} parameter does not convert, which names
 * nothing; these answer 400 problem+json naming the parameter and its range.
 */
final class Params {

    private Params() {
    }

    /** The parameter as an integer in [min, max], or {@code otherwise} when absent or blank. */
    public static int integer(String name, String raw, int otherwise, int min, int max) {
        return (int) longValue(name, raw, otherwise, min, max);
    }

    /** The parameter as a long in [min, max], or {@code otherwise} when absent or blank. */
    public static long longValue(String name, String raw, long otherwise, long min, long max) {
        if (raw == null || raw.isBlank()) {
            return otherwise;
        }
        long v;
        try {
            v = Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw bad(name, "must be an integer in [" + min + ", " + max + "], got '" + shorten(raw) + "'");
        }
        if (v < min || v > max) {
            throw bad(name, "must be an integer in [" + min + ", " + max + "], got " + v);
        }
        return v;
    }

    static ProblemException bad(String field, String message) {
        return new ProblemException(400, "Bad request", field + " " + message, List.of(new Violation(field, message)));
    }

    static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
