package dev.tdlab.contracts.events;

import java.util.Map;

/** Aggregate over the seeds of one sweep cell. */
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
        Double meanFinalEvalLoss,
        Double entropyRate,
        Double unigramEntropy) {
}
