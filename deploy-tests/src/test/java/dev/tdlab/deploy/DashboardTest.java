package dev.tdlab.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Grafana dashboard is valid JSON with non-overlapping panels, and every tdlab_* series it plots
 * is a meter that a service registers (Micrometer name with dots, Prometheus name with underscores
 * and its _total / _seconds_* suffix). system-tests' ObservabilityIT checks the same names on the
 * running services.
 */
class DashboardTest {

    static final Path DASHBOARD = Repo.path("k8s/base/grafana/tdlab-dashboard.json");
    static final Pattern SERIES = Pattern.compile("\\btdlab_[a-z0-9_]+");

    /** The tdlab_* series the dashboard plots. */
    static Set<String> series() throws IOException {
        Set<String> out = new TreeSet<>();
        for (JsonNode p : new ObjectMapper().readTree(DASHBOARD.toFile()).path("panels")) {
            for (JsonNode t : p.path("targets")) {
                Matcher m = SERIES.matcher(t.path("expr").asText());
                while (m.find()) {
                    out.add(m.group());
                }
            }
        }
        return out;
    }

    @Test
    void panelsAreWellFormed() throws IOException {
        JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertEquals("tdlab", d.path("title").asText());
        assertFalse(d.path("uid").asText().isEmpty());
        Set<String> cells = new HashSet<>();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode p : d.path("panels")) {
            assertTrue(ids.add(p.path("id").asInt()), "unique panel id " + p.path("id"));
            JsonNode g = p.path("gridPos");
            assertTrue(g.path("x").asInt() + g.path("w").asInt() <= 24, p.path("title").asText());
            for (int x = g.path("x").asInt(); x < g.path("x").asInt() + g.path("w").asInt(); x++) {
                for (int y = g.path("y").asInt(); y < g.path("y").asInt() + g.path("h").asInt(); y++) {
                    assertTrue(cells.add(x + "," + y), "panels overlap at " + x + "," + y + ": " + p.path("title").asText());
                }
            }
            if (!"row".equals(p.path("type").asText())) {
                assertFalse(p.path("targets").isEmpty(), p.path("title").asText());
                p.path("targets").forEach(t -> assertFalse(t.path("expr").asText().isBlank(), p.path("title").asText()));
            }
        }
    }

    @Test
    void everyPlottedSeriesIsAMeterOfAService() throws IOException {
        StringBuilder sources = new StringBuilder();
        for (String module : Stream.concat(Repo.SERVICES.values().stream(), Stream.of("service-kit")).toList()) {
            try (Stream<Path> files = Files.walk(Repo.path(module + "/src/main/java"))) {
                for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    sources.append(Files.readString(f));
                }
            }
        }
        Set<String> series = series();
        assertTrue(series.size() >= 10, series.toString());
        for (String s : series) {
            String base = s;
            for (String suffix : List.of("_seconds_count", "_seconds_sum", "_seconds_max", "_total")) {
                if (base.endsWith(suffix)) {
                    base = base.substring(0, base.length() - suffix.length());
                    break;
                }
            }
            String meter = base.replace('_', '.');
            assertTrue(sources.indexOf("\"" + meter + "\"") >= 0, s + ": no service registers meter \"" + meter + "\"");
        }
    }
}
