package dev.tdlab.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The repository the deployment files describe: paths and each service's own configuration. */
final class Repo {

    /** Deployment / compose service name → Maven module. */
    static final Map<String, String> SERVICES = Map.of(
            "data-gen", "data-gen-service",
            "trainer", "trainer-service",
            "analysis", "analysis-service");

    private static final Pattern ENV_REF = Pattern.compile("\\$\\{(TDLAB_[A-Z0-9_]+)(?::[^}]*)?}");

    private Repo() {
    }

    static Path root() {
        return Path.of(System.getProperty("tdlab.root", "..")).toAbsolutePath().normalize();
    }

    static Path path(String relative) {
        return root().resolve(relative);
    }

    /** The module's src/main/resources/application.properties. */
    static Properties properties(String module) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(path(module + "/src/main/resources/application.properties"))) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** The TDLAB_* environment variables a module's application.properties reads. */
    static Set<String> envVars(String module) {
        Set<String> out = new TreeSet<>();
        for (String k : properties(module).stringPropertyNames()) {
            Matcher m = ENV_REF.matcher(properties(module).getProperty(k));
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** The service's HTTP port: its {@code quarkus.http.port}, else Quarkus' default 8080. */
    static int httpPort(String module) {
        return Integer.parseInt(properties(module).getProperty("quarkus.http.port", "8080").trim());
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
