package dev.tdlab.core.optim;

/** Learning-rate schedules: pure functions of (config, step, totalSteps). */
public final class Schedules {

    private Schedules() {
    }

    /** Number of warm-up steps: {@code round(warmupFraction * totalSteps)}. */
    public static int warmupSteps(OptimizerConfig c, int totalSteps) {
        return (int) Math.round(c.warmupFraction() * totalSteps);
    }

    /**
     * Learning rate for the update at 0-based {@code step} of {@code totalSteps}. With W warm-up steps:
     * {@code lr * (step+1)/W} for step &lt; W; then "constant": {@code lr}; "cosine":
     * {@code lr * (1 + cos(pi * (step-W)/(totalSteps-W))) / 2}, which is lr at step W, lr/2 half-way and 0 at
     * step = totalSteps (and after).
     */
    public static double lr(OptimizerConfig c, int step, int totalSteps) {
        if (totalSteps < 1) throw new IllegalArgumentException("totalSteps must be >= 1, got " + totalSteps);
        if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
        int w = warmupSteps(c, totalSteps);
        if (step < w) return c.lr() * (step + 1) / w;
        return switch (c.schedule()) {
            case "constant" -> c.lr();
            case "cosine" -> {
                if (step >= totalSteps) yield 0.0;
                double progress = (double) (step - w) / (totalSteps - w);
                yield c.lr() * 0.5 * (1.0 + Math.cos(Math.PI * progress));
            }
            default -> throw new IllegalArgumentException("unknown schedule " + c.schedule());
        };
    }
}
