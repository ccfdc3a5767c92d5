package dev.tdlab.analysis.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.Query;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import org.hibernate.query.NativeQuery;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Tenants, their quota overrides and their API tokens (only the tokens' hashes are stored). */
@ApplicationScoped
public class TenantStore {

    @Inject
    EntityManager em;
    @Inject
    AgroalDataSource db;

    /** Quota overrides of one tenant; a null field means the config default. */
    public record QuotaOverrides(Long stepParametersPerExperiment, Integer runsPerExperiment, Integer concurrentRuns,
                                 Long datasetSize) {
        public static final QuotaOverrides NONE = new QuotaOverrides(null, null, null, null);
    }

    public record Tenant(String id, String name, OffsetDateTime createdAt, QuotaOverrides quotas) {
    }

    /** A token just issued: the only time {@code token} is known. */
    public record Issued(String id, String tenant, String name, String token, String display, OffsetDateTime createdAt) {
    }

    public record TokenInfo(String id, String name, String display, OffsetDateTime createdAt, OffsetDateTime revokedAt) {
    }

    /** Creates a tenant; false when the id is taken. */
    @Transactional
    public boolean create(String id, String name, QuotaOverrides q) {
        QuotaOverrides o = q == null ? QuotaOverrides.NONE : q;
        return quotas(em.createNativeQuery("INSERT INTO tenants (id, name, max_step_parameters, max_runs_per_experiment, "
                        + "max_concurrent_runs, max_dataset_size) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING"), o)
                .setParameter(1, id).setParameter(2, name).executeUpdate() == 1;
    }

    /**
     * One tenant, or null. Plain JDBC: every submission reads its tenant's quotas here, and an ORM session with a
     * native query cost several times the lookup itself. In a transaction the pool hands out the transaction's
     * connection; tenants are only written by statements (never through entities), so no pending flush is missed.
     */
    public Tenant find(String id) {
        List<Tenant> found = tenants(" WHERE id = ?", id);
        return found.isEmpty() ? null : found.get(0);
    }

    public List<Tenant> list() {
        return tenants(" ORDER BY id", null);
    }

    /** The tenants the clause selects ({@code param}: its one parameter, or null for none). */
    private List<Tenant> tenants(String clause, String param) {
        try (Connection c = db.getConnection();
             PreparedStatement st = c.prepareStatement("SELECT id, name, created_at, max_step_parameters, "
                     + "max_runs_per_experiment, max_concurrent_runs, max_dataset_size FROM tenants" + clause)) {
            if (param != null) {
                st.setString(1, param);
            }
            List<Tenant> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new Tenant(rs.getString(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class),
                            new QuotaOverrides(rs.getObject(4, Long.class), rs.getObject(5, Integer.class),
                                    rs.getObject(6, Integer.class), rs.getObject(7, Long.class))));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new PersistenceException("tenant lookup failed: " + e.getMessage(), e);
        }
    }

    /** Sets the name (when given) and the quota overrides (all four: null resets one to the default). */
    @Transactional
    public boolean update(String id, String name, QuotaOverrides q) {
        QuotaOverrides o = q == null ? QuotaOverrides.NONE : q;
        return quotas(em.createNativeQuery("UPDATE tenants SET name = coalesce(?2, name), max_step_parameters = ?3, "
                        + "max_runs_per_experiment = ?4, max_concurrent_runs = ?5, max_dataset_size = ?6 WHERE id = ?1"), o)
                .setParameter(1, id).setParameter(2, name, String.class).executeUpdate() == 1;
    }

    /**
     * Stores a new token of the tenant (only its hash and its display form are kept) and returns it with its id, this
     * once; null when there is no such tenant.
     */
    @Transactional
    public Issued issue(String tenant, String name, String token, String tokenHash, String display) {
        if (find(tenant) == null) {
            return null;
        }
        String id = UUID.randomUUID().toString();
        OffsetDateTime now = OffsetDateTime.now();
        em.createNativeQuery("INSERT INTO api_tokens (id, tenant_id, name, token_hash, display, created_at) "
                        + "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                .setParameter(1, id).setParameter(2, tenant).setParameter(3, name).setParameter(4, tokenHash)
                .setParameter(5, display).setParameter(6, now).executeUpdate();
        return new Issued(id, tenant, name, token, display, now);
    }

    /** Revokes a tenant's token (it stops working at once); false when the tenant has no such token. */
    @Transactional
    public boolean revoke(String tenant, String tokenId) {
        return em.createNativeQuery("UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) "
                        + "WHERE id = ?1 AND tenant_id = ?2")
                .setParameter(1, tokenId).setParameter(2, tenant).executeUpdate() == 1;
    }

    public List<TokenInfo> tokens(String tenant) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT id, name, display, created_at, revoked_at FROM api_tokens "
                + "WHERE tenant_id = ?1 ORDER BY created_at").setParameter(1, tenant).getResultList();
        List<TokenInfo> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(new TokenInfo((String) r[0], (String) r[1], (String) r[2], time(r[3]), time(r[4])));
        }
        return out;
    }

    /** Runs of the tenant that have not ended (planned, waiting for data, or training). */
    public long activeRuns(String tenant) {
        return ((Number) em.createNativeQuery("SELECT count(*) FROM runs r JOIN experiments e ON e.id = r.experiment_id "
                        + "WHERE e.tenant_id = ?1 AND r.status NOT IN ('FINISHED', 'FAILED', 'CANCELLED')")
                .setParameter(1, tenant).getSingleResult()).longValue();
    }

    /**
     * Serializes the quota checks of one tenant until the end of the transaction (so that two concurrent submissions
     * cannot both pass the concurrent-runs quota). Taken last, after any run or experiment lock.
     */
    public void lock(String tenant) {
        em.createNativeQuery("SELECT 1 FROM pg_advisory_xact_lock(hashtext(?1))").setParameter(1, "tenant:" + tenant)
                .getSingleResult();
    }

    /** Binds the overrides as ?3..?6 with their SQL types (a null must still be typed for PostgreSQL). */
    @SuppressWarnings("unchecked")
    private static NativeQuery<Object> quotas(Query q, QuotaOverrides o) {
        NativeQuery<Object> n = q.unwrap(NativeQuery.class);
        n.setParameter(3, o.stepParametersPerExperiment(), Long.class);
        n.setParameter(4, o.runsPerExperiment(), Integer.class);
        n.setParameter(5, o.concurrentRuns(), Integer.class);
        n.setParameter(6, o.datasetSize(), Long.class);
        return n;
    }

    private static OffsetDateTime time(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof OffsetDateTime t) {
            return t;
        }
        if (o instanceof Instant i) {
            return i.atOffset(ZoneOffset.UTC);
        }
        if (o instanceof Timestamp ts) {
            return ts.toInstant().atOffset(ZoneOffset.UTC);
        }
        return OffsetDateTime.parse(o.toString());
    }
}
