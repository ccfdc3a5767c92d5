package dev.tdlab.analysis.service;

/**
 * A CDI event fired after a transaction that wrote the outbox has committed: the relay ({@code messaging/OutboxRelay})
 * publishes at once instead of at its next scheduled pass. Synchronous, in the caller's thread.
 */
public record OutboxCommitted(String experimentId) {
}
