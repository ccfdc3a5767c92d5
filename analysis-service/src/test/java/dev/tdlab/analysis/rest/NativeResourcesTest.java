package dev.tdlab.analysis.rest;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A native image holds only the class-path resources it is told to (Quarkus adds its own: Qute templates, Flyway
 * migrations, META-INF/resources of the application): every resource the code reads by name must match
 * {@code quarkus.native.resources.includes}, or the native service fails where the JVM one works.
 */
class NativeResourcesTest {

    /** The main classes that read a class-path resource by name; the test below lists what each reads. */
    static final Set<String> LOADERS = Set.of("rest/SpecSchemaResource.java", "rest/Templates.java", "rest/ReportResource.java");

    static List<String> loaded() {
        List<String> out = new ArrayList<>();
        out.add(SpecSchemaResource.RESOURCE);
        for (String t : Templates.ALL.keySet()) {
            out.add(Templates.resourcePath(t));
            out.add(Templates.resourcePath(t + ".paper"));
        }
        out.add(ReportResource.UPLOT_WEBJAR + "dist/uPlot.iife.min.js");
        out.add(ReportResource.UPLOT_WEBJAR + "dist/uPlot.min.css");
        return out;
    }

    @Test
    void everyResourceTheCodeReadsByNameIsInTheNativeImage() throws IOException {
        Properties p = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("application.properties")) {
            assertNotNull(in, "application.properties");
            p.load(in);
        }
        String includes = p.getProperty("quarkus.native.resources.includes", "");
        List<PathMatcher> globs = Arrays.stream(includes.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
        assertFalse(globs.isEmpty(), "quarkus.native.resources.includes is not set");
        for (String r : loaded()) {
            assertNotNull(getClass().getClassLoader().getResource(r), r + " is not on the class path");
            assertTrue(globs.stream().anyMatch(g -> g.matches(Path.of(r))),
                    r + " is read by name but matches no pattern of quarkus.native.resources.includes = " + includes);
        }
    }

    @Test
    void noOtherMainClassReadsAResourceByName() throws IOException {
        Path main = Path.of("src/main/java/dev/tdlab/analysis");
        Pattern read = Pattern.compile("getResource(AsStream)?\\(|getSystemResource");
        Set<String> found = new TreeSet<>();
        try (Stream<Path> files = Files.walk(main)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                if (read.matcher(Files.readString(f)).find()) {
                    found.add(main.relativize(f).toString().replace('\\', '/'));
                }
            }
        }
        assertEquals(new TreeSet<>(LOADERS), found, "a class that reads a resource by name: list what it reads in "
                + "loaded() and match it in quarkus.native.resources.includes");
    }
}
