package dev.tdlab.core.train;

import dev.tdlab.core.fast.EngineChoice;
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
 * @param fresh           each training sequence used once, in order (Makkuva et al.'s fresh batch every step; the
 *                        set must hold steps × batch sequences, it wraps around otherwise) instead of uniform draws
 *                        with replacement
 * @param fullBatch       every step's gradient on the whole training set (in chunks of {@code batch}) whatever the
 *                        optimizer, and {@code train_error} the whole set's (gd is always full batch)
 * @param engine          auto | samediff | fast: who computes loss and gradients (dev.tdlab.core.fast.EngineChoice);
 *                        auto: the hand-written kernels where they apply, else the SameDiff graph (engine of record)
 */
public record TrainConfig(
        int batch,              // default 16
        int steps,              // default 1000
        int evalEvery,          // default 50
        long seed,              // default 0
        List<String> trainable, // default [all]
        int checkpointEvery,    // default 0 (never)
        int metricsEvery,       // default = evalEvery
        boolean fresh,          // default false (with replacement)
        boolean fullBatch,      // default false (gd: always)
        String engine) {        // default "auto"

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
        EngineChoice.check(engine);
    }

    /** Sampled batches (except for gd), the engine chosen automatically ("auto"). */
    public TrainConfig(int batch, int steps, int evalEvery, long seed, List<String> trainable, int checkpointEvery,
                       int metricsEvery) {
        this(batch, steps, evalEvery, seed, trainable, checkpointEvery, metricsEvery, false, false, "auto");
    }

    /** The engine chosen automatically ("auto"). */
    public TrainConfig(int batch, int steps, int evalEvery, long seed, List<String> trainable, int checkpointEvery,
                       int metricsEvery, boolean fresh, boolean fullBatch) {
        this(batch, steps, evalEvery, seed, trainable, checkpointEvery, metricsEvery, fresh, fullBatch, "auto");
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
        return new TrainConfig(batch, steps, evalEvery, seed, groups, checkpointEvery, metricsEvery, fresh, fullBatch,
                engine);
    }

    public TrainConfig withCheckpointEvery(int every) {
        return new TrainConfig(batch, steps, evalEvery, seed, trainable, every, metricsEvery, fresh, fullBatch, engine);
    }

    public TrainConfig withMetricsEvery(int every) {
        return new TrainConfig(batch, steps, evalEvery, seed, trainable, checkpointEvery, every, fresh, fullBatch, engine);
    }

    public TrainConfig withFresh(boolean sequential) {
        return new TrainConfig(batch, steps, evalEvery, seed, trainable, checkpointEvery, metricsEvery, sequential,
                fullBatch, engine);
    }

    public TrainConfig withFullBatch(boolean full) {
        return new TrainConfig(batch, steps, evalEvery, seed, trainable, checkpointEvery, metricsEvery, fresh, full,
                engine);
    }

    /** This config with the engine pinned: auto, samediff or fast. */
    public TrainConfig withEngine(String name) {
        return new TrainConfig(batch, steps, evalEvery, seed, trainable, checkpointEvery, metricsEvery, fresh, fullBatch,
                name);
    }
}
