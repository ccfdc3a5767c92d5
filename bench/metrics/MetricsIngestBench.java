import dev.tdlab.analysis.store.MetricStore;
import dev.tdlab.analysis.verdict.Downsample;
import dev.tdlab.analysis.verdict.StepBuckets;
import dev.tdlab.contracts.events.MetricBatch;
import dev.tdlab.contracts.events.MetricSeries;
import dev.tdlab.devstack.Postgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Metric ingest and read-back, side by side in one run on one PostgreSQL (devstack's, PostgreSQL 17):
 * tdlab's store (analysis-service schema from its Flyway migrations; analysis-service's own
 * store/MetricStore, the class the runs.metrics consumer and GET /runs/{id}/metrics use) against the way
 * MLflow's SQL store keeps the same points (one row per point in `metrics`, inserted per batch, plus its
 * `latest_metrics` upsert per key). Then a 1,000,000-point series read back as 1,000 points.
 *
 * Run: see bench/README.md. Prints a Markdown report on stdout.
 */
public class MetricsIngestBench {

    static final int STEPS_PER_BATCH = 200;
    static final int BATCHES_PER_POLL = 20;
    static final String[] NAMES = {"train_loss", "grad_norm", "eval_loss", "eval_loss_stderr"};
    static final MetricStore STORE = new MetricStore();

    public static void main(String[] args) throws Exception {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 1500;
        Path root = Paths.get(args.length > 1 ? args[1] : ".").toAbsolutePath().normalize();
        Path dir = Files.createTempDirectory("metrics-bench");
        // two servers, measured alternately: devstack's durable settings (what the lab runs) and, for the cost of
        // durability, zonky's old defaults (fsync off, synchronous_commit off) that devstack ran with until 2026-12-04
        try (Postgres pg = Postgres.start(dir.resolve("pg"), 0);
             Postgres old = Postgres.start(dir.resolve("pg-old"), 0, true,
                     Map.of("fsync", "off", "synchronous_commit", "off"))) {
            pg.createDatabaseIfAbsent("bench");
            old.createDatabaseIfAbsent("bench");
            try (Connection c = pg.connect("bench"); Connection o = old.connect("bench")) {
                StringBuilder out = new StringBuilder();
                out.append("Servers: durable (").append(settings(c)).append(") and old (").append(settings(o)).append(")\n\n");
                setUpTdlab(c, root);
                setUpMlflow(c);
                setUpTdlab(o, root);
                setUpMlflow(o);
                long points = (long) batches * STEPS_PER_BATCH * NAMES.length;
                // warm-up, then measure each twice, alternating (durable, old, durable, old)
                Connection[] servers = {c, o};
                for (Connection x : servers) {
                    tdlab(x, "warm-t", data("warm-t", 50), 1);
                    tdlab(x, "warm-p", data("warm-p", 50), BATCHES_PER_POLL);
                    mlflow(x, "warm-m", data("warm-m", 50));
                }
                double[][] t = new double[2][2];
                double[][] p = new double[2][2];
                double[][] m = new double[2][2];
                for (int rep = 0; rep < 2; rep++) {
                    for (int k = 0; k < 2; k++) {
                        t[k][rep] = tdlab(servers[k], "run-t" + rep, data("run-t" + rep, batches), 1);
                        p[k][rep] = tdlab(servers[k], "run-p" + rep, data("run-p" + rep, batches), BATCHES_PER_POLL);
                        m[k][rep] = mlflow(servers[k], "run-m" + rep, data("run-m" + rep, batches));
                    }
                }
                // a redelivery of every batch of a measured run: nothing may change
                long before = count(c, "run-t0");
                double redelivered = tdlab(c, "run-t0", data("run-t0", batches), BATCHES_PER_POLL);
                long after = count(c, "run-t0");
                if (before != after || before != points) {
                    throw new IllegalStateException("redelivery changed the store: " + before + " → " + after);
                }
                String[] label = {"durable", "old (fsync off, synchronous_commit off)"};
                double[] tBest = {Math.min(t[0][0], t[0][1]), Math.min(t[1][0], t[1][1])};
                double[] pBest = {Math.min(p[0][0], p[0][1]), Math.min(p[1][0], p[1][1])};
                double[] mBest = {Math.min(m[0][0], m[0][1]), Math.min(m[1][0], m[1][1])};
                out.append("## Metric ingest (").append(batches).append(" batches × ").append(STEPS_PER_BATCH)
                        .append(" steps × ").append(NAMES.length).append(" metrics = ").append(points).append(" points)\n\n");
                out.append("| store | server | seconds (best of 2) | points/s |\n|---|---|---|---|\n");
                for (int k = 0; k < 2; k++) {
                    out.append(row("tdlab MetricStore, one transaction per batch (run lock, event id, points, rollups, latest values, run row)", label[k], tBest[k], points));
                }
                for (int k = 0; k < 2; k++) {
                    out.append(row("tdlab MetricStore, one transaction per " + BATCHES_PER_POLL + " batches (the consumer's per-poll transaction)", label[k], pBest[k], points));
                }
                for (int k = 0; k < 2; k++) {
                    out.append(row("MLflow SQL-store way (row per point per batch + latest_metrics upsert per key), one transaction per batch", label[k], mBest[k], points));
                }
                out.append(String.format(Locale.ROOT, "| tdlab, the same %d batches redelivered (nothing stored; checked) | durable | %.2f | (%,.0f batches/s) |%n",
                        batches, redelivered, batches / redelivered));
                out.append(String.format(Locale.ROOT, "%ndurable / old (points/s): tdlab per batch %.2f; tdlab per poll %.2f; MLflow way %.2f%n",
                        tBest[1] / tBest[0], pBest[1] / pBest[0], mBest[1] / mBest[0]));
                out.append(String.format(Locale.ROOT, "ratio (tdlab / MLflow way, points/s, durable): %.2f per batch; %.2f per poll%n",
                        mBest[0] / tBest[0], mBest[0] / pBest[0]));
                out.append("\nAll rounds (seconds; durable, old): ");
                for (int rep = 0; rep < 2; rep++) {
                    out.append(String.format(Locale.ROOT, "round %d: per batch %.2f, %.2f; per poll %.2f, %.2f; MLflow %.2f, %.2f. ",
                            rep + 1, t[0][rep], t[1][rep], p[0][rep], p[1][rep], m[0][rep], m[1][rep]));
                }
                out.append('\n');

                seriesOfAMillion(c);
                out.append("\n## A 1,000,000-point series read back as at most 1,000 points\n\n| read | ms (median of 7) | points |\n|---|---|---|\n");
                double fresh = median(7, () -> STORE.read(c, "big", "train_loss", 0, Integer.MAX_VALUE, 1000));
                try (Statement s = c.createStatement()) {
                    s.execute("VACUUM ANALYZE");
                }
                List<Downsample.Point> pts = STORE.read(c, "big", "train_loss", 0, Integer.MAX_VALUE, 1000);
                check(c, pts);
                out.append(String.format(Locale.ROOT, "| tdlab: MetricStore.read, the GET /runs/{id}/metrics path (rollups + edge points), right after ingest (no ANALYZE yet) | %.1f | %d |%n",
                        fresh, pts.size()));
                out.append(String.format(Locale.ROOT, "| tdlab: the same after VACUUM ANALYZE | %.1f | %d |%n",
                        median(7, () -> STORE.read(c, "big", "train_loss", 0, Integer.MAX_VALUE, 1000)), pts.size()));
                out.append(String.format(Locale.ROOT, "| tdlab: MetricStore.read of steps 250,001–750,000 | %.1f | %d |%n",
                        median(7, () -> STORE.read(c, "big", "train_loss", 250_001, 750_000, 1000)),
                        STORE.read(c, "big", "train_loss", 250_001, 750_000, 1000).size()));
                out.append(String.format(Locale.ROOT, "| tdlab: MetricStore.read of steps 500,001–501,000 (exact points) | %.1f | %d |%n",
                        median(7, () -> STORE.read(c, "big", "train_loss", 500_001, 501_000, 1000)),
                        STORE.read(c, "big", "train_loss", 500_001, 501_000, 1000).size()));
                out.append(String.format(Locale.ROOT, "| before: every point to Java, min/max buckets there | %.1f | |%n",
                        median(7, () -> readAndDownsample(c))));
                out.append(String.format(Locale.ROOT, "| before, alternative: min/max buckets in SQL over the raw rows | %.1f | |%n",
                        median(7, () -> sqlBuckets(c))));
                out.append(String.format(Locale.ROOT, "| MLflow way: full history to the client (get_metric_history) | %.1f | |%n",
                        median(7, () -> fullHistory(c))));
                System.out.print(out);
            }
        }
    }

    static String row(String what, String server, double secs, long points) {
        return String.format(Locale.ROOT, "| %s | %s | %.2f | %,.0f |%n", what, server, secs, points / secs);
    }

    /** The server's durability settings, as SHOW reports them. */
    static String settings(Connection c) throws Exception {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            for (String name : List.of("fsync", "synchronous_commit", "full_page_writes", "wal_sync_method")) {
                try (ResultSet rs = s.executeQuery("SHOW " + name)) {
                    rs.next();
                    out.add(name + "=" + rs.getString(1));
                }
            }
        }
        return String.join(", ", out);
    }

    /** The analysis-service schema, from its own migrations (in version order). */
    static void setUpTdlab(Connection c, Path root) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA analysis");
            s.execute("SET search_path TO analysis");
            Path migrations = root.resolve("analysis-service/src/main/resources/db/migration");
            List<Path> files = new ArrayList<>();
            try (var list = Files.list(migrations)) {
                list.filter(p -> p.getFileName().toString().matches("V\\d+__.*\\.sql")).forEach(files::add);
            }
            files.sort(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().replaceAll("^V(\\d+)__.*", "$1"))));
            for (Path f : files) {
                s.execute(Files.readString(f));
            }
            s.execute("INSERT INTO experiments (id, name, status, spec_json, run_count) VALUES ('e', 'bench', 'RUNNING', '{}', 1)");
        }
    }

    /** MLflow's SQL store tables for metrics (mlflow/store/tracking/dbmodels). */
    static void setUpMlflow(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA mlflow");
            s.execute("""
                    CREATE TABLE mlflow.metrics (key VARCHAR(250) NOT NULL, value DOUBLE PRECISION NOT NULL,
                      timestamp BIGINT NOT NULL, run_uuid VARCHAR(32) NOT NULL, step BIGINT NOT NULL DEFAULT 0,
                      is_nan BOOLEAN NOT NULL DEFAULT false,
                      PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan))""");
            s.execute("""
                    CREATE TABLE mlflow.latest_metrics (key VARCHAR(250) NOT NULL, value DOUBLE PRECISION NOT NULL,
                      timestamp BIGINT, step BIGINT NOT NULL, is_nan BOOLEAN NOT NULL, run_uuid VARCHAR(32) NOT NULL,
                      PRIMARY KEY (key, run_uuid))""");
        }
    }

    /** The batches a trainer would send for one run (same values for every store: seed 1). */
    static List<MetricBatch> data(String run, int batches) {
        SplittableRandom rnd = new SplittableRandom(1);
        List<MetricBatch> out = new ArrayList<>(batches);
        for (int b = 0; b < batches; b++) {
            int from = b * STEPS_PER_BATCH + 1;
            int to = from + STEPS_PER_BATCH - 1;
            Map<String, MetricSeries> m = new LinkedHashMap<>();
            for (String name : NAMES) {
                List<Integer> steps = new ArrayList<>(STEPS_PER_BATCH);
                List<Double> values = new ArrayList<>(STEPS_PER_BATCH);
                for (int s = from; s <= to; s++) {
                    steps.add(s);
                    values.add(rnd.nextDouble());
                }
                m.put(name, new MetricSeries(steps, values));
            }
            out.add(MetricBatch.of(run, "e", 1, from, to, m));
        }
        return out;
    }

    static void createRun(Connection c, String run, int steps) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO analysis.runs (id, experiment_id, cell_id, cell_json, seed, status, total_steps)
                VALUES (?, 'e', ?, '{}', 0, 'RUNNING', ?) ON CONFLICT DO NOTHING""")) {
            ps.setString(1, run);
            ps.setString(2, run);
            ps.setInt(3, steps);
            ps.executeUpdate();
        }
    }

    /**
     * What the runs.metrics consumer does per transaction (RunEvents.onMetrics without the live-stream
     * journal row): lock the run row, MetricStore.ingest, update the run's step and latest losses.
     */
    static double tdlab(Connection c, String run, List<MetricBatch> batches, int perTransaction) throws Exception {
        c.setAutoCommit(true);
        createRun(c, run, batches.size() * STEPS_PER_BATCH);
        c.setAutoCommit(false);
        long t0 = System.nanoTime();
        try (PreparedStatement lock = c.prepareStatement("SELECT id FROM analysis.runs WHERE id = ? FOR UPDATE");
             PreparedStatement upd = c.prepareStatement(
                     "UPDATE analysis.runs SET step = GREATEST(step, ?), last_train_loss = ?, updated_at = now() WHERE id = ?")) {
            for (int i = 0; i < batches.size(); i += perTransaction) {
                List<MetricBatch> poll = batches.subList(i, Math.min(batches.size(), i + perTransaction));
                lock.setString(1, run);
                lock.executeQuery().close();
                MetricStore.Ingested done = STORE.ingest(c, poll);
                if (!done.applied().isEmpty()) {
                    MetricBatch last = done.applied().get(done.applied().size() - 1);
                    List<Double> tl = last.metrics().get("train_loss").values();
                    upd.setInt(1, last.toStep());
                    upd.setDouble(2, tl.get(tl.size() - 1));
                    upd.setString(3, run);
                    upd.executeUpdate();
                }
                c.commit();
            }
        }
        c.setAutoCommit(true);
        return (System.nanoTime() - t0) / 1e9;
    }

    static double mlflow(Connection c, String run, List<MetricBatch> batches) throws Exception {
        c.setAutoCommit(false);
        long t0 = System.nanoTime();
        try (PreparedStatement ins = c.prepareStatement(
                "INSERT INTO mlflow.metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, false)");
             PreparedStatement sel = c.prepareStatement(
                     "SELECT step, timestamp, value FROM mlflow.latest_metrics WHERE run_uuid = ? AND key = ?");
             PreparedStatement up = c.prepareStatement("""
                     INSERT INTO mlflow.latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, false, ?)
                     ON CONFLICT (key, run_uuid) DO UPDATE SET value = EXCLUDED.value, timestamp = EXCLUDED.timestamp, step = EXCLUDED.step""")) {
            for (MetricBatch b : batches) {
                long ts = System.currentTimeMillis();
                for (Map.Entry<String, MetricSeries> e : b.metrics().entrySet()) {
                    List<Integer> steps = e.getValue().steps();
                    List<Double> values = e.getValue().values();
                    for (int i = 0; i < steps.size(); i++) {
                        ins.setString(1, e.getKey());
                        ins.setDouble(2, values.get(i));
                        ins.setLong(3, ts);
                        ins.setString(4, run);
                        ins.setLong(5, steps.get(i));
                        ins.addBatch();
                    }
                }
                ins.executeBatch();
                for (Map.Entry<String, MetricSeries> e : b.metrics().entrySet()) { // MLflow reads the latest row per key, then merges
                    List<Double> values = e.getValue().values();
                    sel.setString(1, run);
                    sel.setString(2, e.getKey());
                    sel.executeQuery().close();
                    up.setString(1, e.getKey());
                    up.setDouble(2, values.get(values.size() - 1));
                    up.setLong(3, ts);
                    up.setLong(4, b.toStep());
                    up.setString(5, run);
                    up.executeUpdate();
                }
                c.commit();
            }
        }
        c.setAutoCommit(true);
        return (System.nanoTime() - t0) / 1e9;
    }

    static long count(Connection c, String run) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM analysis.metrics WHERE run_id = ?")) {
            ps.setString(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** A 1,000,000-step train_loss series, stored through MetricStore (10,000 steps a batch) and the MLflow way. */
    static void seriesOfAMillion(Connection c) throws Exception {
        createRun(c, "big", 1_000_000);
        SplittableRandom rnd = new SplittableRandom(7);
        c.setAutoCommit(false);
        for (int from = 1; from <= 1_000_000; from += 10_000) {
            List<Integer> steps = new ArrayList<>(10_000);
            List<Double> values = new ArrayList<>(10_000);
            for (int s = from; s < from + 10_000; s++) {
                steps.add(s);
                values.add(0.5 + 0.2 * Math.exp(-s / 1e5) + 0.01 * rnd.nextDouble());
            }
            STORE.ingest(c, List.of(MetricBatch.of("big", "e", 1, from, from + 9_999, Map.of("train_loss", new MetricSeries(steps, values)))));
            c.commit();
        }
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO mlflow.metrics (key, value, timestamp, run_uuid, step) SELECT 'train_loss', 0.5 + 0.01 * random(), 0, 'big', g FROM generate_series(1, 1000000) g");
        }
    }

    /**
     * The read keeps at most 1,000 points and they are exactly the min and max of each bucket of its plan,
     * computed here from all 1,000,000 raw points (brute force).
     */
    static void check(Connection c, List<Downsample.Point> pts) throws Exception {
        if (pts.size() > 1000) {
            throw new IllegalStateException("too many points: " + pts.size());
        }
        List<Downsample.Point> raw = STORE.all(c, "big", "train_loss");
        StepBuckets.Plan plan = StepBuckets.plan(raw.get(0).step(), raw.get(raw.size() - 1).step(), 1000, StepBuckets.ROLLUP_WIDTHS);
        List<StepBuckets.Extremes> parts = new ArrayList<>(raw.size());
        for (Downsample.Point p : raw) {
            parts.add(StepBuckets.Extremes.of(p.step(), p.value()));
        }
        if (!StepBuckets.fold(parts, plan).equals(pts)) {
            throw new IllegalStateException("the read differs from the brute-force buckets");
        }
    }

    static void readAndDownsample(Connection c) throws Exception {
        List<Downsample.Point> pts = new ArrayList<>(1_000_000);
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT step, value FROM analysis.metrics WHERE run_id = 'big' AND name = 'train_loss' AND step BETWEEN 0 AND 2147483647 ORDER BY step")) {
            ps.setFetchSize(50_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pts.add(new Downsample.Point(rs.getInt(1), rs.getDouble(2)));
                }
            }
        }
        c.commit();
        c.setAutoCommit(true);
        if (Downsample.minMax(pts, 1000).size() > 1000) {
            throw new IllegalStateException("too many points");
        }
    }

    static void sqlBuckets(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT width_bucket(step, 1, 1000001, 500) AS b, min(value), max(value), min(step), max(step)
                FROM analysis.metrics WHERE run_id = 'big' AND name = 'train_loss' GROUP BY b ORDER BY b""")) {
            int n = 0;
            while (rs.next()) {
                n++;
            }
            if (n > 500) {
                throw new IllegalStateException("buckets " + n);
            }
        }
    }

    static void fullHistory(Connection c) throws Exception {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT key, value, timestamp, step, is_nan FROM mlflow.metrics WHERE run_uuid = 'big' AND key = 'train_loss'")) {
            ps.setFetchSize(50_000);
            try (ResultSet rs = ps.executeQuery()) {
                int n = 0;
                while (rs.next()) {
                    n++;
                }
                if (n != 1_000_000) {
                    throw new IllegalStateException("rows " + n);
                }
            }
        }
        c.commit();
        c.setAutoCommit(true);
    }

    interface Work {
        void run() throws Exception;
    }

    static double median(int reps, Work w) throws Exception {
        w.run();
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            w.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        java.util.Arrays.sort(ms);
        return ms[reps / 2];
    }
}
