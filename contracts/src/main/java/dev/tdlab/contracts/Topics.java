package dev.tdlab.contracts;

import java.util.List;

/** Kafka topic names (also the SmallRye channel names of the services). */
public final class Topics {
    public static final String RUNS_PLANNED = "runs.planned";
    public static final String DATASETS_READY = "datasets.ready";
    public static final String RUNS_STATUS = "runs.status";
    public static final String RUNS_METRICS = "runs.metrics";
    public static final String RUNS_VERDICTS = "runs.verdicts";
    public static final String EXPERIMENTS_REPORTS = "experiments.reports";
    /** analysis → trainer: commands about runs (cancel). */
    public static final String RUNS_CONTROL = "runs.control";
    /**
     * Prefix of the topics for outside consumers, one set per tenant: {@code results.<tenant>.verdicts} and
     * {@code results.<tenant>.reports} carry that tenant's {@code RunVerdict}s and {@code ExperimentReport}s only, so
     * a broker ACL on the prefix {@code results.<tenant>.} (see {@link #tenantResultsPrefix}) gives a tenant its own
     * results and nobody else's. Tenant ids have no dot, so one tenant's prefix never covers another's.
     */
    public static final String RESULTS_PREFIX = "results.";
    /** Suffix of the dead-letter topic of each topic. */
    public static final String DLQ_SUFFIX = ".dlq";

    /** SmallRye channel names (topic names with dashes, so they read well in application.properties). */
    public static final class Channels {
        public static final String RUNS_PLANNED = "runs-planned";
        public static final String DATASETS_READY = "datasets-ready";
        public static final String RUNS_STATUS = "runs-status";
        public static final String RUNS_METRICS = "runs-metrics";
        public static final String RUNS_VERDICTS = "runs-verdicts";
        public static final String EXPERIMENTS_REPORTS = "experiments-reports";
        public static final String RUNS_CONTROL = "runs-control";

        private Channels() {
        }
    }

    public static final List<String> ALL = List.of(
            RUNS_PLANNED, DATASETS_READY, RUNS_STATUS, RUNS_METRICS, RUNS_VERDICTS, EXPERIMENTS_REPORTS, RUNS_CONTROL);

    private Topics() {
    }

    public static String dlq(String topic) {
        return topic + DLQ_SUFFIX;
    }

    /** {@code results.<tenant>.}: the prefix of a tenant's result topics (and of its consumer groups). */
    public static String tenantResultsPrefix(String tenant) {
        if (tenant == null || tenant.isEmpty() || !tenant.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw new IllegalArgumentException("not a tenant id ([a-z0-9][a-z0-9-]{0,62}): " + tenant);
        }
        return RESULTS_PREFIX + tenant + ".";
    }

    /** {@code results.<tenant>.verdicts}: the tenant's copy of {@link #RUNS_VERDICTS}. */
    public static String tenantVerdicts(String tenant) {
        return tenantResultsPrefix(tenant) + "verdicts";
    }

    /** {@code results.<tenant>.reports}: the tenant's copy of {@link #EXPERIMENTS_REPORTS}. */
    public static String tenantReports(String tenant) {
        return tenantResultsPrefix(tenant) + "reports";
    }
}
