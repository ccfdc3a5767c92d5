package dev.tdlab.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Templates are listed with their claims, and one submits with overrides like any experiment. */
class TemplateIT {

    @Test
    void listAndSubmitWithOverrides() throws Exception {
        Stack s = Stack.get();
        JsonNode list = s.get("/api/v1/templates");
        assertTrue(list.isArray() && list.size() >= 1);
        JsonNode l2g = null;
        for (JsonNode t : list) {
            if (t.get("name").asText().equals("local-to-global")) {
                l2g = t;
            }
        }
        assertTrue(l2g != null && l2g.get("claim").asText().contains("p + q > 1"), list.toString());
        assertEquals(18, 9 * l2g.get("spec").get("seeds").size());

        HttpResponse<String> r = s.post("/api/v1/experiments?template=local-to-global", "application/json",
                "{\"train\": {\"steps\": 20}, \"seeds\": [0], \"sweep\": {\"data.p\": [0.2], \"data.q\": [0.3, 0.9]}}");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals(2, s.json.readTree(r.body()).get("runCount").asInt());
        JsonNode e = s.get("/api/v1/experiments/" + s.json.readTree(r.body()).get("id").asText());
        assertEquals("makkuva-minimal", e.get("spec").get("model").get("family").asText());
        assertEquals(20, e.get("spec").get("train").get("steps").asInt());

        HttpResponse<String> bad = s.post("/api/v1/experiments?template=nope", "application/json", "{}");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("template"));
    }
}
