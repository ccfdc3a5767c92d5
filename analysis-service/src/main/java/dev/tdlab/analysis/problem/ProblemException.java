package dev.tdlab.analysis.problem;

import dev.tdlab.contracts.spec.Violation;

import java.util.List;

/** Thrown to answer with {@code application/problem+json}. */
public class ProblemException extends RuntimeException {
    final int status;
    final String title;
    final List<Violation> violations;
    /** The quota or limit refused (its name), its value and what was asked for; null for other problems. */
    final String quota;
    final Long limit;
    final Long requested;

    public ProblemException(int status, String title, String detail, List<Violation> violations) {
        this(status, title, detail, violations, null, null, null);
    }

    public ProblemException(int status, String title, String detail, List<Violation> violations, String quota,
                            Long limit, Long requested) {
        super(detail);
        this.status = status;
        this.title = title;
        this.violations = violations;
        this.quota = quota;
        this.limit = limit;
        this.requested = requested;
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

    /**
     * A tenant's quota refused the request: 422 for what one experiment asks (runs, steps × parameters, dataset
     * size), 429 for what is in flight (concurrent runs).
     */
    public static ProblemException quota(int status, String quota, long limit, long requested, String detail) {
        return new ProblemException(status, "Quota exceeded: " + quota, detail + " (quota " + quota + " = " + limit
                + ", requested " + requested + ")", List.of(new Violation(quota, "limit " + limit + ", requested " + requested)),
                quota, limit, requested);
    }

    /** A request limit (size or shape of the request itself) refused it: names the limit's config key and value. */
    public static ProblemException limit(int status, String field, String limitKey, long limit, long actual, String detail) {
        return new ProblemException(status, "Request limit exceeded: " + limitKey, detail + " (limit " + limitKey + " = "
                + limit + ")", List.of(new Violation(field, detail + "; limit " + limitKey + " = " + limit)), limitKey, limit, actual);
    }

    public int status() {
        return status;
    }

    public List<Violation> violations() {
        return violations;
    }

    public String title() {
        return title;
    }

    public String quota() {
        return quota;
    }

    public Long limit() {
        return limit;
    }

    public Long requested() {
        return requested;
    }
}
