package dev.tdlab.kit;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gauges read from PostgreSQL every {@value #PERIOD_SECONDS} s on one daemon thread (never on a
 * scrape or an event-loop thread): rows and bytes (table + indexes + TOAST) of every table of this
 * service's schema ({@code tdlab_db_table_rows{table}}, {@code tdlab_db_table_bytes{table}}), and the
 * "count by state" queries other meters register ({@link #countBy}). Also runs their periodic tasks
 * ({@link #every}). Each service injects it to register its own counts.
 */
@ApplicationScoped
public class DbStats {

    private static final Logger LOG = Logger.getLogger(DbStats.class);
    /** Seconds between two reads. */
    public static final int PERIOD_SECONDS = 10;

    @Inject
    AgroalDataSource ds;
    @Inject
    MeterRegistry registry;

    private record CountBy(String meter, String tag, String sql, Map<String, AtomicLong> values) {
    }

    private final List<CountBy> counts = new CopyOnWriteArrayList<>();
    private final List<Runnable> tasks = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;

    void start(@Observes StartupEvent ev) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tdlab-db-stats");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::refresh, 1, PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent ev) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /**
     * Registers gauge {@code meter{tag=value}} = count per value of {@code sql}, which returns
     * (value, count) rows; each known value is exported from the start (0 until seen).
     */
    public void countBy(String meter, String tag, String sql, List<String> known) {
        Map<String, AtomicLong> values = new ConcurrentHashMap<>();
        CountBy c = new CountBy(meter, tag, sql, values);
        for (String k : known) {
            gauge(c, k);
        }
        counts.add(c);
    }

    /** Runs {@code task} on this class's thread every period (after the database gauges). */
    public void every(Runnable task) {
        tasks.add(task);
    }

    /** Reads everything now (also called by the timer). */
    public void refresh() {
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT relname, n_live_tup, pg_total_relation_size(relid) FROM pg_stat_user_tables
                    WHERE schemaname = current_schema()""");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String table = rs.getString(1);
                    gauge("tdlab.db.table.rows", "table", table, "Live rows of a table of this service's schema (estimate)")
                            .set(rs.getLong(2));
                    gauge("tdlab.db.table.bytes", "table", table, "Bytes of a table with its indexes and TOAST")
                            .set(rs.getLong(3));
                }
            }
            for (CountBy cb : counts) {
                Map<String, Long> seen = new HashMap<>();
                try (PreparedStatement ps = c.prepareStatement(cb.sql()); ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        seen.put(rs.getString(1), rs.getLong(2));
                    }
                }
                seen.keySet().forEach(k -> gauge(cb, k));
                cb.values().forEach((k, v) -> v.set(seen.getOrDefault(k, 0L)));
            }
        } catch (Exception e) {
            LOG.debugf("db stats: %s", e.getMessage()); // schema not migrated yet, database restarting: next time
        }
        for (Runnable t : tasks) {
            try {
                t.run();
            } catch (Exception e) {
                LOG.debugf("db stats task: %s", e.getMessage());
            }
        }
    }

    private AtomicLong gauge(CountBy cb, String value) {
        return cb.values().computeIfAbsent(value, v -> {
            AtomicLong a = new AtomicLong();
            Gauge.builder(cb.meter(), a, AtomicLong::get).tag(cb.tag(), v).register(registry);
            return a;
        });
    }

    private AtomicLong gauge(String meter, String tag, String value, String help) {
        return gauges.computeIfAbsent(meter + "/" + value, k -> {
            AtomicLong a = new AtomicLong();
            Gauge.builder(meter, a, AtomicLong::get).tag(tag, value).description(help).register(registry);
            return a;
        });
    }
}
