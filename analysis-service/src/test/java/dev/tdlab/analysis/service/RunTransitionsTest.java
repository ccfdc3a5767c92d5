package dev.tdlab.analysis.service;

import dev.tdlab.analysis.store.RunEntity;
import dev.tdlab.contracts.events.Baselines;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.contracts.events.Event;
import dev.tdlab.contracts.events.MetricBatch;
import dev.tdlab.contracts.events.MetricSeries;
import dev.tdlab.contracts.events.RunState;
import dev.tdlab.contracts.events.RunStatus;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The run lifecycle over every order of its three topics, with duplicates and late events: the verdict is decided
 * exactly once, right after the last of dataset-ready, FINISHED and the final eval metrics, and nothing after it
 * changes it. {@link Lifecycle} drives {@link RunTransitions} the way {@link RunLifecycle} does, with a set of seen
 * event ids for the processed-events table and the last stored eval step for the metrics table.
 */
class RunTransitionsTest {

    static final OffsetDateTime NOW = OffsetDateTime.now();
    static final String RUN = "r1";
    static final int STEPS = 100;

    static final Baselines BASELINES = new Baselines(0.5, 0.69, List.of(0.4, 0.6), 0.5, 0.0, List.of(0.69, 0.5),
            null, null, null, "exact");

    static DatasetReady dataset() {
        return new DatasetReady(1, "dataset:" + RUN, RUN, "e1", "d1", "sha", 1, 1, 10, 10, 10, 8, 2, BASELINES, null,
                null);
    }

    static RunStatus finished(int attempt) {
        return RunStatus.finished(RUN, "e1", attempt, STEPS, STEPS, 0.502, 0.004, 0.501, 1.0);
    }

    static RunStatus running(int attempt, int step) {
        return RunStatus.progress(RUN, "e1", RunState.RUNNING, attempt, step, STEPS, 0.5);
    }

    static MetricBatch evals(int attempt, int from, int to) {
        return MetricBatch.of(RUN, "e1", attempt, from, to,
                Map.of("eval_loss", new MetricSeries(List.of(from, to), List.of(0.6, 0.502))));
    }

    /** One run's row and what the database would hold for it. */
    static final class Lifecycle {
        final RunEntity r = new RunEntity();
        final Set<String> seen = new HashSet<>();
        Integer lastEvalStep;
        int verdicts;
        final List<RunTransitions.Effect> effects = new ArrayList<>();

        Lifecycle() {
            r.id = RUN;
            r.experimentId = "e1";
            r.status = RunState.PLANNED.name();
            r.totalSteps = STEPS;
        }

        void apply(Event e) {
            if (!seen.add(e.eventId())) {
                return; // processed_events: a redelivery changes nothing
            }
            if (e instanceof DatasetReady d) {
                RunTransitions.datasetReady(r, d, String::valueOf, NOW);
            } else if (e instanceof RunStatus s) {
                effects.add(RunTransitions.status(r, s, NOW));
            } else if (e instanceof MetricBatch b) {
                if (!RunTransitions.current(r, b)) {
                    return;
                }
                RunTransitions.metrics(r, b, NOW);
                List<Integer> steps = b.metrics().get("eval_loss").steps();
                lastEvalStep = Math.max(lastEvalStep == null ? 0 : lastEvalStep, steps.get(steps.size() - 1));
            }
            if (RunTransitions.decidable(r, lastEvalStep)) {
                r.verdict = "GLOBAL";
                verdicts++;
            }
        }
    }

    static List<List<Event>> permutations(List<Event> events) {
        if (events.isEmpty()) {
            return List.of(List.of());
        }
        List<List<Event>> out = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            List<Event> rest = new ArrayList<>(events);
            Event first = rest.remove(i);
            for (List<Event> p : permutations(rest)) {
                List<Event> l = new ArrayList<>();
                l.add(first);
                l.addAll(p);
                out.add(l);
            }
        }
        return out;
    }

    @Test
    void everyOrderOfTheThreeTopicsDecidesOnceAfterTheLast() {
        List<List<Event>> orders = permutations(List.of(dataset(), finished(0), evals(0, 50, STEPS)));
        assertEquals(6, orders.size());
        for (List<Event> order : orders) {
            Lifecycle l = new Lifecycle();
            for (int i = 0; i < order.size(); i++) {
                l.apply(order.get(i));
                assertEquals(i == order.size() - 1 ? 1 : 0, l.verdicts, "after " + (i + 1) + " of " + order);
            }
            assertEquals(RunState.FINISHED.name(), l.r.status);
            assertEquals(0.502, l.r.finalEvalLoss);
            assertEquals(0.5, RunTransitions.optimum(l.r));
        }
    }

    @Test
    void everyOrderWithProgressAndAnEarlierBatchDecidesOnce() {
        List<Event> events = List.of(dataset(), running(0, 10), evals(0, 0, 50), finished(0), evals(0, 50, STEPS));
        for (List<Event> order : permutations(events)) {
            Lifecycle l = new Lifecycle();
            order.forEach(l::apply);
            assertEquals(1, l.verdicts, order.toString());
            assertEquals(RunState.FINISHED.name(), l.r.status, order.toString());
            assertEquals(STEPS, l.r.step, order.toString());
        }
    }

    @Test
    void theVerdictWaitsForTheFinalEvalStep() {
        Lifecycle l = new Lifecycle();
        l.apply(dataset());
        l.apply(finished(0));
        l.apply(evals(0, 0, 50));
        assertEquals(0, l.verdicts);
        assertNull(l.r.verdict);
        l.apply(evals(0, 50, STEPS));
        assertEquals(1, l.verdicts);
    }

    @Test
    void duplicatesChangeNothing() {
        Lifecycle l = new Lifecycle();
        for (Event e : List.of(dataset(), dataset(), finished(0), evals(0, 50, STEPS), finished(0), evals(0, 50, STEPS),
                dataset())) {
            l.apply(e);
        }
        assertEquals(1, l.verdicts);
        assertEquals(1, l.effects.size()); // the redelivered FINISHED never reached the transitions
    }

    @Test
    void lateEventsAfterTheVerdictChangeNothing() {
        Lifecycle l = new Lifecycle();
        List.of(dataset(), finished(0), evals(0, 50, STEPS)).forEach(l::apply);
        assertEquals(1, l.verdicts);
        l.apply(running(0, 60));
        l.apply(RunStatus.failed(RUN, "e1", RunState.FAILED, 0, 70, STEPS, "late"));
        l.apply(new RunStatus(1, "finished-again", RUN, "e1", RunState.FINISHED, 0, STEPS, STEPS, 0, null, 9.0, 0.1,
                9.0, 1.0));
        l.apply(evals(0, 100, 120));
        assertEquals(1, l.verdicts);
        assertEquals("GLOBAL", l.r.verdict);
        assertEquals(RunState.FINISHED.name(), l.r.status);
        assertEquals(0.502, l.r.finalEvalLoss);
        assertNull(l.r.error);
        assertEquals(STEPS, l.r.step); // a finished run's step does not grow
        assertEquals(List.of(RunTransitions.Effect.FINISHED, RunTransitions.Effect.IGNORED,
                RunTransitions.Effect.IGNORED, RunTransitions.Effect.IGNORED), l.effects);
    }

    @Test
    void eventsOfAReplacedAttemptAreIgnored() {
        Lifecycle l = new Lifecycle();
        l.apply(dataset());
        l.r.attempt = 1; // a rerun replaced attempt 0
        l.apply(finished(0));
        l.apply(evals(0, 50, STEPS));
        assertEquals(RunState.DATA_READY.name(), l.r.status);
        assertNull(l.lastEvalStep);
        assertEquals(List.of(RunTransitions.Effect.IGNORED), l.effects);
        l.apply(finished(1));
        l.apply(evals(1, 50, STEPS));
        assertEquals(1, l.verdicts);
    }

    @Test
    void aFailedRunEndsWithoutAVerdict() {
        Lifecycle l = new Lifecycle();
        l.apply(dataset());
        l.apply(running(0, 10));
        l.apply(RunStatus.failed(RUN, "e1", RunState.FAILED, 0, 20, STEPS, "out of memory"));
        l.apply(evals(0, 0, 20));
        assertEquals(List.of(RunTransitions.Effect.RUNNING, RunTransitions.Effect.ENDED), l.effects);
        assertEquals(RunState.FAILED.name(), l.r.status);
        assertEquals("out of memory", l.r.error);
        assertEquals(0, l.verdicts);
    }

    @Test
    void aFinishAfterACancelKeepsTheLossesButNotTheRun() {
        Lifecycle l = new Lifecycle();
        l.apply(dataset());
        l.r.status = RunState.CANCELLED.name();
        l.apply(finished(0));
        l.apply(evals(0, 50, STEPS));
        assertEquals(RunState.CANCELLED.name(), l.r.status);
        assertEquals(0.502, l.r.finalEvalLoss);
        assertEquals(0, l.verdicts);
        assertTrue(l.effects.contains(RunTransitions.Effect.FINISHED));
    }
}
