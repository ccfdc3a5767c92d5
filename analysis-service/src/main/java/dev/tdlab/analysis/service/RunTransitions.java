package dev.tdlab.analysis.service;

import dev.tdlab.analysis.store.RunEntity;
import dev.tdlab.contracts.events.Baselines;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.contracts.events.MetricBatch;
import dev.tdlab.contracts.events.MetricSeries;
import dev.tdlab.contracts.events.RunState;
import dev.tdlab.contracts.events.RunStatus;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.Function;

/**
 * The run lifecycle as pure functions on a run's row: what one dataset-ready, status or metrics event changes, and
 * when the verdict can be decided. {@link RunLifecycle} adds the database, the journal and the outbox around them.
 */
final class RunTransitions {

    /** What a status event did to the run. */
    enum Effect {
        /** nothing: an event of an earlier attempt, or the run had ended already */
        IGNORED,
        /** the run is RUNNING */
        RUNNING,
        /** the trainer finished the run: the final losses are stored; the verdict may follow */
        FINISHED,
        /** the run FAILED or was CANCELLED */
        ENDED
    }

    private RunTransitions() {
    }

    /** The dataset and its baselines are known; a PLANNED run becomes DATA_READY. */
    static void datasetReady(RunEntity r, DatasetReady e, Function<Object, String> json, OffsetDateTime now) {
        r.datasetId = e.datasetId();
        Baselines b = e.baselines();
        if (b != null) {
            r.entropyRate = b.entropyRate();
            r.unigramEntropy = b.unigramEntropy();
            r.stationaryJson = json.apply(b.stationary());
            r.optimalLoss = b.optimalLoss();
            r.optimalLossStdErr = b.optimalLossStdErr();
            r.bayesError = b.bayesError();
            r.orderLossesJson = b.orderLosses() == null ? null : json.apply(b.orderLosses());
        }
        if (RunState.PLANNED.name().equals(r.status)) {
            r.status = RunState.DATA_READY.name();
        }
        r.updatedAt = now;
    }

    /**
     * A status event: late events of an earlier attempt change nothing; an ended run stays ended (a FINISHED after a
     * cancel still records the final losses); the step only grows.
     */
    static Effect status(RunEntity r, RunStatus s, OffsetDateTime now) {
        if (s.attempt() < r.attempt) {
            return Effect.IGNORED; // a late event of an earlier attempt
        }
        boolean terminal = RunState.valueOf(r.status).terminal();
        r.attempt = Math.max(r.attempt, s.attempt());
        r.heartbeatAt = OffsetDateTime.ofInstant(Instant.ofEpochMilli(s.heartbeatAt()), ZoneOffset.UTC);
        r.updatedAt = now;
        if (terminal && !(RunState.FINISHED == s.state() && RunState.CANCELLED.name().equals(r.status))) {
            return Effect.IGNORED; // ended runs stay ended
        }
        r.step = Math.max(r.step, s.step());
        switch (s.state()) {
            case RUNNING -> {
                if (terminal) {
                    return Effect.IGNORED;
                }
                r.status = RunState.RUNNING.name();
                return Effect.RUNNING;
            }
            case FINISHED -> {
                if (!terminal) {
                    r.status = RunState.FINISHED.name();
                }
                r.finalEvalLoss = s.finalEvalLoss();
                r.finalEvalStdErr = s.finalEvalStdErr();
                r.finalTrainLoss = s.finalTrainLoss();
                r.secondsElapsed = s.secondsElapsed();
                return Effect.FINISHED;
            }
            case FAILED, CANCELLED -> {
                r.status = s.state().name();
                r.error = s.error();
                return Effect.ENDED;
            }
            default -> {
                return Effect.IGNORED;
            }
        }
    }

    /** False for a batch of an attempt that a rerun replaced. */
    static boolean current(RunEntity r, MetricBatch b) {
        return b.attempt() >= r.attempt;
    }

    /** A stored metrics batch: the step of a live run grows, the latest losses follow the newest batch. */
    static void metrics(RunEntity r, MetricBatch b, OffsetDateTime now) {
        if (!RunState.valueOf(r.status).terminal()) {
            r.step = Math.max(r.step, b.toStep());
        }
        if (b.toStep() >= r.step) { // latest values, for listings and progress
            r.lastTrainLoss = last(b.metrics().get("train_loss"), r.lastTrainLoss);
            r.lastEvalLoss = last(b.metrics().get("eval_loss"), r.lastEvalLoss);
        }
        r.updatedAt = now;
    }

    /** The loss the run is judged against: the optimal loss when known, else the entropy rate; null before the dataset. */
    static Double optimum(RunEntity r) {
        return r.optimalLoss != null ? r.optimalLoss : r.entropyRate;
    }

    /**
     * The verdict can be decided once (never again) when the run has FINISHED, its baselines are known and its eval
     * losses are stored through its last step ({@code lastEvalStep}: null when none are): the three arrive on
     * different topics, in any order.
     */
    static boolean decidable(RunEntity r, Integer lastEvalStep) {
        return mayDecide(r) && lastEvalStep != null && lastEvalStep >= r.step;
    }

    /** Everything but the stored eval losses is there (checked first: it needs no query). */
    static boolean mayDecide(RunEntity r) {
        return r.verdict == null && RunState.FINISHED.name().equals(r.status) && optimum(r) != null
                && r.finalEvalLoss != null;
    }

    private static Double last(MetricSeries s, Double otherwise) {
        return s == null || s.values().isEmpty() ? otherwise : s.values().get(s.values().size() - 1);
    }
}
