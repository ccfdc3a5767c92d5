package dev.tdlab.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A malformed spec gets 400 application/problem+json naming every bad field, and nothing is stored. */
class BadSpecIT {

    @Test
    void malformedSpecIsRejectedAndNothingStored() throws Exception {
        Stack s = Stack.get();
        long before = count(s, "analysis.experiments") + count(s, "analysis.runs") + count(s, "analysis.outbox");
        String body = """
                {"name": "bad", "colour": "red",
                 "data": {"family": "markov", "p": 1.5, "q": "x", "seqLen": 1},
                 "model": {"dModel": 6, "heads": 4},
                 "train": {"optimizer": "rmsprop", "lr": -1},
                 "seeds": [0, 0],
                 "sweep": {"data.nope": [1]}}""";
        HttpResponse<String> r = s.post("/api/v1/experiments", "application/json", body);
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        JsonNode problem = s.json.readTree(r.body());
        assertEquals(400, problem.get("status").asInt());
        Set<String> fields = new HashSet<>();
        problem.get("violations").forEach(v -> fields.add(v.get("field").asText()));
        // the document's shape first: unknown field and wrong type, each named
        assertTrue(fields.containsAll(Set.of("colour", "data.q")), fields::toString);

        // a well-shaped spec with bad values: every bad value named
        String shaped = """
                {"name": "bad", "data": {"family": "markov", "p": 1.5, "q": 0.3, "seqLen": 1},
                 "model": {"dModel": 6, "heads": 4}, "train": {"optimizer": "rmsprop", "lr": -1},
                 "seeds": [0, 0], "sweep": {"data.nope": [1]}}""";
        r = s.post("/api/v1/experiments", "application/json", shaped);
        assertEquals(400, r.statusCode(), r.body());
        fields.clear();
        s.json.readTree(r.body()).get("violations").forEach(v -> fields.add(v.get("field").asText()));
        assertTrue(fields.containsAll(Set.of("data.p", "data.seqLen", "model.heads", "train.optimizer", "train.lr",
                "seeds[1]", "sweep.data.nope")), fields::toString);

        r = s.post("/api/v1/experiments", "application/yaml", "name: [unclosed");
        assertEquals(400, r.statusCode(), r.body());

        long after = count(s, "analysis.experiments") + count(s, "analysis.runs") + count(s, "analysis.outbox");
        assertEquals(before, after, "rows stored by rejected specs");
        assertEquals(200, s.http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(s.analysisUrl + "/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    static long count(Stack s, String table) throws Exception {
        try (Connection db = s.db(); Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
