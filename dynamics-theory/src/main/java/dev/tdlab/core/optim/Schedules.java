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
        if ("onecycle".equals(c.schedule())) return oneCycle(c.lr(), c.warmupFraction(), step, totalSteps);
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

    /**
     * "onecycle": Makkuva et al.'s code (Markov-Simple/src/main.py) — PyTorch's {@code OneCycleLR(max_lr=lr,
     * total_steps, pct_start=warmup, anneal_strategy='cos', div_factor=1e2, final_div_factor=.05)}, stepped once per
     * iteration. Two cosine phases: from lr/100 up to lr over steps 0..pct·T−1, then from lr down to
     * (lr/100)/0.05 = lr/5 at step T−1 (the rate does not go to 0). {@code cos(a, b, x) = b + (a − b)(1 + cos πx)/2}.
     */
    static double oneCycle(double maxLr, double pct, int step, int totalSteps) {
        double initial = maxLr / 1e2, min = initial / 0.05;
        double end1 = pct * totalSteps - 1, end2 = totalSteps - 1;
        if (step <= end1 && end1 > 0) return cosAnneal(initial, maxLr, step / end1);
        double start = Math.max(0, end1);
        if (end2 <= start) return maxLr;
        return cosAnneal(maxLr, min, Math.min(1, (step - start) / (end2 - start)));
    }

    private static double cosAnneal(double from, double to, double x) {
        return to + (from - to) / 2 * (Math.cos(Math.PI * x) + 1);
    }
}
