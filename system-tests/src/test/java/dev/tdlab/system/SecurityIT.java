package dev.tdlab.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Walks the OpenAPI document of analysis-service ({@code GET /q/openapi}) and, for every operation: no token → 401
 * problem+json with {@code WWW-Authenticate: Bearer}; a wrong token → 401; tenant B's token on tenant A's ids (its
 * experiment, run, tenant, token) → 404, exactly as for an id that does not exist; an operation without ids never
 * answers B with 5xx. Then: each tenant lists only its own experiments; the stream takes {@code ?access_token=} for its
 * owner only; B's refused calls changed nothing of A's; data-gen refuses requests without its service token.
 */
class SecurityIT {

    /** Operations that need no token at all (the dashboard's redirect). */
    static final Set<String> PUBLIC = Set.of("GET /");
    /** Paths whose resources are shared by every tenant (not tenant data): B gets them like A. */
    static final List<String> SHARED = List.of("/api/v1/templates");
    static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

    static final String SPEC = """
            name: security-it-%s
            data:  { family: markov, p: 0.2, q: 0.3, seqLen: 16, trainSequences: 64, evalSequences: 16 }
            model: { dModel: 4 }
            train: { steps: 20, evalEvery: 10, batch: 8 }
            seeds: [0]
            """;

    record Ids(String experiment, String run, String tenant, String token) {
    }

    @Test
    void everyOperationNeedsATokenAndHidesOtherTenantsIds() throws Exception {
        Stack s = Stack.get();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String tenantA = "sec-a-" + suffix;
        String tenantB = "sec-b-" + suffix;
        String tokenA = s.tenantToken(tenantA, null);
        String tokenB = s.tenantToken(tenantB, null);
        String tokenIdA = s.json.readTree(s.send(s.request("/api/v1/tenants/" + tenantA + "/tokens")).body()).get(0)
                .get("id").asText();

        HttpResponse<String> ca = s.post("/api/v1/experiments", "application/yaml", SPEC.formatted("a"), tokenA);
        assertEquals(201, ca.statusCode(), ca.body());
        String expA = s.json.readTree(ca.body()).get("id").asText();
        HttpResponse<String> cb = s.post("/api/v1/experiments", "application/yaml", SPEC.formatted("b"), tokenB);
        assertEquals(201, cb.statusCode(), cb.body());
        String expB = s.json.readTree(cb.body()).get("id").asText();
        String runA = s.json.readTree(s.send(s.request("/api/v1/experiments/" + expA, tokenA)).body()).get("runs").get(0)
                .get("id").asText();
        Ids a = new Ids(expA, runA, tenantA, tokenIdA);

        // the document is public; walk every operation in it
        HttpResponse<String> doc = s.send(s.request("/q/openapi?format=json", null));
        assertEquals(200, doc.statusCode(), "GET /q/openapi without a token");
        JsonNode paths = s.json.readTree(doc.body()).get("paths");
        int operations = 0;
        int checks = 0;
        List<String> walked = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> path = it.next();
            for (Iterator<String> m = path.getValue().fieldNames(); m.hasNext(); ) {
                String method = m.next().toUpperCase();
                if (!Set.of("GET", "POST", "PUT", "DELETE", "PATCH").contains(method)) {
                    continue;
                }
                String op = method + " " + path.getKey();
                operations++;
                walked.add(op);
                if (PUBLIC.contains(op)) {
                    HttpResponse<String> r = call(s, method, path.getKey(), null);
                    assertTrue(r.statusCode() < 400, op + " is public: " + r.statusCode());
                    checks++;
                    continue;
                }
                String concrete = fill(path.getKey(), a);
                // 1. no token, 2. a wrong token: 401 with the Bearer challenge, as problem+json
                for (String token : new String[]{null, "tdl_" + UUID.randomUUID().toString().replace("-", "")}) {
                    HttpResponse<String> r = call(s, method, concrete, token);
                    assertEquals(401, r.statusCode(), op + " with " + (token == null ? "no" : "a wrong") + " token: " + r.body());
                    assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), op + ": challenge");
                    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
                            op + ": problem+json");
                    checks++;
                }
                // 3. tenant B on A's ids: 404, like an id that does not exist
                HttpResponse<String> r = call(s, method, concrete, tokenB);
                boolean hasIds = PARAM.matcher(path.getKey()).find();
                boolean shared = SHARED.stream().anyMatch(p -> path.getKey().startsWith(p));
                if (hasIds && !shared) {
                    assertEquals(404, r.statusCode(), op + " with tenant B's token on tenant A's ids: " + r.body());
                    HttpResponse<String> unknown = call(s, method, fill(path.getKey(), new Ids(UUID.randomUUID().toString(),
                            UUID.randomUUID().toString(), "no-such-tenant", UUID.randomUUID().toString())), tokenB);
                    assertEquals(404, unknown.statusCode(), op + " on unknown ids");
                } else {
                    assertTrue(r.statusCode() < 500, op + " with tenant B's token: " + r.statusCode() + " " + r.body());
                    assertNotEquals(401, r.statusCode(), op + ": B's token is a valid token");
                    if (path.getKey().startsWith("/api/v1/tenants")) {
                        assertEquals(403, r.statusCode(), op + " is the admin's: " + r.body());
                    }
                }
                checks++;
            }
        }
        assertTrue(operations >= 20, "operations in the document: " + walked);

        // each tenant lists only its own; the admin sees both
        assertOnly(s, tokenA, tenantA, expA, expB);
        assertOnly(s, tokenB, tenantB, expB, expA);
        String all = s.send(s.request("/api/v1/experiments?size=200")).body();
        assertTrue(all.contains(expA) && all.contains(expB), "the admin lists every tenant's");
        checks += 3;

        // the stream: ?access_token= for its owner only, and only on the stream endpoint
        HttpResponse<String> streamB = s.send(s.request("/api/v1/experiments/" + expA + "/stream?access_token=" + tokenB, null)
                .timeout(Duration.ofSeconds(20)));
        assertEquals(404, streamB.statusCode());
        HttpResponse<java.util.stream.Stream<String>> streamA = s.http.send(s.request("/api/v1/experiments/" + expA
                + "/stream?access_token=" + tokenA, null).header("Accept", "text/event-stream").timeout(Duration.ofSeconds(20))
                .build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, streamA.statusCode());
        assertTrue(streamA.body().limit(3).anyMatch(l -> l.startsWith("event:") || l.startsWith("id:")), "events flow");
        streamA.body().close();
        assertEquals(401, s.send(s.request("/api/v1/experiments/" + expA + "?access_token=" + tokenA, null)).statusCode(),
                "the query token is taken by the stream endpoint only");
        checks += 3;

        // B's refused calls changed nothing of A's: A's token works, its experiment was not cancelled
        HttpResponse<String> stillA = s.send(s.request("/api/v1/experiments/" + expA, tokenA));
        assertEquals(200, stillA.statusCode(), "A's token was not revoked by B");
        assertNotEquals("CANCELLED", s.json.readTree(stillA.body()).get("status").asText(), "B did not cancel A's experiment");

        // a revoked token stops working at once
        String spare = s.tenantToken(tenantA, null);
        String spareId = s.json.readTree(s.send(s.request("/api/v1/tenants/" + tenantA + "/tokens")).body()).get(1).get("id").asText();
        assertEquals(200, s.send(s.request("/api/v1/me", spare)).statusCode());
        assertEquals(200, s.send(s.request("/api/v1/tenants/" + tenantA + "/tokens/" + spareId, spare).DELETE()).statusCode());
        assertEquals(401, s.send(s.request("/api/v1/me", spare)).statusCode());
        checks += 3;

        // only hashes are stored
        try (var db = s.db(); var st = db.prepareStatement("SELECT count(*) FROM analysis.api_tokens WHERE token_hash = ? OR display = ?")) {
            st.setString(1, tokenA);
            st.setString(2, tokenA);
            try (var rs = st.executeQuery()) {
                rs.next();
                assertEquals(0, rs.getInt(1), "the token itself is not in the table");
            }
        }

        // data-gen is internal: its datasets API needs the service token
        HttpResponse<String> dg = s.http.send(HttpRequest.newBuilder(URI.create(s.dataGenUrl + "/api/v1/datasets/x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, dg.statusCode(), "data-gen without the service token");
        HttpResponse<String> dgA = s.http.send(HttpRequest.newBuilder(URI.create(s.dataGenUrl + "/api/v1/datasets/x"))
                .header("Authorization", "Bearer " + tokenA).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, dgA.statusCode(), "a tenant's API token is not data-gen's service token");
        HttpResponse<String> dgOk = s.http.send(HttpRequest.newBuilder(URI.create(s.dataGenUrl + "/api/v1/datasets/x"))
                .header("Authorization", "Bearer " + s.serviceToken).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, dgOk.statusCode(), "with the service token: an unknown dataset");
        assertEquals(200, s.http.send(HttpRequest.newBuilder(URI.create(s.dataGenUrl + "/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        checks += 4;

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("operationsWalked", operations);
        out.put("checks", checks);
        out.put("operations", walked);
        java.nio.file.Path file = java.nio.file.Path.of("target/fuzz/security-it.json");
        java.nio.file.Files.createDirectories(file.getParent());
        java.nio.file.Files.writeString(file, s.json.writerWithDefaultPrettyPrinter().writeValueAsString(out));
        System.out.println("SecurityIT: " + operations + " operations walked, " + checks + " checks: " + walked);
    }

    static void assertOnly(Stack s, String token, String tenant, String own, String other) throws Exception {
        HttpResponse<String> r = s.send(s.request("/api/v1/experiments?size=200", token));
        assertEquals(200, r.statusCode());
        JsonNode items = s.json.readTree(r.body()).get("items");
        assertTrue(items.size() >= 1);
        boolean sawOwn = false;
        for (JsonNode e : items) {
            assertEquals(tenant, e.get("tenant").asText(), "only " + tenant + "'s experiments: " + e);
            assertNotEquals(other, e.get("id").asText());
            sawOwn |= own.equals(e.get("id").asText());
        }
        assertTrue(sawOwn, tenant + " sees its own experiment");
        assertEquals(items.size(), s.json.readTree(r.body()).get("total").asInt(), "the total counts its own only");
        assertFalse(r.body().contains(other));
    }

    /** The path with its parameters set to the given ids. */
    static String fill(String template, Ids ids) {
        Matcher m = PARAM.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = switch (name) {
                case "id" -> template.startsWith("/api/v1/runs") ? ids.run() : ids.experiment();
                case "experimentId", "experiment" -> ids.experiment();
                case "runId", "run" -> ids.run();
                case "tenant", "tenantId" -> ids.tenant();
                case "token", "tokenId" -> ids.token();
                case "n" -> "0"; // a shard of the run's dataset: the run id decides whose it is
                case "name" -> "phase"; // a figure of the experiment: the experiment id decides whose it is
                default -> throw new AssertionError("SecurityIT does not know the path parameter {" + name + "} of "
                        + template + ": teach fill() which tenant resource it names");
            };
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** One call: bodies are harmless (an empty object), so that nothing is created even where a call were let through. */
    static HttpResponse<String> call(Stack s, String method, String path, String token) throws Exception {
        HttpRequest.Builder b = s.request(path, token).timeout(Duration.ofSeconds(20));
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofString("{}");
        switch (method) {
            case "POST" -> b.header("Content-Type", "application/json").POST(body);
            case "PUT" -> b.header("Content-Type", "application/json").PUT(body);
            case "PATCH" -> b.header("Content-Type", "application/json").method("PATCH", body);
            case "DELETE" -> b.DELETE();
            default -> b.GET();
        }
        return s.send(b);
    }
}
