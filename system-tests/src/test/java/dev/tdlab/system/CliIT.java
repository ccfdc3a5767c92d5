package dev.tdlab.system;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged CLI ({@code cli/target/tdlab-cli.jar}, run as its own process with no terminal) against the real
 * stack: submits the reference experiment with fewer steps and one seed, watches it to the end from the live
 * stream (a line per update), exports the CSV report, and checks the exit codes of an unknown id and bad usage. It
 * authenticates with a tenant's token from {@code .lab/token}.
 */
class CliIT {

    record Result(int code, String out, String err) {
    }

    static Result cli(Stack s, Path workDir, String... args) throws Exception {
        Path root = Paths.get(System.getProperty("tdlab.root", "..")).toAbsolutePath().normalize();
        Path jar = root.resolve("cli/target/tdlab-cli.jar");
        assertTrue(Files.exists(jar), jar + " is missing: package the cli module first (./mvnw verify does)");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
                jar.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
        Map<String, String> env = pb.environment();
        env.put("TDLAB_URL", s.analysisUrl);
        env.put("TDLAB_TOKEN", s.adminToken); // the stack's admin token (no .lab/token in the work dir)
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path out = Files.createTempFile(workDir, "out", ".txt");
        Path err = Files.createTempFile(workDir, "err", ".txt");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(6, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("tdlab " + String.join(" ", args) + " did not end in 6 minutes: "
                    + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void submitsWatchesAndExportsTheReferenceExperiment() throws Exception {
        Stack s = Stack.get();
        Path root = Paths.get(System.getProperty("tdlab.root", "..")).toAbsolutePath().normalize();
        Path work = Files.createTempDirectory("cli-it");
        // the CLI finds its token in .lab/token of its working directory (a tenant's token: it sees its own experiments)
        Files.createDirectories(work.resolve(".lab"));
        Files.writeString(work.resolve(".lab/token"), s.tenantToken("cli-it", null) + "\n");

        // 3000 steps: long enough (~10 s with the fast engine) that the watch sees the run train and its verdict arrive
        Result sub = cli(s, work, "submit", root.resolve("examples/reference.yaml").toString(),
                "--set", "name=cli-it", "--set", "train.steps=3000", "--set", "seeds=[0]");
        assertEquals(0, sub.code(), sub.err());
        String id = sub.out().strip();
        assertTrue(id.matches("[0-9a-f-]{36}"), sub.out());

        Result watch = cli(s, work, "watch", id);
        assertEquals(0, watch.code(), watch.out() + watch.err());
        String out = watch.out();
        System.out.println("tdlab watch " + id + ":\n" + out);
        assertFalse(out.contains("\r"), "no terminal: one line per update, nothing redrawn");
        assertTrue(out.contains("steps 3000/3000"), out);
        assertTrue(out.contains("runs 1/1"), out);
        assertTrue(out.contains("ETA"), out);
        assertTrue(out.contains("experiment " + id + " FINISHED: 1/1 runs ended"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("run \\w{8} seed 0: (GLOBAL|LOCAL|NOT_CONVERGED|DIVERGED|UNRESOLVED) .*")), out);
        assertTrue(out.contains("RUN       CELL  SEED  VERDICT"), out);

        JsonNode run = s.get("/api/v1/experiments/" + id).get("runs").get(0);
        Path csv = work.resolve("report/" + id + ".csv");
        Result export = cli(s, work, "export", id, "--format", "csv", "-o", csv.toString());
        assertEquals(0, export.code(), export.err());
        List<String> lines = Files.readAllLines(csv);
        assertEquals(2, lines.size(), String.join("\n", lines));
        List<String> head = List.of(lines.get(0).split(","));
        List<String> row = List.of(lines.get(1).split(",", -1));
        for (String c : List.of("run_id", "verdict", "gap_to_optimum", "gap_low", "gap_high", "convergence_step",
                "rate_model", "rate", "rate_r2", "steps_near_saddle")) {
            assertTrue(head.contains(c), c + " in " + head);
        }
        assertEquals(run.get("id").asText(), row.get(head.indexOf("run_id")));
        assertEquals(run.get("verdict").asText(), row.get(head.indexOf("verdict")));
        assertEquals(run.get("gapLow").asDouble(), Double.parseDouble(row.get(head.indexOf("gap_low"))), 1e-12);
        assertTrue(run.get("gapLow").asDouble() <= run.get("gapToOptimum").asDouble());
        assertTrue(run.get("gapToOptimum").asDouble() <= run.get("gapHigh").asDouble());
        assertTrue(run.get("stepsNearSaddle").isInt(), run.toPrettyString());

        Result json = cli(s, work, "export", id, "--format", "json");
        assertEquals(0, json.code(), json.err());
        assertEquals(id, s.json.readTree(json.out()).get("id").asText());

        Result html = cli(s, work, "export", id, "--format", "html");
        assertEquals(0, html.code(), html.err());
        assertTrue(html.out().contains("steps near saddles") && html.out().contains("gap [95 %]"), html.out());

        Result table = cli(s, work, "verdicts", id);
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains(run.get("id").asText().substring(0, 8)), table.out());

        Result unknown = cli(s, work, "verdicts", "no-such-experiment");
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("HTTP 404"), unknown.err());
        assertEquals(2, cli(s, work, "export", id, "--format", "xml").code());
    }
}
