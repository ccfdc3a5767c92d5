package dev.tdlab.contracts.events;

/** What a consumer writes to {@code <topic>.dlq} when it cannot handle a message. */
public record DeadLetter(String sourceTopic, String key, String payload, String reason, long at) {
}
