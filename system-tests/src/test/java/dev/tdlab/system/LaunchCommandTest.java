package dev.tdlab.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchCommandTest {

    @TempDir
    Path root;

    @AfterEach
    void clearNative() {
        System.clearProperty("tdlab.native");
    }

    private Path file(String relative, boolean executable) throws Exception {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.createFile(p);
        if (executable) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return p;
    }

    @Test
    void jvmByDefault() throws Exception {
        Path jar = file("analysis-service/target/quarkus-app/quarkus-run.jar", false);
        file("analysis-service/target/analysis-service-0.1.0-SNAPSHOT-runner", true);
        List<String> cmd = Stack.launchCommand(root, "analysis-service", "-Xmx1g", "-Dquarkus.http.port=1");
        assertEquals(List.of("-Xmx1g", "-Dquarkus.http.port=1", "-jar", jar.toString()), cmd.subList(1, cmd.size()));
        assertTrue(cmd.get(0).endsWith("java"), cmd.get(0));
    }

    @Test
    void nativeRunnerTakesTheSameOptions() throws Exception {
        System.setProperty("tdlab.native", "true");
        file("data-gen-service/target/quarkus-app/quarkus-run.jar", false);
        file("data-gen-service/target/data-gen-service-0.1.0-SNAPSHOT-runner.o", false);
        Path runner = file("data-gen-service/target/data-gen-service-0.1.0-SNAPSHOT-runner", true);
        assertEquals(List.of(runner.toString(), "-Xmx1g", "-Dquarkus.http.port=1"),
                Stack.launchCommand(root, "data-gen-service", "-Xmx1g", "-Dquarkus.http.port=1"));
    }

    @Test
    void trainerStaysOnTheJvm() throws Exception {
        System.setProperty("tdlab.native", "true");
        Path jar = file("trainer-service/target/quarkus-app/quarkus-run.jar", false);
        List<String> cmd = Stack.launchCommand(root, "trainer-service", "-Xmx1g");
        assertEquals(List.of("-Xmx1g", "-jar", jar.toString()), cmd.subList(1, cmd.size()));
    }

    @Test
    void missingNativeExecutableIsNamed() throws Exception {
        System.setProperty("tdlab.native", "true");
        file("analysis-service/target/quarkus-app/quarkus-run.jar", false);
        file("analysis-service/target/analysis-service-0.1.0-SNAPSHOT-runner", false); // not executable
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Stack.launchCommand(root, "analysis-service"));
        assertTrue(e.getMessage().contains("no native executable"), e.getMessage());
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> Stack.launchCommand(root, "data-gen-service"));
        assertTrue(none.getMessage().contains("data-gen-service/target is missing"), none.getMessage());
    }
}
