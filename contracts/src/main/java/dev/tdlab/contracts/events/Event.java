package dev.tdlab.contracts.events;

/** What every event on every topic carries. */
public interface Event {
    int schemaVersion();

    /** Unique per fact; a consumer that saw this id already ignores the event. */
    String eventId();
}
