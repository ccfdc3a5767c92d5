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

    /**
     * After every update (after {@link #onStep}, and after {@link #onEval} when both fall on the step): named metrics.
     * Every step: {@code param_norm/G} and {@code grad_norm/G} (L2 norms per parameter group G of
     * dev.tdlab.core.model.ParameterGroups#NORM_GROUPS; gradient norms for trainable groups only). Every
     * {@code metricsEvery} steps also {@code attn_entropy/layerL}: the mean entropy (nats) of the attention rows on that
     * step's batch (softmax and gaussian kernels; at most ln T), and the family's own metrics
     * (dev.tdlab.core.model.ModelDefinition#familyMetrics and #layerGradNorms; the deep family: {@code
     * rank_collapse/emb}, {@code rank_collapse/layerL}, {@code grad_norm/layerL/q|k|v}). Classification sets add
     * {@code train_error} every step, {@code eval_error} and {@code eval_error_stderr} on evaluation steps, and on
     * noisy-patch data {@code probe/*} every {@code metricsEvery} steps (see Trainer). The map is fresh on each call.
     */
    default void onMetrics(int step, java.util.Map<String, Double> metrics) {
    }

    /** Every {@code checkpointEvery} steps, after that step's evaluation: the state to resume from. */
    default void onCheckpoint(Checkpoint checkpoint) {
    }

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
