package dev.tdlab.contracts.events;

/** Life of an experiment. */
public enum ExperimentStatus {
    PLANNED, RUNNING, FINISHED, FAILED, CANCELLED
}
