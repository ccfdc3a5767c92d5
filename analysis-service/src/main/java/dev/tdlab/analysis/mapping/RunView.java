package dev.tdlab.analysis.mapping;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.OffsetDateTime;
import java.util.Map;

/** {@code GET /runs/{id}} and each run of an experiment: state, baselines, losses, verdict and convergence. */
public record RunView(String id, String experimentId, String cellId, Map<String, Object> cell, long seed, String status,
                      int attempt, int step, int totalSteps, String verdict, boolean uninformative, String verdictBasis,
                      Baselines baselines, String datasetId,
                      Double lastTrainLoss, Double lastEvalLoss, Double finalEvalLoss, Double finalEvalStdErr,
                      Double finalTrainLoss, Double gapToOptimum, Double tolerance, Integer convergenceStep,
                      Double gapLow, Double gapHigh, ConvergenceRate convergenceRate, Integer stepsNearSaddle,
                      JsonNode plateaus, JsonNode findings, Double secondsElapsed, String error,
                      OffsetDateTime heartbeatAt) {

    /** What the dataset's generator computed: the loss levels a run is judged against. */
    public record Baselines(Double entropyRate, Double unigramEntropy, JsonNode stationary, Double optimalLoss,
                            Double optimalLossStdErr, JsonNode orderLosses) {
    }

    /** The better fit of the approach to the optimum ({@code model}, {@code rate}, {@code r2}), and both fits. */
    public record ConvergenceRate(String model, Double rate, Double r2, JsonNode exponential, JsonNode powerLaw) {
    }
}
