package dev.tdlab.analysis.rest;

import dev.tdlab.analysis.problem.ProblemException;
import dev.tdlab.contracts.spec.Violation;
import dev.tdlab.fixtures.MalformedSpecs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.security.QuotaConfig;
import dev.tdlab.analysis.security.Quotas;
import dev.tdlab.analysis.security.RequestLimits;
import dev.tdlab.analysis.security.LimitsConfig;
import io.smallrye.config.WithDefault;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz, in process: 10,000 generated malformed specs (JSON and YAML, {@link MalformedSpecs}) through the same steps as
 * {@code POST /api/v1/experiments} up to the store — parse, request limits, validation, the default quotas — and 2,000
 * generated query strings through the query-parameter parser. Every one must be refused with a 4xx problem that says
 * what is wrong (a detail and at least one named violation); anything else (accepted, another exception, an error) is
 * counted as a 5xx would be and fails the test. Seeded: {@code -Dtdlab.fuzz.seed}, {@code -Dtdlab.fuzz.tries}. The counts
 * go to target/fuzz/spec-fuzz-unit.json (quoted in docs/reliability.md).
 */
class SpecFuzzTest {

    static final long SEED = Long.getLong("tdlab.fuzz.seed", 20_261_125L);
    static final int TRIES = Integer.getInteger("tdlab.fuzz.tries", 10_000);

    /** POST /api/v1/experiments without the database: what reaches the store would be stored. */
    static void submit(MalformedSpecs.Case c) {
        if (c.body() == null || c.body().isBlank()) {
            throw ProblemException.badSpec(List.of(new Violation("", "the body is empty")));
        }
        JsonNode tree = SpecParser.readTree(c.body(), c.yaml());
        RequestLimits.check(tree, (int) def(LimitsConfig.class, "maxSweepRuns"), (int) def(LimitsConfig.class, "maxSweepAxes"),
                (int) def(LimitsConfig.class, "maxSweepValues"), (int) def(LimitsConfig.class, "maxSeeds"));
        SpecParser.Parsed parsed = SpecParser.parseTree(tree);
        Quotas.check(new Quotas.Limits(def(QuotaConfig.class, "stepParametersPerExperiment"),
                (int) def(QuotaConfig.class, "runsPerExperiment"), (int) def(QuotaConfig.class, "concurrentRuns"),
                def(QuotaConfig.class, "datasetSize")), parsed.spec());
    }

    /** The service's default of a config method (its @WithDefault), so that the fuzz uses the shipped limits. */
    static long def(Class<?> config, String method) {
        try {
            return Long.parseLong(config.getMethod(method).getAnnotation(WithDefault.class).value());
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void malformedSpecsAreAllRefusedWithAClear4xx() throws Exception {
        Map<Integer, Integer> byStatus = new TreeMap<>();
        Map<String, Integer> byKind = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        int yaml = 0;
        long slowestNanos = 0;
        long slowestSeed = -1;
        for (int i = 0; i < TRIES; i++) {
            long seed = SEED + i;
            MalformedSpecs.Case c = MalformedSpecs.of(seed);
            byKind.merge(c.kind(), 1, Integer::sum);
            yaml += c.yaml() ? 1 : 0;
            long t0 = System.nanoTime();
            try {
                submit(c);
                failures.add("seed " + seed + " (" + c.kind() + ") was accepted:\n" + c.body());
                byStatus.merge(200, 1, Integer::sum);
            } catch (ProblemException e) {
                byStatus.merge(e.status(), 1, Integer::sum);
                if (e.status() < 400 || e.status() >= 500) {
                    failures.add("seed " + seed + ": status " + e.status());
                } else if (e.getMessage() == null || e.getMessage().isBlank() || e.violations().isEmpty()
                        || e.violations().stream().anyMatch(v -> v.message() == null || v.message().isBlank())) {
                    failures.add("seed " + seed + ": unclear problem " + e.getMessage() + " " + e.violations());
                }
            } catch (Throwable t) {
                byStatus.merge(500, 1, Integer::sum);
                failures.add("seed " + seed + " (" + c.kind() + "): " + t + "\n" + c.body());
            }
            long took = System.nanoTime() - t0;
            if (took > slowestNanos) {
                slowestNanos = took;
                slowestSeed = seed;
            }
        }
        Map<String, Object> queries = fuzzQueries(new SplittableRandom(SEED), 2_000, failures);
        int refused = byStatus.entrySet().stream().filter(e -> e.getKey() >= 400 && e.getKey() < 500)
                .mapToInt(Map.Entry::getValue).sum();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seed", SEED);
        out.put("specsTried", TRIES);
        out.put("yaml", yaml);
        out.put("json", TRIES - yaml);
        out.put("refused4xx", refused);
        out.put("byStatus", byStatus);
        out.put("accepted", byStatus.getOrDefault(200, 0));
        out.put("errors5xx", byStatus.getOrDefault(500, 0));
        out.put("byKind", byKind);
        out.put("slowestMillis", slowestNanos / 1e6);
        out.put("slowestSeed", slowestSeed);
        out.put("queries", queries);
        Path file = Path.of("target/fuzz/spec-fuzz-unit.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(out));
        System.out.println("spec fuzz (in process): " + out);
        assertTrue(failures.isEmpty(), failures.size() + " failures, first: " + failures.stream().limit(3).toList());
        assertEquals(TRIES, refused);
        assertTrue(slowestNanos < 5_000_000_000L, "slowest case " + slowestSeed + " took " + slowestNanos / 1e6 + " ms");
    }

    /** Random query-parameter values: each a value in range or a 400 naming the parameter. */
    static Map<String, Object> fuzzQueries(SplittableRandom rnd, int n, List<String> failures) {
        String[] pieces = {"0", "1", "-1", "20", "200", "201", "abc", "1e3", " ", "%00", "9999999999999999999999", "0x10",
                "1.5", "' OR 1=1 --", "\u0000", "NaN", "+5", "٣", "2147483648", "-2147483649", ";", "&size=1"};
        int refused = 0;
        int accepted = 0;
        for (int i = 0; i < n; i++) {
            StringBuilder b = new StringBuilder();
            for (int k = 0, m = 1 + rnd.nextInt(3); k < m; k++) {
                b.append(pieces[rnd.nextInt(pieces.length)]);
            }
            String raw = b.toString();
            String[] names = {"page", "size", "after", "Last-Event-ID"};
            String name = names[rnd.nextInt(names.length)];
            try {
                long v = Params.longValue(name, raw, 0, 0, 200);
                if (v < 0 || v > 200) {
                    failures.add("query " + name + "=" + raw + " gave " + v);
                }
                accepted++;
            } catch (ProblemException e) {
                if (e.status() != 400 || !e.violations().get(0).field().equals(name)) {
                    failures.add("query " + name + "=" + raw + ": " + e.status() + " " + e.getMessage());
                }
                refused++;
            } catch (Throwable t) {
                failures.add("query " + name + "=" + raw + ": " + t);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tried", n);
        out.put("refused400", refused);
        out.put("acceptedInRange", accepted);
        return out;
    }
}
