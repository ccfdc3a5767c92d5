package dev.tdlab.analysis.rest;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAPI document as the build stored it ({@code target/openapi/openapi.yaml}, the same document
 * {@code /q/openapi} serves) passes Spectral's {@code spectral:oas} rules with no error and no warning. Spectral is
 * installed with npm from the project's own {@code src/test/openapi/package.json} and its lock file (pinned
 * versions), into {@code target/spectral}.
 */
class OpenApiLintIT {

    @Test
    void theOpenApiDocumentPassesSpectralOasWithNoWarning() throws Exception {
        Path doc = Paths.get("target/openapi/openapi.yaml").toAbsolutePath();
        assertTrue(Files.exists(doc), doc + " is missing: package the service first");
        Path dir = Paths.get("target/spectral").toAbsolutePath();
        Files.createDirectories(dir);
        for (String f : List.of("package.json", "package-lock.json", ".spectral.yaml")) {
            Files.copy(Paths.get("src/test/openapi", f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.exists(dir.resolve("node_modules/.bin/spectral"))) {
            run(dir, 600, "npm", "ci", "--no-audit", "--no-fund", "--silent");
        }
        String out = run(dir, 300, dir.resolve("node_modules/.bin/spectral").toString(), "lint", doc.toString(),
                "--ruleset", dir.resolve(".spectral.yaml").toString(), "--fail-severity", "warn", "--format", "text");
        System.out.println("spectral lint: " + out);
    }

    static String run(Path dir, int seconds, String... cmd) throws Exception {
        Path log = Files.createTempFile(dir, "run", ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not end in " + seconds + " s");
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }
}
