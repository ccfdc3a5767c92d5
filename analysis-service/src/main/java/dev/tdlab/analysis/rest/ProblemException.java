package dev.tdlab.analysis.rest;

import dev.tdlab.contracts.spec.Violation;

import java.util.List;

/** Thrown to answer with {@code application/problem+json}. */
public class ProblemException extends RuntimeException {
    final int status;
    final String title;
    final List<Violation> violations;

    public ProblemException(int status, String title, String detail, List<Violation> violations) {
        super(detail);
        this.status = status;
        this.title = title;
        this.violations = violations;
    }

    public static ProblemException badSpec(List<Violation> violations) {
        return new ProblemException(400, "Invalid experiment spec",
                violations.size() + " field(s) are invalid: " + String.join(", ",
                        violations.stream().map(v -> v.field().isEmpty() ? "(body)" : v.field()).distinct().toList()),
                violations);
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(404, "Not found", what, List.of());
    }
}
