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
 * @param unresolved            UNRESOLVED verdicts (counted among the decided runs, never as GLOBAL)
 * @param uninformative         true when the cell's optimum and a known plateau coincide (p + q = 1 and the like):
 *                              no verdict can tell them apart, and claims leave the cell out
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
        Double unigramEntropy,
        int unresolved,
        boolean uninformative) {

    /** Without the unresolved count and the uninformative flag. */
    public CellAggregate(String cellId, Map<String, Object> cell, int runs, int finished, int global, int local,
                         int notConverged, int diverged, Double fractionGlobal, Double fractionGlobalLow,
                         Double fractionGlobalHigh, Double meanFinalEvalLoss, Double medianConvergenceStep,
                         Double convergenceStepLow, Double convergenceStepHigh, boolean seedsDisagree, Double entropyRate,
                         Double unigramEntropy) {
        this(cellId, cell, runs, finished, global, local, notConverged, diverged, fractionGlobal, fractionGlobalLow,
                fractionGlobalHigh, meanFinalEvalLoss, medianConvergenceStep, convergenceStepLow, convergenceStepHigh,
                seedsDisagree, entropyRate, unigramEntropy, 0, false);
    }
}
