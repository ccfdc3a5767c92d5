package dev.tdlab.contracts.events;

import dev.tdlab.contracts.SchemaVersion;

/**
 * analysis → anyone: the verdict of a finished run (key: runId).
 *
 * @param optimum          the loss the theory says is optimal (entropy rate)
 * @param gapToOptimum     the judged loss − optimum: the exact-conditional excess (KL from the true next-token law)
 *                         where the run reports it, else finalEvalLoss − optimum; {@link #gapLow}/{@link #gapHigh}
 *                         bound this same quantity
 * @param tolerance        the half-width used to call GLOBAL / LOCAL
 * @param convergenceStep  first eval step after which the eval loss stays within tolerance of the optimum; null if never
 * @param rate             convergence rate of the approach to the optimum after the last plateau: per step for
 *                         {@code rateModel = exponential} (gap ∝ e^(−rate·t)), the exponent for {@code power}
 *                         (gap ∝ t^(−rate)); null when too few points were above the noise band to fit
 * @param rateModel        the better-fitting model of the approach: {@code exponential} or {@code power}
 * @param rateR2           R² of that fit (on log gap)
 * @param gapLow           95 % confidence interval of gapToOptimum, low end (eval-set and optimum sampling error)
 * @param gapHigh          its high end
 * @param stepsNearSaddle  training steps spent on plateaus (at a known suboptimal level, or flat) before converging
 * @param findings         the family's own findings (deep: rank collapse at init, Q/K vs V gradients; classifier: train
 *                         convergence step, train and test error, stages), absent for the one-layer token families
 * @param tenant           the tenant that owns the run's experiment (the verdict also goes to its
 *                         {@code results.<tenant>.verdicts}); absent (null) in events from before tenants were carried
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
        Double rate,
        String rateModel,
        Double rateR2,
        Double gapLow,
        Double gapHigh,
        Integer stepsNearSaddle,
        java.util.Map<String, Object> findings,
        String tenant) implements Event {

    public static RunVerdict of(String runId, String experimentId, int attempt, Verdict verdict, Double finalEvalLoss,
                                Double optimum, Double tolerance, Integer convergenceStep) {
        Double gap = finalEvalLoss == null || optimum == null ? null : finalEvalLoss - optimum;
        return new RunVerdict(SchemaVersion.CURRENT, "verdict:" + runId + ":" + attempt, runId, experimentId, verdict, finalEvalLoss,
                optimum, gap, tolerance, convergenceStep, null, null, null, null, null, null, null, null);
    }

    /** The same verdict with the gap that was judged (the exact-conditional excess where the run reports one). */
    public RunVerdict withGap(Double judgedGap) {
        return new RunVerdict(schemaVersion, eventId, runId, experimentId, verdict, finalEvalLoss, optimum, judgedGap,
                tolerance, convergenceStep, rate, rateModel, rateR2, gapLow, gapHigh, stepsNearSaddle, findings, tenant);
    }

    /** The same verdict with its convergence analysis. */
    public RunVerdict withConvergence(Double rate, String rateModel, Double rateR2, Double gapLow, Double gapHigh,
                                      Integer stepsNearSaddle) {
        return new RunVerdict(schemaVersion, eventId, runId, experimentId, verdict, finalEvalLoss, optimum, gapToOptimum,
                tolerance, convergenceStep, rate, rateModel, rateR2, gapLow, gapHigh, stepsNearSaddle, findings, tenant);
    }

    /** The same verdict for the tenant that owns the run. */
    public RunVerdict withTenant(String tenant) {
        return new RunVerdict(schemaVersion, eventId, runId, experimentId, verdict, finalEvalLoss, optimum, gapToOptimum,
                tolerance, convergenceStep, rate, rateModel, rateR2, gapLow, gapHigh, stepsNearSaddle, findings, tenant);
    }

    /** The same verdict with the run's family-specific findings (rank collapse, classifier convergence, stages). */
    public RunVerdict withFindings(java.util.Map<String, Object> findings) {
        return new RunVerdict(schemaVersion, eventId, runId, experimentId, verdict, finalEvalLoss, optimum, gapToOptimum,
                tolerance, convergenceStep, rate, rateModel, rateR2, gapLow, gapHigh, stepsNearSaddle, findings, tenant);
    }
}
