package dev.tdlab.devstack;

import static dev.tdlab.contracts.Topics.DATASETS_READY;
import static dev.tdlab.contracts.Topics.EXPERIMENTS_REPORTS;
import static dev.tdlab.contracts.Topics.RESULTS_PREFIX;
import static dev.tdlab.contracts.Topics.RUNS_CONTROL;
import static dev.tdlab.contracts.Topics.RUNS_METRICS;
import static dev.tdlab.contracts.Topics.RUNS_PLANNED;
import static dev.tdlab.contracts.Topics.RUNS_STATUS;
import static dev.tdlab.contracts.Topics.RUNS_VERDICTS;
import static dev.tdlab.contracts.Topics.dlq;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import dev.tdlab.contracts.Topics;

/**
 * Who may do what on a {@linkplain KafkaBroker.Sasl secured} broker: one SCRAM-SHA-512 user per service with ACLs
 * that let it read what it consumes (with its consumer group) and write only its own topics and the dead-letter
 * topics of what it consumes, and one user per tenant that may read only its own result topics
 * ({@code results.<tenant>.*}, {@link Topics#tenantResultsPrefix}). Users and ACLs are written through the Admin API
 * ({@code alterUserScramCredentials}, {@code createAcls}) as the broker's super user. The same table is in
 * {@code k8s/base/kafka-users.yaml} as Strimzi {@code KafkaUser}s.
 */
public final class KafkaAccess {

    /** SCRAM iterations of the credentials written here (Kafka's minimum is 4096). */
    static final int ITERATIONS = 8192;

    /**
     * One service's principal and what it may touch.
     *
     * @param user          the SCRAM user name (the principal {@code User:<user>})
     * @param group         its consumer group id (the services' {@code group.id})
     * @param reads         topics it consumes
     * @param writes        topics it produces to (its own topics, and the .dlq of each topic it consumes)
     * @param writePrefixes topic prefixes it produces to and may create (analysis: the tenants' result topics)
     */
    public record ServiceAccess(String user, String group, List<String> reads, List<String> writes,
                                List<String> writePrefixes) {
    }

    /** data-gen: runs.planned → datasets.ready, runs.status (a dataset that cannot be made fails the run). */
    public static final ServiceAccess DATA_GEN = new ServiceAccess("data-gen", "data-gen",
            List.of(RUNS_PLANNED),
            List.of(DATASETS_READY, RUNS_STATUS, dlq(RUNS_PLANNED)), List.of());
    /** trainer: datasets.ready, runs.control → runs.status, runs.metrics. */
    public static final ServiceAccess TRAINER = new ServiceAccess("trainer", "trainer",
            List.of(DATASETS_READY, RUNS_CONTROL),
            List.of(RUNS_STATUS, RUNS_METRICS, dlq(DATASETS_READY), dlq(RUNS_CONTROL)), List.of());
    /** analysis: datasets.ready, runs.status, runs.metrics → runs.planned, runs.control, the results (also per tenant). */
    public static final ServiceAccess ANALYSIS = new ServiceAccess("analysis", "analysis",
            List.of(DATASETS_READY, RUNS_STATUS, RUNS_METRICS),
            List.of(RUNS_PLANNED, RUNS_CONTROL, RUNS_VERDICTS, EXPERIMENTS_REPORTS,
                    dlq(DATASETS_READY), dlq(RUNS_STATUS), dlq(RUNS_METRICS)),
            List.of(RESULTS_PREFIX));
    public static final List<ServiceAccess> SERVICES = List.of(DATA_GEN, TRAINER, ANALYSIS);

    private KafkaAccess() {
    }

    /** The principal name of a tenant's user: {@code tenant-<id>} (never one of the services' names). */
    public static String tenantUser(String tenant) {
        Topics.tenantResultsPrefix(tenant); // validates the id
        return "tenant-" + tenant;
    }

    /** A service's ACLs: READ on what it consumes and on its group, WRITE on its topics, WRITE+CREATE on its prefixes. */
    public static List<AclBinding> acls(ServiceAccess s) {
        List<AclBinding> out = new ArrayList<>();
        for (String t : s.reads()) {
            out.add(allow(s.user(), ResourceType.TOPIC, t, PatternType.LITERAL, AclOperation.READ));
        }
        if (!s.reads().isEmpty()) {
            out.add(allow(s.user(), ResourceType.GROUP, s.group(), PatternType.LITERAL, AclOperation.READ));
        }
        for (String t : s.writes()) {
            out.add(allow(s.user(), ResourceType.TOPIC, t, PatternType.LITERAL, AclOperation.WRITE));
        }
        for (String p : s.writePrefixes()) {
            out.add(allow(s.user(), ResourceType.TOPIC, p, PatternType.PREFIXED, AclOperation.WRITE));
            out.add(allow(s.user(), ResourceType.TOPIC, p, PatternType.PREFIXED, AclOperation.CREATE));
        }
        return out;
    }

    /** A tenant's ACLs: READ on the topics and on the consumer groups under {@code results.<tenant>.}, nothing else. */
    public static List<AclBinding> tenantAcls(String tenant) {
        String prefix = Topics.tenantResultsPrefix(tenant);
        String user = tenantUser(tenant);
        return List.of(
                allow(user, ResourceType.TOPIC, prefix, PatternType.PREFIXED, AclOperation.READ),
                allow(user, ResourceType.GROUP, prefix, PatternType.PREFIXED, AclOperation.READ));
    }

    /** Creates (or re-keys) each service's user with its password and grants its ACLs; waits until the broker has both. */
    public static void setUpServices(Map<String, Object> admin, Map<String, String> passwords) {
        List<AclBinding> acls = new ArrayList<>();
        Map<String, String> users = new LinkedHashMap<>();
        for (ServiceAccess s : SERVICES) {
            String pw = passwords.get(s.user());
            if (pw == null) {
                throw new IllegalArgumentException("no password for the service user " + s.user());
            }
            users.put(s.user(), pw);
            acls.addAll(acls(s));
        }
        apply(admin, users, acls);
    }

    /** Creates (or re-keys) the tenant's user {@link #tenantUser} and grants {@link #tenantAcls}. */
    public static void addTenant(Map<String, Object> admin, String tenant, String password) {
        apply(admin, Map.of(tenantUser(tenant), password), tenantAcls(tenant));
    }

    /** Upserts the SCRAM users, creates the ACLs (idempotent), and waits until the broker answers with both. */
    public static void apply(Map<String, Object> admin, Map<String, String> users, List<AclBinding> acls) {
        Map<String, Object> conf = new LinkedHashMap<>(admin);
        conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin a = Admin.create(conf)) {
            if (!users.isEmpty()) {
                a.alterUserScramCredentials(users.entrySet().stream()
                        .map(e -> (org.apache.kafka.clients.admin.UserScramCredentialAlteration) scramUpsert(e.getKey(), e.getValue()))
                        .toList()).all().get(30, TimeUnit.SECONDS);
            }
            if (!acls.isEmpty()) {
                a.createAcls(acls).all().get(30, TimeUnit.SECONDS);
            }
            // the controller has committed both; wait until the broker that clients talk to has applied them
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!a.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS).containsAll(acls)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker did not show the new ACLs within 30 s");
                }
                Thread.sleep(50);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not write Kafka users/ACLs: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out writing Kafka users/ACLs", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing Kafka users/ACLs", e);
        }
        for (Map.Entry<String, String> u : users.entrySet()) {
            Map<String, Object> login = new LinkedHashMap<>(admin);
            login.put("sasl.jaas.config", KafkaBroker.scramJaas(u.getKey(), u.getValue()));
            awaitLogin(login, Duration.ofSeconds(30));
        }
    }

    /** A SCRAM-SHA-512 credential for {@code user}. */
    static UserScramCredentialUpsertion scramUpsert(String user, String password) {
        return new UserScramCredentialUpsertion(user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS),
                password);
    }

    /**
     * Waits until a client with these settings logs in (describeCluster answers): a credential just written reaches
     * the broker through the metadata log a moment after the controller acknowledged it.
     */
    static void awaitLogin(Map<String, Object> client, Duration timeout) {
        Map<String, Object> conf = new LinkedHashMap<>(client);
        conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        conf.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin a = Admin.create(conf)) {
            while (true) {
                try {
                    a.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof SaslAuthenticationException) || System.nanoTime() > deadline) {
                        throw new IllegalStateException("could not log in to Kafka as "
                                + client.getOrDefault("sasl.jaas.config", "?").toString().replaceAll("password=\"[^\"]*\"", "password=***")
                                + ": " + e.getCause(), e.getCause());
                    }
                    Thread.sleep(100);
                }
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out logging in to Kafka", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while logging in to Kafka", e);
        }
    }

    private static AclBinding allow(String user, ResourceType type, String name, PatternType pattern, AclOperation op) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
    }
}
