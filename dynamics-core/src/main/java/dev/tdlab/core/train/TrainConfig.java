package dev.tdlab.core.train;

/**
 * The training loop's settings.
 *
 * @param batch     sequences per step, sampled uniformly with replacement from the training set (for "gd": the
 *                  chunk size of the full-batch gradient); also the smallest evaluation chunk
 * @param steps     optimizer updates
 * @param evalEvery evaluate on the whole eval set every this many steps (and at step 0 and at the last step)
 * @param seed      parameter init (SplittableRandom(seed)) and batch sampling (a stream split from it)
 */
public record TrainConfig(
        int batch,      // default 16
        int steps,      // default 1000
        int evalEvery,  // default 50
        long seed) {    // default 0

    public TrainConfig {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        if (evalEvery < 1) throw new IllegalArgumentException("evalEvery must be >= 1, got " + evalEvery);
    }

    /** batch 16, 1000 steps, eval every 50, seed 0 (Makkuva et al.'s batch and iterations). */
    public static TrainConfig defaults() {
        return new TrainConfig(16, 1000, 50, 0L);
    }
}
