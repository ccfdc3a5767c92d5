package dev.tdlab.core.train;

/**
 * Outcome of {@link Trainer#train}.
 *
 * @param stepsDone       optimizer updates done (less than the configured steps when cancelled or diverged)
 * @param finalTrainLoss  train loss of the last update's batch (NaN if no step ran)
 * @param finalEvalLoss   the last evaluation's mean eval loss (at the last step; when cancelled, the last one made)
 * @param finalEvalStdErr its standard error
 * @param cancelled       whether the listener stopped the run
 */
public record TrainResult(int stepsDone, double finalTrainLoss, double finalEvalLoss, double finalEvalStdErr,
                          boolean cancelled) {
}
