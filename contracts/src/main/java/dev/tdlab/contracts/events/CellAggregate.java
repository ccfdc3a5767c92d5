package dev.tdlab.contracts.events;

import java.util.Map;

/**
 * Aggregate over the seeds of one sweep cell.
 *
 * @param fractionGlobal        GLOBAL verdicts / decided runs
 * @param fractionGlobalLow     Wilson 95 % interval of that fraction, low end
 * @param fractionGlobalHigh    Wilson 95 % interval, high end
 * @param medianConvergenceStep median convergence step over the runs that converged
 * @param convergenceStepLow    percentile-bootstrap 95 % interval of that median, low end
 * @param convergenceStepHigh   percentile-bootstrap 95 % interval, high end
 * @param seedsDisagree         true when the decided runs of the cell do not share one verdict
 */
public record CellAggregate(
        String cellId,
        Map<String, Object> cell,
        int runs,
        int finished,
        int global,
        int local,
        int notConverged,
        int diverged,
        Double fractionGlobal,
        Double fractionGlobalLow,
        Double fractionGlobalHigh,
        Double meanFinalEvalLoss,
        Double medianConvergenceStep,
        Double convergenceStepLow,
        Double convergenceStepHigh,
        boolean seedsDisagree,
        Double entropyRate,
        Double unigramEntropy) {
}
