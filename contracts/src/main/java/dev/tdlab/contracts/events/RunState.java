package dev.tdlab.contracts.events;

/** Life of a run. */
public enum RunState {
    PLANNED, DATA_READY, RUNNING, FINISHED, FAILED, CANCELLED;

    public boolean terminal() {
        return this == FINISHED || this == FAILED || this == CANCELLED;
    }
}
