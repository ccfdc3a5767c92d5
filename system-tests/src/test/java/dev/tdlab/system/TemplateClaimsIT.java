package dev.tdlab.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The four seed templates (rank-collapse, attention-kernels, signgd-stages, infinite-limits) through the whole stack.
 *
 * <p>Default suite: each template with tiny overrides (a few steps, a small sweep) — the machinery: every family
 * trains on its data family, every run finishes with its verdict and its findings, and the experiment judges the
 * template's claims (whatever their outcome at this size). {@code -Preproduce}: each template at its default size, and
 * the papers' claims asserted through the judged outcomes; the outcomes are written to
 * {@code target/reproduce/claims.md}.
 */
class TemplateClaimsIT {

    /** Tiny overrides per template: what the machinery check runs. */
    static final Map<String, String> TINY = new LinkedHashMap<>();

    static {
        TINY.put("rank-collapse", """
                {"train": {"steps": 4, "evalEvery": 2}, "data": {"trainSequences": 64, "evalSequences": 32}, "seeds": [0],
                 "sweep": {"model.depth": [2, 6], "model.residualScaling": ["none", "inv-sqrt-depth"]}}""");
        TINY.put("attention-kernels", """
                {"train": {"steps": 6, "evalEvery": 3}, "seeds": [0]}""");
        TINY.put("signgd-stages", """
                {"train": {"steps": 15, "evalEvery": 3}, "seeds": [0]}""");
        TINY.put("infinite-limits", """
                {"train": {"steps": 4, "evalEvery": 2}, "data": {"trainSequences": 64, "evalSequences": 32}, "seeds": [0],
                 "sweep": {"model.headDim": [4, 8], "model.parameterization": ["standard", "mup"], "train.lr": [0.01, 0.03]}}""");
    }

    /** The findings each template's runs must carry. */
    static final Map<String, List<String>> FINDINGS = Map.of(
            "rank-collapse", List.of("rankCollapseInit", "collapsed", "qkOverVGradInit"),
            "attention-kernels", List.of("trainConverged", "finalTrainError", "finalEvalError", "stages"),
            "signgd-stages", List.of("finalTrainError", "generalizationGap", "stages", "probeStages"),
            "infinite-limits", List.of("rankCollapseInit"));

    /** The claims each template is judged on. */
    static final Map<String, List<String>> CLAIMS = Map.of(
            "rank-collapse", List.of("rank-collapse", "qk-gradients-vanish"),
            "attention-kernels", List.of("kernels-all-and-v", "kernels-q-only", "kernels-gaussian-faster"),
            "signgd-stages", List.of("signgd-fit-not-generalize", "signgd-not-data-noise", "signgd-four-stages",
                    "adam-like-signgd"),
            "infinite-limits", List.of("width-collapse", "lr-transfer"));

    @Test
    void everyTemplateRunsEndToEndAndIsJudged() throws Exception {
        Stack s = Stack.get();
        for (Map.Entry<String, String> t : TINY.entrySet()) {
            JsonNode exp = submitAndAwait(s, t.getKey(), t.getValue(), Duration.ofMinutes(6));
            assertEquals("FINISHED", exp.get("status").asText(), t.getKey() + ": " + exp.toPrettyString());
            for (JsonNode run : exp.get("runs")) {
                assertEquals("FINISHED", run.get("status").asText(), t.getKey() + ": " + run.toPrettyString());
                assertNotNull(run.get("verdict"), run.toPrettyString());
                assertFalse(run.get("verdict").isNull(), t.getKey() + ": " + run.toPrettyString());
                JsonNode f = run.get("findings");
                for (String name : FINDINGS.get(t.getKey())) {
                    assertTrue(f != null && f.has(name), t.getKey() + " run without finding " + name + ": " + run);
                }
            }
            List<String> ids = new java.util.ArrayList<>();
            exp.get("claims").forEach(c -> ids.add(c.get("id").asText()));
            assertEquals(CLAIMS.get(t.getKey()), ids, t.getKey());
            for (JsonNode c : exp.get("claims")) {
                assertTrue(List.of("CONFIRMED", "REFUTED", "INCONCLUSIVE").contains(c.get("outcome").asText()), c.toString());
                assertTrue(c.get("evidence").size() > 0, c.toString());
            }
            // the report carries the claims too
            HttpResponse<String> html = s.send(s.request("/api/v1/experiments/" + exp.get("id").asText() + "/report"));
            assertEquals(200, html.statusCode());
            assertTrue(html.body().contains(CLAIMS.get(t.getKey()).get(0)), t.getKey() + " report lacks its claims");
        }
    }

    /**
     * The papers' claims at the templates' default sizes. Expected outcomes are the papers'; a claim that does not
     * reproduce here fails this test (and is reported in the README), it is not tuned until it passes.
     */
    @Test
    @EnabledIfSystemProperty(named = "tdlab.reproduce", matches = "true")
    void theSeedsClaimsAtTemplateSize() throws Exception {
        Stack s = Stack.get();
        StringBuilder md = new StringBuilder("| template | claim | outcome | evidence |\n|---|---|---|---|\n");
        List<String> notReproduced = new java.util.ArrayList<>();
        for (String template : TINY.keySet()) {
            long t0 = System.nanoTime();
            JsonNode exp = submitAndAwait(s, template, "{}", Duration.ofMinutes(40));
            assertEquals("FINISHED", exp.get("status").asText(), template);
            for (JsonNode c : exp.get("claims")) {
                md.append("| ").append(template).append(" | ").append(c.get("id").asText()).append(" | ")
                        .append(c.get("outcome").asText()).append(" | ").append(c.get("evidence").toString().replace("|", "/"))
                        .append(" |\n");
                if (!c.get("outcome").asText().equals("CONFIRMED")) {
                    notReproduced.add(template + "/" + c.get("id").asText() + " " + c.get("outcome").asText());
                }
            }
            md.append("| ").append(template).append(" | (time) | ").append(String.format("%.0f s", (System.nanoTime() - t0) / 1e9))
                    .append(" | |\n");
        }
        Path out = Path.of("target", "reproduce", "claims.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.println(md);
        assertTrue(notReproduced.isEmpty(), "claims not reproduced: " + notReproduced + "\n" + md);
    }

    static JsonNode submitAndAwait(Stack s, String template, String overrides, Duration timeout) throws Exception {
        HttpResponse<String> r = s.post("/api/v1/experiments?template=" + template, "application/json", overrides);
        assertEquals(201, r.statusCode(), template + ": " + r.body());
        String id = s.json.readTree(r.body()).get("id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode exp = null;
        while (System.nanoTime() < deadline) {
            exp = s.get("/api/v1/experiments/" + id);
            String status = exp.get("status").asText();
            if (status.equals("FINISHED") || status.equals("FAILED") || status.equals("CANCELLED")) {
                return exp;
            }
            Thread.sleep(1000);
        }
        fail(template + " did not end in " + timeout + ": " + (exp == null ? "" : exp.toPrettyString()));
        return exp;
    }
}
