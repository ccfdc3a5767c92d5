package dev.tdlab.analysis.store;

import dev.tdlab.analysis.verdict.Downsample;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.hibernate.Session;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The queries behind the dashboard: each cell's fingerprint (what its aggregate depends on, hashed by the database),
 * the runs of some cells, the metric names an experiment's runs reported, and the run search across experiments.
 */
@ApplicationScoped
public class DashboardStore {

    @Inject
    EntityManager em;

    /**
     * Per cell of the experiment, in cell order: an MD5 of every run field its aggregate and the claims read (status,
     * attempt, verdict, losses, convergence step, baselines, findings). Equal fingerprints mean an equal aggregate.
     */
    public Map<String, String> cellFingerprints(String experimentId) {
        return cellFingerprints(experimentId, null);
    }

    /** The fingerprints of these cells only (null: every cell). */
    public Map<String, String> cellFingerprints(String experimentId, Collection<String> cellIds) {
        var query = em.createNativeQuery("""
                        SELECT cell_id, md5(string_agg(concat_ws('|', id, seed, status, attempt, verdict, final_eval_loss,
                                   final_train_loss, convergence_step, entropy_rate, unigram_entropy, optimal_loss,
                                   order_losses_json, md5(findings_json)), ';' ORDER BY seed, id))
                        FROM runs WHERE experiment_id = ?1""" + (cellIds == null ? "" : " AND cell_id IN (?2)")
                        + " GROUP BY cell_id ORDER BY cell_id")
                .setParameter(1, experimentId);
        if (cellIds != null) {
            if (cellIds.isEmpty()) {
                return Map.of();
            }
            query.setParameter(2, List.copyOf(cellIds));
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = query.getResultList();
        Map<String, String> out = new LinkedHashMap<>();
        for (Object[] r : rows) {
            out.put((String) r[0], (String) r[1]);
        }
        return out;
    }

    /** The runs of these cells of the experiment, by cell then seed (the order of ExperimentStore.runs). */
    public List<RunEntity> runsOfCells(String experimentId, Collection<String> cellIds) {
        if (cellIds.isEmpty()) {
            return List.of();
        }
        return RunEntity.list("experimentId = ?1 and cellId in ?2", Sort.by("cellId").and("seed"), experimentId,
                List.copyOf(cellIds));
    }

    /** One metric's points of the runs that have at most maxPoints of them, by run; the runs with more: {@code more}. */
    public record SmallSeries(Map<String, List<Downsample.Point>> points, List<String> more) {
    }

    /**
     * Every point of one metric of each of the experiment's runs that has at most {@code maxPoints} of it, in one query
     * (a run with more is named in {@code more}, to be read downsampled: ExperimentStore.metric).
     */
    public SmallSeries smallSeries(String experimentId, String name, int maxPoints) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        WITH s AS (SELECT s.id, s.run_id,
                                          (SELECT count(*) FROM metric_points p WHERE p.series_id = s.id) AS n
                                   FROM metric_series s JOIN runs r ON r.id = s.run_id
                                   WHERE r.experiment_id = ?1 AND s.name = ?2)
                        SELECT s.run_id, s.n, p.step, p.value FROM s
                        LEFT JOIN metric_points p ON p.series_id = s.id AND s.n <= ?3
                        ORDER BY s.run_id, p.step""")
                .setParameter(1, experimentId).setParameter(2, name).setParameter(3, maxPoints).getResultList();
        Map<String, List<Downsample.Point>> points = new LinkedHashMap<>();
        List<String> more = new ArrayList<>();
        for (Object[] r : rows) {
            String run = (String) r[0];
            if (((Number) r[1]).longValue() > maxPoints) {
                more.add(run);
            } else if (r[2] != null) {
                points.computeIfAbsent(run, k -> new ArrayList<>())
                        .add(new Downsample.Point(((Number) r[2]).intValue(), ((Number) r[3]).doubleValue()));
            }
        }
        return new SmallSeries(points, more);
    }

    /** The names of the metrics any run of the experiment reported, sorted, with the number of runs that did. */
    public Map<String, Integer> metricNames(String experimentId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT s.name, count(*) FROM metric_series s JOIN runs r ON r.id = s.run_id
                        WHERE r.experiment_id = ?1 GROUP BY s.name ORDER BY s.name""")
                .setParameter(1, experimentId).getResultList();
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Object[] r : rows) {
            out.put((String) r[0], ((Number) r[1]).intValue());
        }
        return out;
    }

    /** The stored spec (JSON) of each of the tenant's experiments (null: every tenant's), by id. */
    public Map<String, String> experimentSpecs(String tenant) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = (tenant == null
                ? em.createNativeQuery("SELECT id, spec_json FROM experiments")
                : em.createNativeQuery("SELECT id, spec_json FROM experiments WHERE tenant_id = ?1").setParameter(1, tenant))
                .getResultList();
        Map<String, String> out = new LinkedHashMap<>();
        for (Object[] r : rows) {
            out.put((String) r[0], (String) r[1]);
        }
        return out;
    }

    /** What a run search asks; null fields do not filter. {@code params}: dotted name → value (cell first, then spec). */
    public record RunQuery(String tenant, String text, String verdict, String status, List<String> experimentIds,
                           Map<String, String> params, OffsetDateTime createdFrom, OffsetDateTime createdTo,
                           int limit) {
    }

    /** One run found, with its experiment's name and creation time. */
    public record RunRow(String runId, String experimentId, String experimentName, OffsetDateTime createdAt,
                         String cellJson, long seed, String status, String verdict, Double finalEvalLoss,
                         Double gapToOptimum, Integer convergenceStep) {
    }

    /** The runs that match, newest experiment first, then by cell and seed; at most {@code limit}, and the total. */
    public record RunHits(List<RunRow> rows, long total) {
    }

    public RunHits searchRuns(RunQuery q) {
        StringBuilder where = new StringBuilder(" FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE true");
        List<Object> args = new ArrayList<>();
        if (q.tenant() != null) {
            where.append(" AND e.tenant_id = ?");
            args.add(q.tenant());
        }
        if (q.text() != null) {
            String like = "%" + q.text().toLowerCase() + "%";
            where.append(" AND (lower(e.name) LIKE ? OR lower(r.cell_json) LIKE ? OR r.id LIKE ? OR e.id LIKE ?)");
            args.addAll(List.of(like, like, like, like));
        }
        if (q.verdict() != null) {
            where.append(" AND r.verdict = ?");
            args.add(q.verdict());
        }
        if (q.status() != null) {
            where.append(" AND r.status = ?");
            args.add(q.status());
        }
        if (q.experimentIds() != null) {
            where.append(" AND e.id = ANY(?)");
            args.add(q.experimentIds().toArray(new String[0]));
        }
        if (q.createdFrom() != null) {
            where.append(" AND e.created_at >= ?");
            args.add(q.createdFrom());
        }
        if (q.createdTo() != null) {
            where.append(" AND e.created_at < ?");
            args.add(q.createdTo());
        }
        for (Map.Entry<String, String> p : q.params().entrySet()) {
            // the cell's value if the axis is swept, else the spec's; numbers compare as numbers (0.2 = 0.20)
            String number = "'^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$'";
            where.append(" AND (SELECT CASE WHEN v ~ ").append(number).append(" AND x ~ ").append(number)
                    .append(" THEN v::numeric = x::numeric ELSE v = x END")
                    .append(" FROM (SELECT coalesce(r.cell_json::jsonb ->> ?, e.spec_json::jsonb #>> ?) AS v,")
                    .append(" ?::text AS x) AS t)");
            args.add(p.getKey());
            args.add(p.getKey().split("\\."));
            args.add(p.getValue());
        }
        String countSql = "SELECT count(*)" + where;
        String selectSql = "SELECT r.id, e.id, e.name, e.created_at, r.cell_json, r.seed, r.status, r.verdict,"
                + " r.final_eval_loss, r.gap_to_optimum, r.convergence_step" + where
                + " ORDER BY e.created_at DESC, r.cell_id, r.seed LIMIT " + q.limit();
        return em.unwrap(Session.class).doReturningWork(c -> {
            long total;
            try (PreparedStatement ps = c.prepareStatement(countSql)) {
                bind(c, ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            List<RunRow> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(selectSql)) {
                bind(c, ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new RunRow(rs.getString(1), rs.getString(2), rs.getString(3),
                                rs.getObject(4, OffsetDateTime.class), rs.getString(5), rs.getLong(6), rs.getString(7),
                                rs.getString(8), nullable(rs.getDouble(9), rs), nullable(rs.getDouble(10), rs),
                                rs.getObject(11) == null ? null : rs.getInt(11)));
                    }
                }
            }
            return new RunHits(out, total);
        });
    }

    private static void bind(Connection c, PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            if (a instanceof String[] arr) {
                ps.setArray(i + 1, c.createArrayOf("text", arr));
            } else {
                ps.setObject(i + 1, a);
            }
        }
    }

    private static Double nullable(double v, ResultSet rs) throws SQLException {
        return rs.wasNull() ? null : v;
    }
}
