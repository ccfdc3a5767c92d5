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
}
