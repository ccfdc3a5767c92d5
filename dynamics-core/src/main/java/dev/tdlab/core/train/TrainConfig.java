package dev.tdlab.core.train;

import java.util.List;

/**
 * The training loop's settings.
 *
 * @param batch           sequences per step, sampled uniformly with replacement from the training set (for "gd": the
 *                        chunk size of the full-batch gradient); also the smallest evaluation chunk
 * @param steps           optimizer updates
 * @param evalEvery       evaluate on the whole eval set every this many steps (and at step 0 and at the last step)
 * @param seed            parameter init (SplittableRandom(seed)) and batch sampling (a stream split from it)
 * @param trainable       parameter groups that learn (dev.tdlab.core.model.ParameterGroups); the rest stay frozen,
 *                        bit for bit
 * @param checkpointEvery emit a {@link Checkpoint} to the listener every this many steps; 0 = never
 * @param metricsEvery    attention entropy every this many steps (parameter and gradient norms come every step)
 */
public record TrainConfig(
        int batch,              // default 16
        int steps,              // default 1000
        int evalEvery,          // default 50
        long seed,              // default 0
        List<String> trainable, // default [all]
        int checkpointEvery,    // default 0 (never)
        int metricsEvery) {     // default = evalEvery

    public TrainConfig {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        if (evalEvery < 1) throw new IllegalArgumentException("evalEvery must be >= 1, got " + evalEvery);
        if (trainable == null || trainable.isEmpty()) {
            throw new IllegalArgumentException("trainable must name at least one parameter group");
        }
        trainable = List.copyOf(trainable);
        if (checkpointEvery < 0) throw new IllegalArgumentException("checkpointEvery must be >= 0, got " + checkpointEvery);
        if (metricsEvery < 1) throw new IllegalArgumentException("metricsEvery must be >= 1, got " + metricsEvery);
    }

    /** Everything trainable, no checkpoints, attention metrics at every evaluation. */
    public TrainConfig(int batch, int steps, int evalEvery, long seed) {
        this(batch, steps, evalEvery, seed, List.of("all"), 0, evalEvery);
    }

    /** batch 16, 1000 steps, eval every 50, seed 0 (Makkuva et al.'s batch and iterations). */
    public static TrainConfig defaults() {
        return new TrainConfig(16, 1000, 50, 0L);
    }

    public TrainConfig withTrainable(List<String> groups) {
        return new TrainConfig(batch, steps, evalEvery, seed, groups, checkpointEvery, metricsEvery);
    }

    public TrainConfig withCheckpointEvery(int every) {
        return new TrainConfig(batch, steps, evalEvery, seed, trainable, every, metricsEvery);
    }

    public TrainConfig withMetricsEvery(int every) {
        return new TrainConfig(batch, steps, evalEvery, seed, trainable, checkpointEvery, every);
    }
}
