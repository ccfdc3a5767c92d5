package dev.tdlab.analysis.store;

import dev.tdlab.analysis.verdict.Downsample;
import dev.tdlab.analysis.verdict.StepBuckets;
import dev.tdlab.analysis.verdict.StepBuckets.Extremes;
import dev.tdlab.analysis.verdict.StepBucketsTest;
import dev.tdlab.contracts.events.MetricBatch;
import dev.tdlab.contracts.events.MetricSeries;
import dev.tdlab.devstack.Postgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import java.util.Comparator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MetricStore on a real PostgreSQL 17 (devstack, in this JVM) with the service's own Flyway migrations:
 * a redelivered batch changes nothing, NaN and ±∞ come back as stored, the rollups kept at ingest equal
 * the per-block extremes of the raw points, reads equal a brute-force bucketing of the raw points, V5
 * moves the points of an existing database, and deleting a run's metrics leaves nothing behind.
 */
class MetricStoreIT {

    static Postgres pg;
    static final MetricStore store = new MetricStore();
    static final AtomicInteger databases = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        Path work = Paths.get("target/it-metricstore").toAbsolutePath();
        if (Files.exists(work)) {
            try (var walk = Files.walk(work)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        pg = Postgres.start(work.resolve("pg"), 0);
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    /** A fresh database migrated to {@code target} (null = latest), schema analysis, one experiment 'e'. */
    static Connection database(String target) throws Exception {
        String name = "m" + databases.incrementAndGet();
        pg.createDatabaseIfAbsent(name);
        var conf = Flyway.configure().dataSource(pg.jdbcUrl(name), pg.user(), pg.password())
                .schemas("analysis").defaultSchema("analysis").createSchemas(true).locations("classpath:db/migration");
        if (target != null) {
            conf = conf.target(target);
        }
        conf.load().migrate();
        Connection c = pg.connect(name);
        try (Statement s = c.createStatement()) {
            s.execute("SET search_path TO analysis");
            s.execute("INSERT INTO experiments (id, name, status, spec_json, run_count) VALUES ('e', 'it', 'RUNNING', '{}', 1)");
        }
        return c;
    }

    static void run(Connection c, String id) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO runs (id, experiment_id, cell_id, cell_json, seed, status, total_steps)
                VALUES (?, 'e', ?, '{}', 0, 'RUNNING', 1000000)""")) {
            ps.setString(1, id);
            ps.setString(2, id);
            ps.executeUpdate();
        }
    }

    static MetricBatch batch(String run, int attempt, int from, int to, Map<String, MetricSeries> m) {
        return MetricBatch.of(run, "e", attempt, from, to, m);
    }

    /** Steps from..to of each name, values from the generator. */
    static MetricBatch batch(String run, int attempt, int from, int to, SplittableRandom rnd, String... names) {
        Map<String, MetricSeries> m = new LinkedHashMap<>();
        for (String n : names) {
            List<Integer> steps = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            for (int s = from; s <= to; s++) {
                steps.add(s);
                values.add(rnd.nextDouble());
            }
            m.put(n, new MetricSeries(steps, values));
        }
        return batch(run, attempt, from, to, m);
    }

    static MetricStore.Ingested ingest(Connection c, List<MetricBatch> batches) throws Exception {
        c.setAutoCommit(false);
        try {
            MetricStore.Ingested done = store.ingest(c, batches);
            c.commit();
            return done;
        } catch (Exception e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Everything the metric tables and processed_events hold, as text (float8 as its bits). */
    static String snapshot(Connection c) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (String q : List.of(
                "SELECT series_id, step, float8send(value) FROM metric_points ORDER BY 1, 2",
                "SELECT series_id, width, block, n, min_step, float8send(min_value), max_step, float8send(max_value) FROM metric_rollups ORDER BY 1, 2, 3",
                "SELECT id, run_id, name, last_step, float8send(last_value) FROM metric_series ORDER BY 1",
                "SELECT event_id FROM processed_events ORDER BY 1")) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(q)) {
                int cols = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int i = 1; i <= cols; i++) {
                        sb.append(rs.getString(i)).append(i < cols ? ',' : '\n');
                    }
                }
            }
            sb.append("--\n");
        }
        return sb.toString();
    }

    static long count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aRedeliveredBatchChangesNothing() throws Exception {
        try (Connection c = database(null)) {
            run(c, "r1");
            run(c, "r2");
            SplittableRandom rnd = new SplittableRandom(1);
            List<MetricBatch> batches = new ArrayList<>();
            for (int b = 0; b < 6; b++) {
                batches.add(batch(b % 2 == 0 ? "r1" : "r2", 1, b * 100 + 1, b * 100 + 100, rnd, "train_loss", "grad_norm"));
            }
            MetricStore.Ingested first = ingest(c, batches);
            assertEquals(6, first.applied().size());
            assertEquals(6 * 100 * 2, first.points());
            String before = snapshot(c);

            assertEquals(0, ingest(c, List.of(batches.get(3))).applied().size());
            assertEquals(0, ingest(c, batches).applied().size());
            assertEquals(0, ingest(c, List.of(batches.get(5), batches.get(0), batches.get(5))).applied().size());
            assertEquals(before, snapshot(c), "a redelivery changed the store");

            // the same event twice in one call is applied once
            MetricBatch again = batch("r1", 1, 1001, 1100, rnd, "train_loss");
            MetricStore.Ingested twice = ingest(c, List.of(again, again));
            assertEquals(1, twice.applied().size());
            assertEquals(100, twice.points());
            assertEquals(6 * 100 * 2 + 100, count(c, "SELECT count(*) FROM metric_points"));
            assertEquals(6 * 100 * 2 + 100, count(c, "SELECT count(*) FROM metrics"), "the compatibility view");
        }
    }

    @Test
    void anOverlappingBatchOfALaterAttemptKeepsTheFirstValues() throws Exception {
        try (Connection c = database(null)) {
            run(c, "r");
            SplittableRandom rnd = new SplittableRandom(2);
            MetricBatch a = batch("r", 1, 1, 200, rnd, "train_loss");
            MetricBatch b = batch("r", 2, 101, 300, rnd, "train_loss"); // resumed from a checkpoint at 100
            ingest(c, List.of(a));
            MetricStore.Ingested done = ingest(c, List.of(b));
            assertEquals(1, done.applied().size());
            assertEquals(100, done.points(), "only steps 201..300 are new");
            List<Downsample.Point> all = store.all(c, "r", "train_loss");
            assertEquals(300, all.size());
            for (int i = 0; i < 200; i++) {
                assertEquals(a.metrics().get("train_loss").values().get(i), all.get(i).value(), "step " + (i + 1));
            }
            for (int i = 200; i < 300; i++) {
                assertEquals(b.metrics().get("train_loss").values().get(i - 100), all.get(i).value(), "step " + (i + 1));
            }
            assertEquals(new Downsample.Point(300, b.metrics().get("train_loss").values().get(199)),
                    store.latest(c, "r").get("train_loss"));
            assertRollupsMatchRaw(c);
        }
    }

    @Test
    void nanAndInfinitiesRoundTripBitForBit() throws Exception {
        try (Connection c = database(null)) {
            run(c, "r");
            List<Double> values = Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0,
                    Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 1.0 / 3, null);
            List<Integer> steps = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                steps.add(i + 1);
            }
            ingest(c, List.of(batch("r", 1, 1, values.size(), Map.of("eval_loss", new MetricSeries(steps, values)))));
            List<Downsample.Point> all = store.all(c, "r", "eval_loss");
            List<Downsample.Point> read = store.read(c, "r", "eval_loss", 0, Integer.MAX_VALUE, 1000);
            assertEquals(all, read);
            assertEquals(values.size(), all.size());
            for (int i = 0; i < values.size(); i++) {
                double want = values.get(i) == null ? Double.NaN : values.get(i);
                assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(all.get(i).value()),
                        "step " + (i + 1) + ": " + want + " came back as " + all.get(i).value());
            }
            assertTrue(Double.isNaN(store.latest(c, "r").get("eval_loss").value()), "latest = the null, stored as NaN");
            // the extremes of a bucket with all of them: -inf and NaN
            List<Downsample.Point> two = store.read(c, "r", "eval_loss", 0, Integer.MAX_VALUE, 2);
            assertEquals(List.of(new Downsample.Point(1, Double.NaN), new Downsample.Point(3, Double.NEGATIVE_INFINITY)), two);
            assertRollupsMatchRaw(c);
        }
    }

    @Test
    void rollupsAndReadsEqualABruteForceScanOfTheRawPoints() throws Exception {
        try (Connection c = database(null)) {
            run(c, "r");
            SplittableRandom rnd = new SplittableRandom(3);
            double[] odd = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0};
            int step = 0;
            int attempt = 1;
            List<MetricBatch> pending = new ArrayList<>();
            while (step < 300_000) {
                if (rnd.nextInt(40) == 0) { // a resumed attempt re-sends an overlapping range
                    attempt++;
                    step = Math.max(0, step - rnd.nextInt(300));
                }
                int n = 1 + rnd.nextInt(400);
                int gap = rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(50) : 1;
                Map<String, MetricSeries> m = new LinkedHashMap<>();
                for (String name : List.of("train_loss", "eval_loss")) {
                    List<Integer> steps = new ArrayList<>();
                    List<Double> values = new ArrayList<>();
                    for (int i = 0, s = step; i < n; i++, s += gap) {
                        if (name.equals("eval_loss") && s % 7 != 0) {
                            continue; // sparser
                        }
                        steps.add(s);
                        double v = rnd.nextInt(3) == 0 ? rnd.nextInt(4) : rnd.nextGaussian(); // many ties
                        values.add(rnd.nextInt(200) == 0 ? odd[rnd.nextInt(odd.length)] : v);
                    }
                    m.put(name, new MetricSeries(steps, values));
                }
                int to = step + (n - 1) * gap;
                pending.add(batch("r", attempt, step, to, m));
                step = to + 1;
                if (rnd.nextInt(3) == 0) {
                    ingest(c, pending);
                    pending.clear();
                }
            }
            ingest(c, pending);
            assertRollupsMatchRaw(c);

            List<Downsample.Point> trainRaw = store.all(c, "r", "train_loss");
            List<Downsample.Point> evalRaw = store.all(c, "r", "eval_loss");
            assertTrue(trainRaw.size() > 50_000, "points " + trainRaw.size());
            for (int t = 0; t < 300; t++) {
                boolean train = t % 3 != 0;
                List<Downsample.Point> raw = train ? trainRaw : evalRaw;
                int from = t % 10 == 0 ? 0 : rnd.nextInt(step);
                int to = t % 10 == 1 ? Integer.MAX_VALUE : from + rnd.nextInt(t % 4 == 0 ? 5_000 : step);
                int maxPoints = 2 + rnd.nextInt(t % 5 == 0 ? 30 : 3_000);
                List<Downsample.Point> want = reference(raw, from, to, maxPoints);
                List<Downsample.Point> got = store.read(c, "r", train ? "train_loss" : "eval_loss", from, to, maxPoints);
                assertEquals(want.size(), got.size(), "read " + from + ".." + to + " max " + maxPoints);
                for (int i = 0; i < want.size(); i++) {
                    assertEquals(want.get(i).step(), got.get(i).step(), "read " + from + ".." + to + " at " + i);
                    assertEquals(Double.doubleToLongBits(want.get(i).value()), Double.doubleToLongBits(got.get(i).value()));
                }
                assertTrue(got.size() <= maxPoints);
            }
            assertEquals(List.of(), store.read(c, "r", "train_loss", step + 10, step + 20, 100), "an empty range");
            assertEquals(List.of(), store.read(c, "r", "never", 0, 10, 100), "an unknown metric");
            assertEquals(List.of("eval_loss", "train_loss"), store.names(c, "r"));
        }
    }

    /**
     * What a read must return: every raw point in [from, to] if at most maxPoints, else the brute-force
     * buckets of the plan over [max(from, first step), min(to, last step)].
     */
    static List<Downsample.Point> reference(List<Downsample.Point> raw, int from, int to, int maxPoints) {
        List<Downsample.Point> in = raw.stream().filter(p -> p.step() >= from && p.step() <= to).toList();
        if (in.size() <= maxPoints) {
            return in;
        }
        StepBuckets.Plan plan = StepBuckets.plan(Math.max(from, raw.get(0).step()), Math.min(to, raw.get(raw.size() - 1).step()),
                maxPoints, StepBuckets.ROLLUP_WIDTHS);
        return StepBucketsTest.bruteForce(in, plan);
    }

    /** metric_rollups holds exactly the extremes and counts of the raw points, block by block, at every width. */
    static void assertRollupsMatchRaw(Connection c) throws Exception {
        Map<Integer, List<Downsample.Point>> raw = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT series_id, step, value FROM metric_points")) {
            while (rs.next()) {
                raw.computeIfAbsent(rs.getInt(1), k -> new ArrayList<>()).add(new Downsample.Point(rs.getInt(2), rs.getDouble(3)));
            }
        }
        Map<String, Extremes> want = new HashMap<>();
        for (Map.Entry<Integer, List<Downsample.Point>> e : raw.entrySet()) {
            int[] steps = e.getValue().stream().mapToInt(Downsample.Point::step).toArray();
            double[] values = e.getValue().stream().mapToDouble(Downsample.Point::value).toArray();
            for (int w : StepBuckets.ROLLUP_WIDTHS) {
                StepBuckets.blocks(steps, values, 0, steps.length, w).forEach((block, x) -> want.put(e.getKey() + "/" + w + "/" + block, x));
            }
        }
        Map<String, Extremes> got = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT series_id, width, block, n, min_step, min_value, max_step, max_value FROM metric_rollups")) {
            while (rs.next()) {
                got.put(rs.getInt(1) + "/" + rs.getInt(2) + "/" + rs.getInt(3),
                        new Extremes(rs.getInt(5), rs.getDouble(6), rs.getInt(7), rs.getDouble(8), rs.getInt(4)));
            }
        }
        assertEquals(want.size(), got.size(), "rollup rows");
        for (Map.Entry<String, Extremes> e : want.entrySet()) {
            Extremes g = got.get(e.getKey());
            Extremes w = e.getValue();
            String what = "block " + e.getKey() + ": want " + w + ", got " + g;
            assertTrue(g != null, what);
            assertEquals(w.n(), g.n(), what);
            assertEquals(w.minStep(), g.minStep(), what);
            assertEquals(w.maxStep(), g.maxStep(), what);
            assertEquals(Double.doubleToLongBits(w.minValue()), Double.doubleToLongBits(g.minValue()), what);
            assertEquals(Double.doubleToLongBits(w.maxValue()), Double.doubleToLongBits(g.maxValue()), what);
        }
    }

    @Test
    void v5MovesTheMetricsOfAnExistingDatabase() throws Exception {
        try (Connection c = database("4")) {
            run(c, "old1");
            run(c, "old2");
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO metrics (run_id, name, step, value) SELECT 'old1', 'train_loss', g, sin(g / 100.0) FROM generate_series(0, 25000) g");
                s.execute("INSERT INTO metrics (run_id, name, step, value) SELECT 'old1', 'eval_loss', g * 50, 1.0 / (g + 1) FROM generate_series(0, 500) g");
                s.execute("INSERT INTO metrics (run_id, name, step, value) VALUES ('old2', 'train_loss', 1, 'NaN'), ('old2', 'train_loss', 2, 'Infinity'), "
                        + "('old2', 'train_loss', 3, '-Infinity'), ('old2', 'train_loss', 4, 0.5)");
            }
            String before = dumpOld(c, "SELECT run_id, name, step, float8send(value) FROM metrics ORDER BY 1, 2, 3");
            Flyway.configure().dataSource(pg.jdbcUrl(c.getCatalog()), pg.user(), pg.password())
                    .schemas("analysis").defaultSchema("analysis").locations("classpath:db/migration").load().migrate();
            assertEquals(before, dumpOld(c, "SELECT run_id, name, step, float8send(value) FROM metrics ORDER BY 1, 2, 3"),
                    "the view shows the same points");
            assertEquals(new Downsample.Point(25000, Math.sin(250.0)), store.latest(c, "old1").get("train_loss"));
            assertEquals(new Downsample.Point(4, 0.5), store.latest(c, "old2").get("train_loss"));
            assertRollupsMatchRaw(c);
            // and the store carries on from there
            SplittableRandom rnd = new SplittableRandom(4);
            assertEquals(0, ingest(c, List.of(batch("old1", 1, 24_901, 25_000, rnd, "train_loss"))).points(), "all there");
            assertEquals(100, ingest(c, List.of(batch("old1", 1, 25_001, 25_100, rnd, "train_loss"))).points());
            assertRollupsMatchRaw(c);
            List<Downsample.Point> r = store.read(c, "old1", "train_loss", 0, Integer.MAX_VALUE, 500);
            assertEquals(reference(store.all(c, "old1", "train_loss"), 0, Integer.MAX_VALUE, 500), r);
        }
    }

    static String dumpOld(Connection c, String sql) throws Exception {
        StringBuilder sb = new StringBuilder();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                sb.append(rs.getString(1)).append(',').append(rs.getString(2)).append(',').append(rs.getInt(3)).append(',')
                        .append(rs.getString(4)).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void deletingARunsMetricsLeavesNothingBehind() throws Exception {
        try (Connection c = database(null)) {
            run(c, "a");
            run(c, "b");
            SplittableRandom rnd = new SplittableRandom(5);
            ingest(c, List.of(batch("a", 1, 1, 3000, rnd, "x", "y"), batch("b", 1, 1, 3000, rnd, "x")));
            c.setAutoCommit(false);
            assertEquals(2, store.deleteRun(c, "a"));
            c.commit();
            c.setAutoCommit(true);
            assertEquals(List.of(), store.names(c, "a"));
            assertEquals(3000, count(c, "SELECT count(*) FROM metric_points"));
            assertRollupsMatchRaw(c);
            // a rerun sends the same steps again with new event ids: stored afresh
            assertEquals(3000, ingest(c, List.of(batch("a", 2, 1, 3000, rnd, "x"))).points());
            try (Statement s = c.createStatement()) {
                s.execute("DELETE FROM runs WHERE id = 'b'"); // ON DELETE CASCADE to metric_series, then the trigger
            }
            assertEquals(3000, count(c, "SELECT count(*) FROM metric_points"));
            assertRollupsMatchRaw(c);
        }
    }
}
