package dev.tdlab.contracts.events;

import dev.tdlab.contracts.SchemaVersion;

/**
 * trainer → analysis: state changes and heartbeats of a run (key: runId).
 *
 * @param attempt         1 for the first delivery, more after a re-delivery
 * @param step            steps done
 * @param totalSteps      steps planned
 * @param heartbeatAt     epoch milliseconds when the trainer sent it
 * @param error           why it failed, when it did
 * @param finalEvalLoss   eval loss at the last step (FINISHED only)
 * @param finalEvalStdErr standard error of that eval loss over the eval sequences
 * @param finalTrainLoss  train loss at the last step (FINISHED only)
 * @param secondsElapsed  wall time spent training in this attempt
 */
public record RunStatus(
        int schemaVersion,
        String eventId,
        String runId,
        String experimentId,
        RunState state,
        int attempt,
        int step,
        int totalSteps,
        long heartbeatAt,
        String error,
        Double finalEvalLoss,
        Double finalEvalStdErr,
        Double finalTrainLoss,
        Double secondsElapsed) implements Event {

    public static RunStatus progress(String runId, String experimentId, RunState state, int attempt, int step, int totalSteps,
                                     double secondsElapsed) {
        return new RunStatus(SchemaVersion.CURRENT, java.util.UUID.randomUUID().toString(), runId, experimentId, state,
                attempt, step, totalSteps, System.currentTimeMillis(), null, null, null, null, secondsElapsed);
    }

    public static RunStatus finished(String runId, String experimentId, int attempt, int step, int totalSteps,
                                     double evalLoss, double evalStdErr, double trainLoss, double secondsElapsed) {
        return new RunStatus(SchemaVersion.CURRENT, "finished:" + runId + ":" + attempt, runId, experimentId,
                RunState.FINISHED, attempt, step, totalSteps, System.currentTimeMillis(), null, evalLoss, evalStdErr,
                trainLoss, secondsElapsed);
    }

    public static RunStatus failed(String runId, String experimentId, RunState state, int attempt, int step, int totalSteps,
                                   String error) {
        return new RunStatus(SchemaVersion.CURRENT, state.name().toLowerCase() + ":" + runId + ":" + attempt, runId,
                experimentId, state, attempt, step, totalSteps, System.currentTimeMillis(), error, null, null, null, null);
    }
}
