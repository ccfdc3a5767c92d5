package dev.tdlab.analysis.store;

import dev.tdlab.analysis.verdict.Downsample;
import dev.tdlab.analysis.verdict.StepBuckets;
import dev.tdlab.analysis.verdict.StepBuckets.Extremes;
import dev.tdlab.contracts.events.MetricBatch;
import dev.tdlab.contracts.events.MetricSeries;
import jakarta.enterprise.context.ApplicationScoped;
import org.postgresql.PGConnection;
import java.util.LinkedHashSet;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The metric points of runs, in PostgreSQL (tables of V5__metrics_fast.sql), with plain JDBC on the
 * caller's connection and inside the caller's transaction: the runs.metrics consumer (RunEvents, one
 * transaction per Kafka poll), the REST reads and bench/metrics all use this class.
 *
 * <p>Ingest ({@link #ingest}): a batch is applied at most once (its event id goes into
 * {@code processed_events} in the same transaction); points are unique per (run, name, step), first
 * write wins; NaN and ±∞ are stored as such. Every statement takes whole arrays ({@code unnest}), so a
 * call costs three round trips whatever the number of batches and points: event ids with series ids,
 * points, rollups with latest values (two statements sent together each time). Points go in with a plain
 * INSERT when no point can collide (every series' new steps are distinct and above its last stored step,
 * the normal case), else with {@code ON CONFLICT DO NOTHING RETURNING}, and the rollups are then built
 * from the points that landed.
 *
 * <p>Read ({@link #read}): a range of at most maxPoints points is returned exactly; a longer one as the
 * min and max point of each of at most maxPoints/2 step buckets ({@link StepBuckets}), computed from the
 * per-block rollups of the coarsest fitting level plus the raw points of the two partial blocks at the
 * ends: the same points as a scan of every raw point would give, for about 10,000 rows read instead of
 * 1,000,000.
 */
@ApplicationScoped
public class MetricStore {

    /** Rollup block widths in steps (table metric_rollups, column width). */
    static final int[] WIDTHS = StepBuckets.ROLLUP_WIDTHS;

    /** What {@link #ingest} applied: the batches seen for the first time (in input order) and their points. */
    public record Ingested(List<MetricBatch> applied, long points) {
    }

    /**
     * Checks what the database cannot: a metrics map, named series, steps and values of equal length,
     * no null step. A null value is stored as NaN.
     *
     * @throws IllegalArgumentException naming the problem (the message goes to the DLQ)
     */
    public static void validate(MetricBatch b) {
        if (b.metrics() == null) {
            throw new IllegalArgumentException("MetricBatch without metrics");
        }
        for (Map.Entry<String, MetricSeries> m : b.metrics().entrySet()) {
            if (m.getKey() == null || m.getKey().isBlank()) {
                throw new IllegalArgumentException("metric without a name");
            }
            MetricSeries s = m.getValue();
            if (s == null || s.steps() == null || s.values() == null) {
                throw new IllegalArgumentException("metric " + m.getKey() + ": no steps or values");
            }
            if (s.steps().size() != s.values().size()) {
                throw new IllegalArgumentException("metric " + m.getKey() + ": steps and values differ in length");
            }
            for (Integer step : s.steps()) {
                if (step == null) {
                    throw new IllegalArgumentException("metric " + m.getKey() + ": null step");
                }
            }
        }
    }

    /**
     * Applies metric batches of any runs in the caller's transaction; the caller has checked that each
     * batch's run exists (and locked it) and has {@link #validate validated} each batch. A batch whose
     * event id was applied before (or appears earlier in the list) changes nothing.
     */
    public Ingested ingest(Connection c, List<MetricBatch> batches) throws SQLException {
        Map<String, MetricBatch> byEvent = new LinkedHashMap<>();
        for (MetricBatch b : batches) {
            byEvent.putIfAbsent(b.eventId(), b);
        }
        if (byEvent.isEmpty()) {
            return new Ingested(List.of(), 0);
        }
        // round trip 1: the event ids (which batches are new) and the ids of every series the batches name
        Set<SeriesKey> keys = new LinkedHashSet<>();
        for (MetricBatch b : byEvent.values()) {
            for (String name : b.metrics().keySet()) {
                keys.add(new SeriesKey(b.runId(), name));
            }
        }
        Set<String> fresh = new HashSet<>();
        Map<SeriesKey, SeriesRow> ids = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO processed_events (event_id) SELECT unnest(?::text[]) ON CONFLICT DO NOTHING RETURNING event_id;\n"
                        + SERIES_SQL)) {
            ps.setArray(1, c.createArrayOf("text", byEvent.keySet().toArray()));
            bindKeys(c, ps, 2, keys);
            ps.execute();
            try (ResultSet rs = ps.getResultSet()) {
                while (rs.next()) {
                    fresh.add(rs.getString(1));
                }
            }
            if (!ps.getMoreResults()) {
                throw new SQLException("no result for the series ids");
            }
            try (ResultSet rs = ps.getResultSet()) {
                readSeries(rs, ids);
            }
        }
        if (ids.size() < keys.size()) { // created by a transaction that committed after our snapshot was taken
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT s.id, s.run_id, s.name, s.last_step FROM metric_series s
                    JOIN unnest(?::text[], ?::text[]) AS w(run_id, name) USING (run_id, name)""")) {
                bindKeys(c, ps, 1, keys);
                try (ResultSet rs = ps.executeQuery()) {
                    readSeries(rs, ids);
                }
            }
            if (ids.size() < keys.size()) {
                throw new SQLException("metric series not found after insert: " + keys.size() + " wanted, " + ids.size() + " found");
            }
        }
        List<MetricBatch> applied = new ArrayList<>(fresh.size());
        for (MetricBatch b : byEvent.values()) {
            if (fresh.contains(b.eventId())) {
                applied.add(b);
            }
        }
        if (applied.isEmpty()) {
            return new Ingested(List.of(), 0);
        }

        // the points, grouped by series
        Map<SeriesKey, Points> bySeries = new LinkedHashMap<>();
        for (MetricBatch b : applied) {
            for (Map.Entry<String, MetricSeries> m : b.metrics().entrySet()) {
                Points p = bySeries.computeIfAbsent(new SeriesKey(b.runId(), m.getKey()), k -> new Points());
                List<Integer> steps = m.getValue().steps();
                List<Double> values = m.getValue().values();
                for (int i = 0; i < steps.size(); i++) {
                    Double v = values.get(i);
                    p.add(steps.get(i), v == null ? Double.NaN : v);
                }
            }
        }

        int total = 0;
        boolean collisionPossible = false;
        for (Map.Entry<SeriesKey, Points> e : bySeries.entrySet()) {
            Points p = e.getValue();
            total += p.n;
            Integer last = ids.get(e.getKey()).lastStep();
            collisionPossible |= p.n > 0 && ((last != null && p.minStep() <= last) || p.hasDuplicateSteps());
        }
        int[] sid = new int[total];
        int[] step = new int[total];
        double[] value = new double[total];
        int k = 0;
        for (Map.Entry<SeriesKey, Points> e : bySeries.entrySet()) {
            Points p = e.getValue();
            Arrays.fill(sid, k, k + p.n, ids.get(e.getKey()).id());
            System.arraycopy(p.steps, 0, step, k, p.n);
            System.arraycopy(p.values, 0, value, k, p.n);
            k += p.n;
        }

        Map<Integer, Points> landed = new LinkedHashMap<>();
        if (!collisionPossible) {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO metric_points (series_id, step, value) SELECT * FROM unnest(?::int4[], ?::int4[], ?::float8[])")) {
                bindPoints(c, ps, sid, step, value);
                ps.executeUpdate();
            }
            for (Map.Entry<SeriesKey, Points> e : bySeries.entrySet()) {
                landed.put(ids.get(e.getKey()).id(), e.getValue());
            }
        } else {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO metric_points (series_id, step, value) SELECT * FROM unnest(?::int4[], ?::int4[], ?::float8[])
                    ON CONFLICT DO NOTHING RETURNING series_id, step, value""")) {
                bindPoints(c, ps, sid, step, value);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        landed.computeIfAbsent(rs.getInt(1), x -> new Points()).add(rs.getInt(2), rs.getDouble(3));
                    }
                }
            }
        }
        int stored = 0;
        for (Points p : landed.values()) {
            stored += p.n;
        }
        if (stored > 0) { // round trip 3: rollups and latest values, two statements sent together
            try (PreparedStatement ps = c.prepareStatement(ROLLUPS_SQL + ";\n" + LATEST_SQL)) {
                bindRollups(c, ps, landed);
                bindLatest(c, ps, 9, landed);
                ps.execute();
            }
        }
        return new Ingested(applied, stored);
    }

    /**
     * Ids of the series (run, name) of the arrays bound at its two parameters, created if new, with their last
     * stored step: the inserted rows come from RETURNING, the others from the statement's snapshot.
     */
    private static final String SERIES_SQL = """
            WITH want AS (SELECT * FROM unnest(?::text[], ?::text[]) AS w(run_id, name)),
                 ins AS (INSERT INTO metric_series (run_id, name) SELECT run_id, name FROM want
                         ON CONFLICT DO NOTHING RETURNING id, run_id, name, last_step)
            SELECT id, run_id, name, last_step FROM ins
            UNION ALL
            SELECT s.id, s.run_id, s.name, s.last_step FROM metric_series s JOIN want w USING (run_id, name)""";

    private static void bindKeys(Connection c, PreparedStatement ps, int at, Set<SeriesKey> keys) throws SQLException {
        String[] runs = new String[keys.size()];
        String[] names = new String[keys.size()];
        int i = 0;
        for (SeriesKey key : keys) {
            runs[i] = key.runId();
            names[i++] = key.name();
        }
        ps.setArray(at, c.createArrayOf("text", runs));
        ps.setArray(at + 1, c.createArrayOf("text", names));
    }

    private static void readSeries(ResultSet rs, Map<SeriesKey, SeriesRow> out) throws SQLException {
        while (rs.next()) {
            int last = rs.getInt(4);
            out.put(new SeriesKey(rs.getString(2), rs.getString(3)), new SeriesRow(rs.getInt(1), rs.wasNull() ? null : last));
        }
    }

    private static void bindPoints(Connection c, PreparedStatement ps, int[] sid, int[] step, double[] value) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class); // primitive arrays: sent in binary, doubles bit-exact
        ps.setArray(1, pg.createArrayOf("int4", sid));
        ps.setArray(2, pg.createArrayOf("int4", step));
        ps.setArray(3, pg.createArrayOf("float8", value));
    }

    /** Merges points into the per-block extremes of every level: same order and tie rule as StepBuckets.Extremes.merge. */
    private static final String ROLLUPS_SQL = """
            INSERT INTO metric_rollups AS r (series_id, width, block, n, min_step, min_value, max_step, max_value)
            SELECT * FROM unnest(?::int4[], ?::int4[], ?::int4[], ?::int4[], ?::int4[], ?::float8[], ?::int4[], ?::float8[])
            ON CONFLICT (series_id, width, block) DO UPDATE SET
              n = r.n + EXCLUDED.n,
              min_step = CASE WHEN EXCLUDED.min_value < r.min_value OR (EXCLUDED.min_value = r.min_value AND EXCLUDED.min_step < r.min_step)
                              THEN EXCLUDED.min_step ELSE r.min_step END,
              min_value = CASE WHEN EXCLUDED.min_value < r.min_value OR (EXCLUDED.min_value = r.min_value AND EXCLUDED.min_step < r.min_step)
                               THEN EXCLUDED.min_value ELSE r.min_value END,
              max_step = CASE WHEN EXCLUDED.max_value > r.max_value OR (EXCLUDED.max_value = r.max_value AND EXCLUDED.max_step < r.max_step)
                              THEN EXCLUDED.max_step ELSE r.max_step END,
              max_value = CASE WHEN EXCLUDED.max_value > r.max_value OR (EXCLUDED.max_value = r.max_value AND EXCLUDED.max_step < r.max_step)
                               THEN EXCLUDED.max_value ELSE r.max_value END""";

    /** Binds the landed points' block extremes at parameters 1..8 of {@link #ROLLUPS_SQL}. */
    private static void bindRollups(Connection c, PreparedStatement ps, Map<Integer, Points> landed) throws SQLException {
        List<int[]> keys = new ArrayList<>();
        List<Extremes> ext = new ArrayList<>();
        for (Map.Entry<Integer, Points> e : landed.entrySet()) {
            Points p = e.getValue();
            for (int w : WIDTHS) {
                for (Map.Entry<Integer, Extremes> b : StepBuckets.blocks(p.steps, p.values, 0, p.n, w).entrySet()) {
                    keys.add(new int[] {e.getKey(), w, b.getKey()});
                    ext.add(b.getValue());
                }
            }
        }
        int n = keys.size();
        int[] sid = new int[n], width = new int[n], block = new int[n], count = new int[n], minStep = new int[n], maxStep = new int[n];
        double[] minValue = new double[n], maxValue = new double[n];
        for (int i = 0; i < n; i++) {
            sid[i] = keys.get(i)[0];
            width[i] = keys.get(i)[1];
            block[i] = keys.get(i)[2];
            Extremes x = ext.get(i);
            count[i] = x.n();
            minStep[i] = x.minStep();
            minValue[i] = x.minValue();
            maxStep[i] = x.maxStep();
            maxValue[i] = x.maxValue();
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        ps.setArray(1, pg.createArrayOf("int4", sid));
        ps.setArray(2, pg.createArrayOf("int4", width));
        ps.setArray(3, pg.createArrayOf("int4", block));
        ps.setArray(4, pg.createArrayOf("int4", count));
        ps.setArray(5, pg.createArrayOf("int4", minStep));
        ps.setArray(6, pg.createArrayOf("float8", minValue));
        ps.setArray(7, pg.createArrayOf("int4", maxStep));
        ps.setArray(8, pg.createArrayOf("float8", maxValue));
    }

    /** Each series' first step and latest point (its highest step) in metric_series. */
    private static final String LATEST_SQL = """
            UPDATE metric_series s SET
              first_step = CASE WHEN s.first_step IS NULL OR u.first < s.first_step THEN u.first ELSE s.first_step END,
              last_step = CASE WHEN s.last_step IS NULL OR u.step > s.last_step THEN u.step ELSE s.last_step END,
              last_value = CASE WHEN s.last_step IS NULL OR u.step > s.last_step THEN u.value ELSE s.last_value END
            FROM unnest(?::int4[], ?::int4[], ?::int4[], ?::float8[]) AS u(id, first, step, value)
            WHERE s.id = u.id AND (s.last_step IS NULL OR u.step > s.last_step OR u.first < s.first_step)""";

    /** Binds each series' first step and latest landed point at parameters at..at+3 of {@link #LATEST_SQL}. */
    private static void bindLatest(Connection c, PreparedStatement ps, int at, Map<Integer, Points> landed) throws SQLException {
        int n = 0;
        for (Points p : landed.values()) {
            n += p.n > 0 ? 1 : 0;
        }
        int[] sid = new int[n];
        int[] first = new int[n];
        int[] step = new int[n];
        double[] value = new double[n];
        int i = 0;
        for (Map.Entry<Integer, Points> e : landed.entrySet()) {
            Points p = e.getValue();
            if (p.n == 0) {
                continue;
            }
            int last = 0;
            for (int j = 1; j < p.n; j++) {
                if (p.steps[j] > p.steps[last]) {
                    last = j;
                }
            }
            sid[i] = e.getKey();
            first[i] = p.minStep();
            step[i] = p.steps[last];
            value[i++] = p.values[last];
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        ps.setArray(at, pg.createArrayOf("int4", sid));
        ps.setArray(at + 1, pg.createArrayOf("int4", first));
        ps.setArray(at + 2, pg.createArrayOf("int4", step));
        ps.setArray(at + 3, pg.createArrayOf("float8", value));
    }

    /** Names of the metrics a run has reported, sorted. */
    public List<String> names(Connection c, String runId) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM metric_series WHERE run_id = ? ORDER BY name")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** The latest point (highest step) of each metric of a run, by name. */
    public Map<String, Downsample.Point> latest(Connection c, String runId) throws SQLException {
        Map<String, Downsample.Point> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT name, last_step, last_value FROM metric_series WHERE run_id = ? AND last_step IS NOT NULL ORDER BY name")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new Downsample.Point(rs.getInt(2), rs.getDouble(3)));
                }
            }
        }
        return out;
    }

    /** Every point of one metric of a run, in step order (empty if the run never reported it). */
    public List<Downsample.Point> all(Connection c, String runId, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT p.step, p.value FROM metric_series s JOIN metric_points p ON p.series_id = s.id
                WHERE s.run_id = ? AND s.name = ? ORDER BY p.step""")) {
            ps.setString(1, runId);
            ps.setString(2, name);
            List<Downsample.Point> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Downsample.Point(rs.getInt(1), rs.getDouble(2)));
                }
            }
            return out;
        }
    }

    /**
     * Points of one metric of a run with steps in [from, to], at most {@code maxPoints} (≥ 2): every point
     * if there are that few, else the min and max point of each step bucket of {@link StepBuckets#plan}
     * over [max(from, first step), min(to, last step)]. Empty if the run never reported the metric.
     *
     * <p>No query here depends on the planner's row estimates (a LIMIT or min() over a series that grew
     * since the last ANALYZE can turn into a scan of all its rows): each one reads exactly the rows it
     * returns, and those are bounded by the rollup blocks in range, two partial blocks and maxPoints.
     */
    public List<Downsample.Point> read(Connection c, String runId, String name, int from, int to, int maxPoints) throws SQLException {
        if (maxPoints < 2) {
            throw new IllegalArgumentException("maxPoints must be at least 2");
        }
        int id;
        int lo;
        int hi;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, first_step, last_step FROM metric_series WHERE run_id = ? AND name = ?")) {
            ps.setString(1, runId);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return List.of();
                }
                id = rs.getInt(1);
                lo = Math.max(from, rs.getInt(2));
                if (rs.wasNull()) {
                    return List.of();
                }
                hi = Math.min(to, rs.getInt(3));
            }
        }
        if (lo > hi) {
            return List.of();
        }
        if ((long) hi - lo < maxPoints) { // at most maxPoints steps, so at most maxPoints points
            return raw(c, id, lo, hi);
        }
        StepBuckets.Plan plan = StepBuckets.plan(lo, hi, maxPoints, WIDTHS);
        long first = plan.firstFullBlock();
        long last = plan.lastFullBlock();
        List<Extremes> parts = new ArrayList<>();
        if (plan.width() == 1 || first > last) { // a short range: fewer than 15 · maxPoints steps
            List<Downsample.Point> pts = raw(c, id, lo, hi);
            if (pts.size() <= maxPoints) {
                return pts;
            }
            for (Downsample.Point p : pts) {
                parts.add(Extremes.of(p.step(), p.value()));
            }
            return StepBuckets.fold(parts, plan);
        }
        long w = plan.width();
        long points = 0;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT step, value, step, value, 1 FROM metric_points WHERE series_id = ? AND step BETWEEN ? AND ?
                UNION ALL
                SELECT min_step, min_value, max_step, max_value, n FROM metric_rollups
                WHERE series_id = ? AND width = ? AND block BETWEEN ? AND ?
                UNION ALL
                SELECT step, value, step, value, 1 FROM metric_points WHERE series_id = ? AND step BETWEEN ? AND ?""")) {
            ps.setInt(1, id);
            ps.setInt(2, lo);
            ps.setLong(3, first * w - 1);     // the partial block before the first whole one
            ps.setInt(4, id);
            ps.setInt(5, plan.width());
            ps.setLong(6, first);
            ps.setLong(7, last);
            ps.setInt(8, id);
            ps.setLong(9, (last + 1) * w);    // the partial block after the last whole one
            ps.setInt(10, hi);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    parts.add(new Extremes(rs.getInt(1), rs.getDouble(2), rs.getInt(3), rs.getDouble(4), rs.getInt(5)));
                    points += rs.getInt(5);
                }
            }
        }
        if (points <= maxPoints) { // few points over a long range: all of them, exactly
            return raw(c, id, lo, hi);
        }
        return StepBuckets.fold(parts, plan);
    }

    private static List<Downsample.Point> raw(Connection c, int seriesId, int lo, int hi) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT step, value FROM metric_points WHERE series_id = ? AND step BETWEEN ? AND ? ORDER BY step")) {
            ps.setInt(1, seriesId);
            ps.setInt(2, lo);
            ps.setInt(3, hi);
            List<Downsample.Point> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Downsample.Point(rs.getInt(1), rs.getDouble(2)));
                }
            }
            return out;
        }
    }

    /** Deletes every metric of a run (its series; a trigger removes their points and rollups). */
    public int deleteRun(Connection c, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM metric_series WHERE run_id = ?")) {
            ps.setString(1, runId);
            return ps.executeUpdate();
        }
    }

    record SeriesKey(String runId, String name) {
    }

    record SeriesRow(int id, Integer lastStep) {
    }

    /** A growable list of (step, value). */
    static final class Points {
        int[] steps = new int[256];
        double[] values = new double[256];
        int n;

        void add(int step, double value) {
            if (n == steps.length) {
                steps = Arrays.copyOf(steps, 2 * n);
                values = Arrays.copyOf(values, 2 * n);
            }
            steps[n] = step;
            values[n++] = value;
        }

        int minStep() {
            int m = Integer.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                m = Math.min(m, steps[i]);
            }
            return m;
        }

        boolean hasDuplicateSteps() {
            int[] s = Arrays.copyOf(steps, n);
            Arrays.sort(s);
            for (int i = 1; i < n; i++) {
                if (s[i] == s[i - 1]) {
                    return true;
                }
            }
            return false;
        }
    }
}
