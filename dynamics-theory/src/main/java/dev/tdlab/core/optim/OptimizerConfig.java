package dev.tdlab.core.optim;

import java.util.List;

/**
 * Optimizer and learning-rate schedule.
 *
 * @param name           "adam" | "adamw" | "sgd" | "gd" | "signgd"
 * @param lr             peak learning rate
 * @param beta1          Adam/AdamW first-moment decay; momentum for sgd/gd (heavy ball) and signgd (sign of the EMA); 0 = none
 * @param beta2          Adam/AdamW second-moment decay (unused by the others)
 * @param eps            Adam/AdamW denominator epsilon (unused by the others)
 * @param weightDecay    adam, sgd, gd: L2 added to the gradient; adamw, signgd: decoupled (p -= lr*wd*p)
 * @param schedule       "constant" | "cosine" (to 0 at totalSteps), after the warm-up | "onecycle" (Schedules#oneCycle)
 * @param warmupFraction fraction of the total steps spent in linear warm-up from lr/W to lr
 */
public record OptimizerConfig(
        String name,            // default "adam"
        double lr,              // default 1e-3
        double beta1,           // default 0.9 (adam, adamw), 0 (sgd, gd, signgd)
        double beta2,           // default 0.999 (adam, adamw), 0 (others)
        double eps,             // default 1e-8 (adam, adamw), 0 (others)
        double weightDecay,     // default 0 (adamw: 0.01, as PyTorch)
        String schedule,        // default "constant"
        double warmupFraction) {// default 0

    public static final List<String> NAMES = List.of("adam", "adamw", "sgd", "gd", "signgd");
    public static final List<String> SCHEDULES = List.of("constant", "cosine", "onecycle");

    public OptimizerConfig {
        if (name == null || !NAMES.contains(name)) {
            throw new IllegalArgumentException("optimizer name must be one of " + NAMES + ", got " + name);
        }
        if (!(lr >= 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("lr must be finite and >= 0, got " + lr);
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0,1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0,1), got " + beta2);
        if (!(eps >= 0) || !Double.isFinite(eps)) throw new IllegalArgumentException("eps must be finite and >= 0, got " + eps);
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay must be finite and >= 0, got " + weightDecay);
        }
        if (schedule == null || !SCHEDULES.contains(schedule)) {
            throw new IllegalArgumentException("schedule must be one of " + SCHEDULES + ", got " + schedule);
        }
        if (!(warmupFraction >= 0 && warmupFraction <= 1)) {
            throw new IllegalArgumentException("warmupFraction must be in [0,1], got " + warmupFraction);
        }
        if (name.startsWith("adam") && eps == 0) {
            throw new IllegalArgumentException("eps must be > 0 for " + name);
        }
    }

    /** Adam, lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay, constant schedule (PyTorch's defaults). */
    public static OptimizerConfig defaults() {
        return of("adam", 1e-3);
    }

    /** The named optimizer with its usual defaults (as PyTorch's), constant schedule, no warm-up. */
    public static OptimizerConfig of(String name, double lr) {
        if (name == null) throw new IllegalArgumentException("optimizer name is null");
        return switch (name) {
            case "adam" -> new OptimizerConfig(name, lr, 0.9, 0.999, 1e-8, 0.0, "constant", 0.0);
            case "adamw" -> new OptimizerConfig(name, lr, 0.9, 0.999, 1e-8, 0.01, "constant", 0.0);
            case "sgd", "gd", "signgd" -> new OptimizerConfig(name, lr, 0.0, 0.0, 0.0, 0.0, "constant", 0.0);
            default -> throw new IllegalArgumentException("optimizer name must be one of " + NAMES + ", got " + name);
        };
    }

    /** Makkuva et al.'s setting: AdamW lr 2e-3, betas (0.9, 0.95), weight decay 1e-3, cosine with 2 % warm-up. */
    public static OptimizerConfig makkuva() {
        return new OptimizerConfig("adamw", 2e-3, 0.9, 0.95, 1e-8, 1e-3, "cosine", 0.02);
    }

    public OptimizerConfig withLr(double newLr) {
        return new OptimizerConfig(name, newLr, beta1, beta2, eps, weightDecay, schedule, warmupFraction);
    }

    public OptimizerConfig withSchedule(String newSchedule, double newWarmupFraction) {
        return new OptimizerConfig(name, lr, beta1, beta2, eps, weightDecay, newSchedule, newWarmupFraction);
    }

    public OptimizerConfig withWeightDecay(double wd) {
        return new OptimizerConfig(name, lr, beta1, beta2, eps, wd, schedule, warmupFraction);
    }

    /** True for "gd": the trainer computes every step's gradient on the whole training set. */
    public boolean fullBatch() {
        return "gd".equals(name);
    }
}
