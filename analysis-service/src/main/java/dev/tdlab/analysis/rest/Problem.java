package dev.tdlab.analysis.rest;

import dev.tdlab.contracts.spec.Violation;

import java.util.List;

/** RFC 9457 problem details, with the bad fields listed. */
public record Problem(String type, String title, int status, String detail, List<Violation> violations) {
}
