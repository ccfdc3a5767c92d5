package dev.tdlab.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cancel an experiment, rerun it: the same runs (no duplicates) train again and finish with verdicts. */
class RerunIT {

    static final String SPEC = """
            name: rerun-it
            data:  { family: markov, p: 0.2, q: 0.3, seqLen: 16, trainSequences: 64, evalSequences: 32 }
            model: { dModel: 4 }
            train: { steps: 100, evalEvery: 25, lr: 0.005 }
            seeds: [0, 1]
            """;

    @Test
    void cancelledRunsRerunWithoutDuplicates() throws Exception {
        Stack s = Stack.get();
        HttpResponse<String> created = s.post("/api/v1/experiments", "application/yaml", SPEC);
        assertEquals(201, created.statusCode(), created.body());
        String id = s.json.readTree(created.body()).get("id").asText();

        HttpResponse<String> cancelled = s.http.send(HttpRequest.newBuilder(URI.create(s.analysisUrl + "/api/v1/experiments/" + id))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, cancelled.statusCode(), cancelled.body());
        JsonNode exp = s.get("/api/v1/experiments/" + id);
        assertEquals("CANCELLED", exp.get("status").asText());
        exp.get("runs").forEach(r -> assertTrue(r.get("status").asText().matches("CANCELLED|FINISHED|FAILED"), r.toString()));

        JsonNode rerun = s.json.readTree(s.post("/api/v1/experiments/" + id + "/rerun", "application/json", "").body());
        int rerunRuns = rerun.get("rerunRuns").asInt();
        assertTrue(rerunRuns >= 1, rerun.toString());

        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline && !s.get("/api/v1/experiments/" + id).get("status").asText().equals("FINISHED")) {
            Thread.sleep(500);
        }
        exp = s.get("/api/v1/experiments/" + id);
        assertEquals("FINISHED", exp.get("status").asText(), exp.toPrettyString());
        assertEquals(2, exp.get("runs").size());
        for (JsonNode r : exp.get("runs")) {
            assertEquals("FINISHED", r.get("status").asText(), r.toString());
            assertTrue(r.get("verdict").isTextual(), r.toString());
            JsonNode steps = s.get("/api/v1/runs/" + r.get("id").asText() + "/metrics?names=train_loss&maxPoints=100000")
                    .get("metrics").get("train_loss").get("steps");
            assertEquals(100, steps.size(), "train_loss points of " + r.get("id"));
        }
        // nothing left to rerun: a second call changes nothing
        JsonNode again = s.json.readTree(s.post("/api/v1/experiments/" + id + "/rerun", "application/json", "").body());
        assertEquals(0, again.get("rerunRuns").asInt());
        assertEquals("FINISHED", s.get("/api/v1/experiments/" + id).get("status").asText());
    }
}
