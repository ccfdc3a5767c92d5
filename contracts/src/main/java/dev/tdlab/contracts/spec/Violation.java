package dev.tdlab.contracts.spec;

/** One thing wrong with a spec: the dotted field path and what is wrong with it. */
public record Violation(String field, String message) {
}
