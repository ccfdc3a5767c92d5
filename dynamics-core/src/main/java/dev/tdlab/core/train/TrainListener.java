package dev.tdlab.core.train;

/** Progress of a training run; called on the training thread, so keep it cheap (batch what you publish). */
public interface TrainListener {

    /**
     * After every optimizer update. {@code step} counts the updates done (1..steps); {@code trainLoss} is the mean
     * loss (nats) of that update's batch before the update, {@code gradNorm} the global L2 norm of its gradient.
     */
    void onStep(int step, double trainLoss, double gradNorm);

    /**
     * Mean loss (nats per token) over the whole eval set after {@code step} updates, and its standard error (the
     * sample std of the per-sequence mean losses / sqrt(numSequences)). Called at step 0 (the initialization), every
     * {@code evalEvery} steps, and at the last step.
     */
    void onEval(int step, double evalLoss, double evalLossStdErr);

    /** Polled before every step; return true to stop early. */
    default boolean cancelled() {
        return false;
    }

    /** A listener that ignores everything. */
    static TrainListener none() {
        return new TrainListener() {
            @Override
            public void onStep(int step, double trainLoss, double gradNorm) {
            }

            @Override
            public void onEval(int step, double evalLoss, double evalLossStdErr) {
            }
        };
    }
}
