package dev.tdlab.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cancel an experiment while it trains: the trainer stops within seconds. Rerun it: the same runs (no
 * duplicates) train again and finish with verdicts.
 */
class RerunIT {

    // dModel 40 keeps the runs on the SameDiff engine (a few ms a step): on the fast small-model path 4000 steps take
    // ~2 s, less than a cancel needs to reach the trainer, and the test would race the run's end
    static final String SPEC = """
            name: rerun-it
            data:  { family: markov, p: 0.2, q: 0.3, seqLen: 16, trainSequences: 64, evalSequences: 32 }
            model: { dModel: 40 }
            train: { steps: 4000, evalEvery: 500, lr: 0.005 }
            seeds: [0, 1]
            """;

    /** [sum of steps, number of CANCELLED runs] of the experiment in the trainer's own queue. */
    static int[] trainerSteps(Stack s, String experimentId) throws Exception {
        try (var db = s.db(); var ps = db.prepareStatement(
                "SELECT coalesce(sum(step), 0), count(*) FILTER (WHERE state = 'CANCELLED') FROM trainer.runs WHERE experiment_id = ?")) {
            ps.setString(1, experimentId);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return new int[]{rs.getInt(1), rs.getInt(2)};
            }
        }
    }

    @Test
    void cancelledRunsRerunWithoutDuplicates() throws Exception {
        Stack s = Stack.get();
        HttpResponse<String> created = s.post("/api/v1/experiments", "application/yaml", SPEC);
        assertEquals(201, created.statusCode(), created.body());
        String id = s.json.readTree(created.body()).get("id").asText();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline && s.get("/api/v1/experiments/" + id).get("runs").findValues("step").stream()
                .noneMatch(st -> st.asInt() >= 50)) {
            Thread.sleep(200);
        }

        HttpResponse<String> cancelled = s.send(s.request("/api/v1/experiments/" + id).DELETE());
        assertEquals(200, cancelled.statusCode(), cancelled.body());
        JsonNode exp = s.get("/api/v1/experiments/" + id);
        assertEquals("CANCELLED", exp.get("status").asText());
        exp.get("runs").forEach(r -> assertTrue(r.get("status").asText().matches("CANCELLED|FINISHED|FAILED"), r.toString()));

        // the trainer stops: its queue marks the runs CANCELLED and their steps stop short of the end
        long stopBy = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        int[] steps = trainerSteps(s, id);
        while (System.nanoTime() < stopBy && steps[1] < 2) {
            Thread.sleep(300);
            steps = trainerSteps(s, id);
        }
        assertEquals(2, steps[1], "runs the trainer marked CANCELLED");
        Thread.sleep(3000); // a running worker notices at its next heartbeat (2 s) and records the step it stopped at
        int frozen = trainerSteps(s, id)[0];
        Thread.sleep(3000);
        assertEquals(frozen, trainerSteps(s, id)[0], "no training after the cancel");
        assertTrue(frozen < 2 * 4000, "stopped before the end: " + frozen);

        JsonNode rerun = s.json.readTree(s.post("/api/v1/experiments/" + id + "/rerun", "application/json", "").body());
        int rerunRuns = rerun.get("rerunRuns").asInt();
        assertTrue(rerunRuns >= 1, rerun.toString());

        deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (System.nanoTime() < deadline && !s.get("/api/v1/experiments/" + id).get("status").asText().equals("FINISHED")) {
            Thread.sleep(500);
        }
        exp = s.get("/api/v1/experiments/" + id);
        assertEquals("FINISHED", exp.get("status").asText(), exp.toPrettyString());
        assertEquals(2, exp.get("runs").size());
        for (JsonNode r : exp.get("runs")) {
            assertEquals("FINISHED", r.get("status").asText(), r.toString());
            assertTrue(r.get("verdict").isTextual(), r.toString());
            JsonNode points = s.get("/api/v1/runs/" + r.get("id").asText() + "/metrics?names=train_loss&maxPoints=100000")
                    .get("metrics").get("train_loss").get("steps");
            assertEquals(4000, points.size(), "train_loss points of " + r.get("id"));
        }
        // nothing left to rerun: a second call changes nothing
        JsonNode again = s.json.readTree(s.post("/api/v1/experiments/" + id + "/rerun", "application/json", "").body());
        assertEquals(0, again.get("rerunRuns").asInt());
        assertEquals("FINISHED", s.get("/api/v1/experiments/" + id).get("status").asText());
    }
}
