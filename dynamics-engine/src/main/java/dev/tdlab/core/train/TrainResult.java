package dev.tdlab.core.train;

/**
 * Outcome of {@link Trainer#train}.
 *
 * @param stepsDone       optimizer updates done (less than the configured steps when cancelled or diverged)
 * @param finalTrainLoss  train loss of the last step's batch (NaN if no step ran; non-finite when diverged)
 * @param finalEvalLoss   the last evaluation's mean eval loss (at the last step; when cancelled, the last one made;
 *                        NaN when diverged)
 * @param finalEvalStdErr its standard error
 * @param cancelled       whether the listener stopped the run
 * @param divergedAtStep  the step (1-based) whose loss, gradient or evaluation was NaN/inf; -1 if none
 */
public record TrainResult(int stepsDone, double finalTrainLoss, double finalEvalLoss, double finalEvalStdErr,
                          boolean cancelled, int divergedAtStep) {

    /** A run that did not diverge. */
    public TrainResult(int stepsDone, double finalTrainLoss, double finalEvalLoss, double finalEvalStdErr,
                       boolean cancelled) {
        this(stepsDone, finalTrainLoss, finalEvalLoss, finalEvalStdErr, cancelled, -1);
    }

    /** Whether NaN/inf stopped the run. */
    public boolean diverged() {
        return divergedAtStep >= 0;
    }
}
