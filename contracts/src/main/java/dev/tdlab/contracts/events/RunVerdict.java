package dev.tdlab.contracts.events;

import dev.tdlab.contracts.SchemaVersion;

/**
 * analysis → anyone: the verdict of a finished run (key: runId).
 *
 * @param optimum          the loss the theory says is optimal (entropy rate)
 * @param gapToOptimum     finalEvalLoss − optimum
 * @param tolerance        the half-width used to call GLOBAL / LOCAL
 * @param convergenceStep  first eval step after which the eval loss stays within tolerance of the optimum; null if never
 * @param rate             convergence rate (reserved; null until fitted)
 */
public record RunVerdict(
        int schemaVersion,
        String eventId,
        String runId,
        String experimentId,
        Verdict verdict,
        Double finalEvalLoss,
        Double optimum,
        Double gapToOptimum,
        Double tolerance,
        Integer convergenceStep,
        Double rate) implements Event {

    public static RunVerdict of(String runId, String experimentId, int attempt, Verdict verdict, Double finalEvalLoss,
                                Double optimum, Double tolerance, Integer convergenceStep) {
        Double gap = finalEvalLoss == null || optimum == null ? null : finalEvalLoss - optimum;
        return new RunVerdict(SchemaVersion.CURRENT, "verdict:" + runId + ":" + attempt, runId, experimentId, verdict, finalEvalLoss,
                optimum, gap, tolerance, convergenceStep, null);
    }
}
