package dev.tdlab.analysis.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.problem.ProblemException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestLimitsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode tree(String json) throws Exception {
        return JSON.readTree(json);
    }

    static ProblemException refused(String json) throws Exception {
        JsonNode t = tree(json);
        return assertThrows(ProblemException.class, () -> RequestLimits.check(t, 100, 3, 20, 10));
    }

    @Test
    void withinLimitsPasses() throws Exception {
        JsonNode t = tree("{\"seeds\": [0,1,2,3], \"sweep\": {\"data.p\": [0.1,0.2,0.3,0.4,0.5], \"data.q\": [0.1,0.2,0.3,0.4,0.5]}}");
        assertDoesNotThrow(() -> RequestLimits.check(t, 100, 3, 20, 10)); // 5 × 5 × 4 = 100
        assertDoesNotThrow(() -> RequestLimits.check(tree("[1]"), 1, 1, 1, 1)); // not an object: the parser's job
    }

    @Test
    void eachLimitIsNamedWithItsValue() throws Exception {
        ProblemException runs = refused("{\"seeds\": [0,1,2,3,4], \"sweep\": {\"data.p\": [1,2,3,4,5], \"data.q\": [1,2,3,4,5]}}");
        assertEquals(400, runs.status());
        assertTrue(runs.getMessage().contains("tdlab.limits.max-sweep-runs = 100"), runs.getMessage());
        assertEquals("sweep", runs.violations().get(0).field());

        ProblemException axes = refused("{\"sweep\": {\"data.p\": [1], \"data.q\": [1], \"train.lr\": [1], \"train.steps\": [1]}}");
        assertTrue(axes.getMessage().contains("tdlab.limits.max-sweep-axes = 3"), axes.getMessage());

        ProblemException values = refused("{\"sweep\": {\"data.p\": [" + "1,".repeat(20) + "1]}}");
        assertTrue(values.getMessage().contains("tdlab.limits.max-sweep-values = 20"), values.getMessage());
        assertEquals("sweep.data.p", values.violations().get(0).field());

        ProblemException seeds = refused("{\"seeds\": [" + "1,".repeat(10) + "1]}");
        assertTrue(seeds.getMessage().contains("tdlab.limits.max-seeds = 10"), seeds.getMessage());
    }

    @Test
    void theProductOfAxesIsCountedWithoutExpanding() throws Exception {
        StringBuilder sb = new StringBuilder("{\"sweep\": {");
        for (int a = 0; a < 3; a++) {
            sb.append(a == 0 ? "" : ",").append("\"a").append(a).append("\": [").append("1,".repeat(19)).append("1]");
        }
        sb.append("}}");
        JsonNode t = tree(sb.toString());
        ProblemException e = assertThrows(ProblemException.class, () -> RequestLimits.check(t, 7999, 3, 20, 10));
        assertTrue(e.getMessage().contains("makes 8000 runs"), "20³ runs named: " + e.getMessage());
    }
}
