package dev.tdlab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressTest {

    static JsonNode json(String s) throws Exception {
        return Api.JSON.readTree(s);
    }

    static final String EXPERIMENT = """
            {"id": "e1", "name": "makkuva-reference", "status": "RUNNING", "runs": [
              {"id": "aaaaaaaa-1", "cell": {}, "seed": 0, "status": "FINISHED", "attempt": 0, "step": 1000, "totalSteps": 1000,
               "lastTrainLoss": 0.55, "verdict": "GLOBAL", "finalEvalLoss": 0.548, "gapToOptimum": 0.0034},
              {"id": "bbbbbbbb-2", "cell": {}, "seed": 1, "status": "RUNNING", "attempt": 0, "step": 400, "totalSteps": 1000,
               "lastTrainLoss": 0.61},
              {"id": "cccccccc-3", "cell": {}, "seed": 2, "status": "PLANNED", "attempt": 0, "step": 0, "totalSteps": 1000}]}
            """;

    @Test
    void snapshotThenEventsKeepStepsLossAndStates() throws Exception {
        Progress p = new Progress();
        p.snapshot(json(EXPERIMENT));
        assertEquals(1400, p.stepsDone());
        assertEquals(3000, p.stepsTotal());
        assertEquals(1, p.runsEnded());
        assertFalse(p.terminal());

        assertEquals(Progress.Change.PROGRESS, p.apply("metrics", json("""
                {"runId": "bbbbbbbb-2", "fromStep": 401, "toStep": 450,
                 "metrics": {"train_loss": {"steps": [425, 450], "values": [0.60, 0.5987]}}}""")));
        assertEquals(1450, p.stepsDone());
        assertEquals(0.5987, p.latestLoss, 0);

        // a replayed older state of the same attempt changes nothing
        assertEquals(Progress.Change.PROGRESS, p.apply("status", json("""
                {"runId": "aaaaaaaa-1", "status": "RUNNING", "attempt": 0, "step": 500, "totalSteps": 1000}""")));
        assertEquals("FINISHED", p.runs.get("aaaaaaaa-1").status);
        assertEquals(1000, p.runs.get("aaaaaaaa-1").step);

        assertEquals(Progress.Change.RUN_STATE, p.apply("progress", json("""
                {"runId": "cccccccc-3", "status": "RUNNING", "attempt": 0, "step": 0, "totalSteps": 1000}""")));
        assertEquals(Progress.Change.RUN_STATE, p.apply("status", json("""
                {"runId": "bbbbbbbb-2", "status": "FINISHED", "attempt": 0, "step": 1000, "totalSteps": 1000, "finalEvalLoss": 0.5449}""")));
        assertEquals(Progress.Change.VERDICT, p.apply("verdict", json("""
                {"runId": "bbbbbbbb-2", "verdict": "GLOBAL", "finalEvalLoss": 0.5449, "gapToOptimum": 0.0003,
                 "gapLow": -0.0073, "gapHigh": 0.0079, "convergenceStep": 450, "rate": 0.0041, "rateModel": "exponential",
                 "rateR2": 0.987, "stepsNearSaddle": 150}""")));
        assertEquals(2, p.runsEnded());
        assertEquals("run bbbbbbbb seed 1: GLOBAL  final loss 0.544900  gap 0.000300 [-0.007300, 0.007900]"
                        + "  converged at step 450  rate exp 4.10e-03/step (R² 0.987)  near saddles 150 steps",
                Progress.verdictLine(p.runs.get("bbbbbbbb-2")));

        assertEquals(Progress.Change.EXPERIMENT, p.apply("experiment", json("{\"id\": \"e1\", \"status\": \"FINISHED\"}")));
        assertTrue(p.terminal());
    }

    @Test
    void aRerunStartsARunOver() throws Exception {
        Progress p = new Progress();
        p.snapshot(json(EXPERIMENT));
        p.apply("status", json("""
                {"runId": "aaaaaaaa-1", "status": "RUNNING", "attempt": 1, "step": 50, "totalSteps": 1000}"""));
        assertEquals("RUNNING", p.runs.get("aaaaaaaa-1").status);
        assertEquals(50, p.runs.get("aaaaaaaa-1").step);
        // the old attempt's late news is dropped
        assertEquals(Progress.Change.NONE, p.apply("status", json("""
                {"runId": "aaaaaaaa-1", "status": "FINISHED", "attempt": 0, "step": 1000, "totalSteps": 1000}""")));
    }

    @Test
    void theProgressLineShowsBarPercentStepsRunsLossEtaAndStatus() throws Exception {
        Progress p = new Progress();
        p.snapshot(json(EXPERIMENT));
        assertEquals("[##############................]  46.7%  steps 1400/3000  runs 1/3  loss 0.6100  ETA 1m12s  RUNNING",
                p.line(72.4, 30));
        assertEquals("[##############................]  46.7%  steps 1400/3000  runs 1/3  loss 0.6100  ETA --  RUNNING",
                p.line(null, 30));
        p.apply("experiment", json("{\"status\": \"CANCELLED\"}"));
        assertTrue(p.line(99.0, 10).endsWith("ETA 0s  CANCELLED"));
    }

    @Test
    void etaFollowsThePaceOfTheRecentWindow() {
        Progress.Eta eta = new Progress.Eta(60, 2);
        long s = 1_000_000_000L;
        eta.sample(0, 0);
        assertNull(eta.secondsLeft(1000));             // one sample: no pace yet
        eta.sample(s, 10);
        assertNull(eta.secondsLeft(1000));             // under the least span of 2 s
        assertNull(eta.secondsLeft(100_000));          // and under 2 % of the total
        eta.sample(4 * s, 40);                         // 10 steps/s
        assertEquals(96.0, eta.secondsLeft(1000), 1e-9);
        assertNull(eta.secondsLeft(3000));             // 40 steps are not yet 2 % of 3000
        eta.sample(10 * s, 40);                        // stalled 6 s: 40 steps in 10 s
        assertEquals(240.0, eta.secondsLeft(1000), 1e-9);
        eta.sample(100 * s, 940);                      // the window keeps the last 60 s: (940 − 40) / 90 s
        assertEquals(6.0, eta.secondsLeft(1000), 1e-9);
        eta.sample(101 * s, 0);                        // the work went back (a rerun): start over
        assertNull(eta.secondsLeft(1000));
    }

    @Test
    void durationsAndBars() {
        assertEquals("0s", Progress.duration(0.2));
        assertEquals("45s", Progress.duration(45));
        assertEquals("3m07s", Progress.duration(187));
        assertEquals("2h05m", Progress.duration(7500));
        assertEquals("[..........]", Progress.bar(0, 10));
        assertEquals("[#####.....]", Progress.bar(0.5, 10));
        assertEquals("[##########]", Progress.bar(1.2, 10));
    }

    @Test
    void verdictTableHasOneRowPerRun() throws Exception {
        JsonNode e = json("""
                {"id": "e1", "runs": [
                  {"id": "0123456789", "cell": {"data.p": 0.2, "data.q": 0.3}, "seed": 0, "status": "FINISHED",
                   "verdict": "GLOBAL", "finalEvalLoss": 0.547991, "gapToOptimum": 0.003404, "gapLow": -0.0042,
                   "gapHigh": 0.011, "convergenceStep": 350,
                   "convergenceRate": {"model": "power", "rate": 0.8123, "r2": 0.97}, "stepsNearSaddle": 0},
                  {"id": "abc", "cell": {"data.p": 0.6, "data.q": 0.3}, "seed": 1, "status": "RUNNING", "verdict": null}]}""");
        String t = Tables.verdicts(e);
        assertEquals("""
                RUN       CELL         SEED  VERDICT    FINAL LOSS       GAP  GAP 95% CI             CONV STEP  RATE                       NEAR SADDLE
                01234567  p=0.2,q=0.3     0  GLOBAL       0.547991  0.003404  [-0.004200, 0.011000]        350  power t^-0.812 (R² 0.970)            0
                abc       p=0.6,q=0.3     1  (RUNNING)
                """, t);
    }
}
