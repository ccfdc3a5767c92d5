package dev.tdlab.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of the trainer in the middle of a run: after a restart the run's lease expires, it is claimed
 * again (attempt 2), resumes from its last checkpoint and finishes with a loss curve and final loss
 * bit-identical to the same run trained without a crash; every metric step is stored exactly once.
 */
class CrashResumeIT {

    static final String SPEC = """
            name: %s
            data:  { family: markov, p: 0.2, q: 0.3, seqLen: 32, trainSequences: 256, evalSequences: 64 }
            model: { dModel: 4 }
            train: { optimizer: adamw, lr: 0.005, steps: 2400, evalEvery: 100, schedule: cosine, warmup: 0.02 }
            seeds: [7]
            """;

    @Test
    void killedTrainerResumesBitIdentically() throws Exception {
        Stack s = Stack.get();
        JsonNode reference = finish(s, submit(s, "crash-reference"), Duration.ofMinutes(3)).get("runs").get(0);

        String id = submit(s, "crash-victim");
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline && s.get("/api/v1/experiments/" + id).get("runs").get(0).get("step").asInt() < 700) {
            Thread.sleep(100);
        }
        int stepAtKill = s.get("/api/v1/experiments/" + id).get("runs").get(0).get("step").asInt();
        assertTrue(stepAtKill >= 700 && stepAtKill < 2400, "killed mid-run at " + stepAtKill);
        s.kill("trainer-service");
        s.restart("trainer-service");

        JsonNode run = finish(s, id, Duration.ofMinutes(4)).get("runs").get(0);
        assertEquals("FINISHED", run.get("status").asText());
        assertTrue(run.get("attempt").asInt() >= 2, "re-claimed after the crash: " + run);
        assertEquals(reference.get("finalEvalLoss").asDouble(), run.get("finalEvalLoss").asDouble(), 0.0,
                "final eval loss bit-identical to the uninterrupted run");
        assertEquals(reference.get("verdict").asText(), run.get("verdict").asText());

        JsonNode a = curve(s, reference.get("id").asText());
        JsonNode b = curve(s, run.get("id").asText());
        assertEquals(2400, b.get("steps").size(), "every step stored exactly once");
        assertEquals(a.get("steps"), b.get("steps"));
        for (int i = 0; i < 2400; i++) {
            assertEquals(a.get("values").get(i).asDouble(), b.get("values").get(i).asDouble(), 0.0, "train loss at step " + (i + 1));
        }
    }

    /** SIGTERM: the trainer hands its run back to the queue; the next trainer resumes it at once (no lease wait). */
    @Test
    void terminatedTrainerHandsItsRunBack() throws Exception {
        Stack s = Stack.get();
        String id = submit(s, "graceful-victim");
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline && s.get("/api/v1/experiments/" + id).get("runs").get(0).get("step").asInt() < 500) {
            Thread.sleep(100);
        }
        s.terminate("trainer-service");
        try (var db = s.db(); var ps = db.prepareStatement("SELECT state, owner FROM trainer.runs WHERE experiment_id = ?")) {
            ps.setString(1, id);
            try (var rs = ps.executeQuery()) {
                rs.next();
                assertEquals("QUEUED", rs.getString(1), "handed back to the queue");
                assertEquals(null, rs.getString(2));
            }
        }
        s.restart("trainer-service");
        JsonNode run = finish(s, id, Duration.ofMinutes(3)).get("runs").get(0);
        assertEquals("FINISHED", run.get("status").asText());
        assertTrue(run.get("attempt").asInt() >= 2, run.toString());
        assertEquals(2400, curve(s, run.get("id").asText()).get("steps").size());
    }

    static String submit(Stack s, String name) throws Exception {
        HttpResponse<String> r = s.post("/api/v1/experiments", "application/yaml", SPEC.formatted(name));
        assertEquals(201, r.statusCode(), r.body());
        return s.json.readTree(r.body()).get("id").asText();
    }

    static JsonNode finish(Stack s, String id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode e = s.get("/api/v1/experiments/" + id);
        while (System.nanoTime() < deadline && !e.get("status").asText().matches("FINISHED|FAILED|CANCELLED")) {
            Thread.sleep(500);
            e = s.get("/api/v1/experiments/" + id);
        }
        assertEquals("FINISHED", e.get("status").asText(), e.toPrettyString());
        return e;
    }

    static JsonNode curve(Stack s, String runId) throws Exception {
        return s.get("/api/v1/runs/" + runId + "/metrics?names=train_loss&maxPoints=100000").get("metrics").get("train_loss");
    }
}
