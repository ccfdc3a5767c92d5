package dev.tdlab.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A researcher's own training loop on the real stack through the Python client: {@code pip install ./clients/python}
 * into a fresh venv (offline: the client's build backend is in the standard library), then
 * {@code src/test/resources/external_loop.py} submits an external experiment over a (p, q) sweep as a tenant, downloads
 * each run's data through analysis (data-gen is internal), logs a known curve (to the exact optimum where p = 0.2, flat
 * on the unigram plateau elsewhere) in batches, retries a batch, finishes the runs and reads back verdicts, the phase
 * diagram and the long-format curves. The trainer never claimed the runs.
 */
class ExternalClientIT {

    @Test
    void aLoopOutsideTheLabGetsVerdictsAndAPhaseDiagramThroughThePythonClient() throws Exception {
        Stack s = Stack.get();
        Path root = Paths.get(System.getProperty("tdlab.root", "..")).toAbsolutePath().normalize();
        Path work = Files.createTempDirectory("external-client-it");
        Path venv = work.resolve("venv");
        run(work, Map.of(), "python3", "-m", "venv", venv.toString());
        String python = venv.resolve("bin/python").toString();
        run(work, Map.of(), python, "-m", "pip", "install", "--no-index", "--quiet", root.resolve("clients/python").toString());
        Path script = Paths.get("src/test/resources/external_loop.py").toAbsolutePath();
        String token = s.tenantToken("py-client", null);
        String out = run(work, Map.of("TDLAB_URL", s.analysisUrl, "TDLAB_TOKEN", token), python, script.toString());
        System.out.println("external_loop.py: " + out);
        JsonNode r = s.json.readTree(out);

        assertEquals("FINISHED", r.get("status").asText(), out);
        int runs = 0;
        for (JsonNode v : r.get("verdicts")) {
            runs++;
            double p = v.get("cell").get("data.p").asDouble();
            assertEquals(p == 0.2 ? "GLOBAL" : "LOCAL", v.get("verdict").asText(), v.toString());
            assertEquals("FINISHED", v.get("status").asText());
        }
        assertEquals(4, runs);
        r.get("runs").forEach(x -> {
            assertEquals(51, x.get("evalPoints").asInt(), x.toString());
            assertTrue(x.get("lastEval").asDouble() < 1.0, "the retried batch's value did not overwrite: " + x);
        });
        JsonNode phase = r.get("phase");
        assertNotNull(phase, out);
        assertEquals("data.p", phase.get("xAxis").asText());
        for (JsonNode row : phase.get("rows")) {
            for (JsonNode c : row.get("cells")) {
                assertEquals(c.get("x").asDouble() == 0.2 ? 1.0 : 0.0, c.get("fractionGlobal").asDouble(), c.toString());
            }
        }
        // 4 runs × (501 train_loss + 51 eval_loss points) + the header
        assertEquals(1 + 4 * 552, r.get("curvesCsvLines").asInt(), out);

        // the trainer never queued them: its queue has no row of this experiment
        String experimentId = r.get("experiment").asText();
        try (Connection c = s.db(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM trainer.runs WHERE experiment_id = '" + experimentId + "'")) {
            rs.next();
            assertEquals(0, rs.getInt(1));
        }
    }

    static String run(Path dir, Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().putAll(env);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not end in 5 minutes");
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + stdout + "\n" + Files.readString(err, StandardCharsets.UTF_8));
        return stdout;
    }
}
