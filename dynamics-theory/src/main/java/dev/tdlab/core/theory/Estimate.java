package dev.tdlab.core.theory;

/**
 * A theoretical quantity with its precision: exact (stdErr = 0) or a seeded Monte Carlo estimate with the standard
 * error of its mean. {@code method} says how it was computed, in words someone can repeat.
 */
public record Estimate(double value, double stdErr, String method) {

    public static Estimate exact(double value, String method) {
        return new Estimate(value, 0.0, method);
    }

    public boolean isExact() {
        return stdErr == 0.0;
    }
}
