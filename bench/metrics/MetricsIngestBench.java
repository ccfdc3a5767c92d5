import dev.tdlab.analysis.verdict.Downsample;
import dev.tdlab.devstack.Postgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Metric ingest and read-back, side by side in one run on one PostgreSQL (devstack's, PostgreSQL 17):
 * tdlab's store (analysis-service schema from its Flyway migrations; one JDBC batch per Kafka batch,
 * ON CONFLICT DO NOTHING, the processed-event row, the latest-value columns) against the way MLflow's
 * SQL store keeps the same points (one row per point in `metrics`, inserted per batch, plus its
 * `latest_metrics` upsert per key). Then a 1,000,000-point series read back as 1,000 points.
 *
 * Run: see bench/README.md. Prints a Markdown report on stdout.
 */
public class MetricsIngestBench {

    static final int STEPS_PER_BATCH = 200;
    static final String[] NAMES = {"train_loss", "grad_norm", "eval_loss", "eval_loss_stderr"};

    public static void main(String[] args) throws Exception {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 1500;
        Path root = Paths.get(args.length > 1 ? args[1] : ".").toAbsolutePath().normalize();
        Path dir = Files.createTempDirectory("metrics-bench");
        try (Postgres pg = Postgres.start(dir.resolve("pg"), 0)) {
            pg.createDatabaseIfAbsent("bench");
            try (Connection c = pg.connect("bench"); Connection cr = connectRewrite(pg)) {
                setUpTdlab(c, root);
                setUpMlflow(c);
                long points = (long) batches * STEPS_PER_BATCH * NAMES.length;
                // warm-up, then measure each twice, alternating
                tdlab(c, "warm", 50);
                mlflow(c, "warm", 50);
                double[] t = new double[3];
                double[] m = new double[3];
                for (int rep = 0; rep < 2; rep++) {
                    t[rep] = tdlab(c, "run-t" + rep, batches);
                    m[rep] = mlflow(c, "run-m" + rep, batches);
                }
                double tr = tdlab(cr, "run-r", batches);
                double tBest = Math.min(t[0], t[1]);
                double mBest = Math.min(m[0], m[1]);
                StringBuilder out = new StringBuilder();
                out.append("## Metric ingest (").append(batches).append(" batches × ").append(STEPS_PER_BATCH)
                        .append(" steps × ").append(NAMES.length).append(" metrics = ").append(points).append(" points)\n\n");
                out.append("| store | seconds (best of 2) | points/s |\n|---|---|---|\n");
                out.append(row("tdlab (JDBC batch, ON CONFLICT DO NOTHING, event id, latest values)", tBest, points));
                out.append(row("tdlab, same, with reWriteBatchedInserts=true", tr, points));
                out.append(row("MLflow SQL-store way (row per point per batch + latest_metrics upsert per key)", mBest, points));
                out.append(String.format(Locale.ROOT, "\nratio (tdlab / MLflow way, points/s): %.2f; with reWriteBatchedInserts: %.2f%n",
                        mBest / tBest, mBest / tr));

                seriesOfAMillion(c);
                out.append("\n## A 1,000,000-point series read back as 1,000 points\n\n| read | ms (median of 5) |\n|---|---|\n");
                out.append(String.format(Locale.ROOT, "| tdlab: SELECT step, value ORDER BY step + min/max buckets in Java | %.1f |%n",
                        median(5, () -> readAndDownsample(c))));
                out.append(String.format(Locale.ROOT, "| tdlab alternative: min/max buckets in SQL | %.1f |%n",
                        median(5, () -> sqlBuckets(c))));
                out.append(String.format(Locale.ROOT, "| MLflow way: full history to the client (get_metric_history) | %.1f |%n",
                        median(5, () -> fullHistory(c))));
                System.out.print(out);
            }
        }
    }

    static Connection connectRewrite(Postgres pg) throws Exception {
        return java.sql.DriverManager.getConnection(pg.jdbcUrl("bench") + "?reWriteBatchedInserts=true", pg.user(), pg.password());
    }

    static String row(String what, double secs, long points) {
        return String.format(Locale.ROOT, "| %s | %.2f | %,.0f |%n", what, secs, points / secs);
    }

    /** The analysis-service schema, from its own migrations. */
    static void setUpTdlab(Connection c, Path root) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA analysis");
            s.execute("SET search_path TO analysis");
            Path migrations = root.resolve("analysis-service/src/main/resources/db/migration");
            List<Path> files = new ArrayList<>();
            try (var list = Files.list(migrations)) {
                list.filter(p -> p.getFileName().toString().endsWith(".sql")).sorted().forEach(files::add);
            }
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

    static double tdlab(Connection c, String run, int batches) throws Exception {
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO analysis.runs (id, experiment_id, cell_id, cell_json, seed, status, total_steps) VALUES ('"
                    + run + "', 'e', '" + run + "', '{}', 0, 'RUNNING', " + batches * STEPS_PER_BATCH + ")");
        }
        SplittableRandom rnd = new SplittableRandom(1);
        c.setAutoCommit(false);
        long t0 = System.nanoTime();
        try (PreparedStatement lock = c.prepareStatement("SELECT id FROM analysis.runs WHERE id = ? FOR UPDATE");
             PreparedStatement ev = c.prepareStatement("INSERT INTO analysis.processed_events (event_id) VALUES (?) ON CONFLICT DO NOTHING");
             PreparedStatement ins = c.prepareStatement("INSERT INTO analysis.metrics (run_id, name, step, value) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
             PreparedStatement upd = c.prepareStatement("UPDATE analysis.runs SET step = ?, last_train_loss = ?, updated_at = now() WHERE id = ?")) {
            for (int b = 0; b < batches; b++) {
                lock.setString(1, run);
                lock.executeQuery().close();
                ev.setString(1, "metrics:" + run + ":1:" + b);
                ev.executeUpdate();
                double last = 0;
                for (String name : NAMES) {
                    for (int i = 0; i < STEPS_PER_BATCH; i++) {
                        last = rnd.nextDouble();
                        ins.setString(1, run);
                        ins.setString(2, name);
                        ins.setInt(3, b * STEPS_PER_BATCH + i + 1);
                        ins.setDouble(4, last);
                        ins.addBatch();
                    }
                }
                ins.executeBatch();
                upd.setInt(1, (b + 1) * STEPS_PER_BATCH);
                upd.setDouble(2, last);
                upd.setString(3, run);
                upd.executeUpdate();
                c.commit();
            }
        }
        c.setAutoCommit(true);
        return (System.nanoTime() - t0) / 1e9;
    }

    static double mlflow(Connection c, String run, int batches) throws Exception {
        SplittableRandom rnd = new SplittableRandom(1);
        c.setAutoCommit(false);
        long t0 = System.nanoTime();
        try (PreparedStatement ins = c.prepareStatement(
                "INSERT INTO mlflow.metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, false)");
             PreparedStatement sel = c.prepareStatement(
                     "SELECT step, timestamp, value FROM mlflow.latest_metrics WHERE run_uuid = ? AND key = ?");
             PreparedStatement up = c.prepareStatement("""
                     INSERT INTO mlflow.latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, false, ?)
                     ON CONFLICT (key, run_uuid) DO UPDATE SET value = EXCLUDED.value, timestamp = EXCLUDED.timestamp, step = EXCLUDED.step""")) {
            for (int b = 0; b < batches; b++) {
                long ts = System.currentTimeMillis();
                double[] last = new double[NAMES.length];
                for (int k = 0; k < NAMES.length; k++) {
                    for (int i = 0; i < STEPS_PER_BATCH; i++) {
                        last[k] = rnd.nextDouble();
                        ins.setString(1, NAMES[k]);
                        ins.setDouble(2, last[k]);
                        ins.setLong(3, ts);
                        ins.setString(4, run);
                        ins.setLong(5, b * STEPS_PER_BATCH + i + 1);
                        ins.addBatch();
                    }
                }
                ins.executeBatch();
                for (int k = 0; k < NAMES.length; k++) { // MLflow reads the latest row per key, then merges
                    sel.setString(1, run);
                    sel.setString(2, NAMES[k]);
                    sel.executeQuery().close();
                    up.setString(1, NAMES[k]);
                    up.setDouble(2, last[k]);
                    up.setLong(3, ts);
                    up.setLong(4, (long) (b + 1) * STEPS_PER_BATCH);
                    up.setString(5, run);
                    up.executeUpdate();
                }
                c.commit();
            }
        }
        c.setAutoCommit(true);
        return (System.nanoTime() - t0) / 1e9;
    }

    static void seriesOfAMillion(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO analysis.runs (id, experiment_id, cell_id, cell_json, seed, status, total_steps) VALUES ('big', 'e', 'big', '{}', 0, 'FINISHED', 1000000)");
            s.execute("INSERT INTO analysis.metrics (run_id, name, step, value) SELECT 'big', 'train_loss', g, 0.5 + 0.2 * exp(-g / 1e5) + 0.01 * random() FROM generate_series(1, 1000000) g");
            s.execute("INSERT INTO mlflow.metrics (key, value, timestamp, run_uuid, step) SELECT 'train_loss', 0.5 + 0.01 * random(), 0, 'big', g FROM generate_series(1, 1000000) g");
            s.execute("ANALYZE");
        }
    }

    static void readAndDownsample(Connection c) throws Exception {
        List<Downsample.Point> pts = new ArrayList<>(1_000_000);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT step, value FROM analysis.metrics WHERE run_id = 'big' AND name = 'train_loss' AND step BETWEEN 0 AND 2147483647 ORDER BY step")) {
            ps.setFetchSize(50_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pts.add(new Downsample.Point(rs.getInt(1), rs.getDouble(2)));
                }
            }
        }
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
