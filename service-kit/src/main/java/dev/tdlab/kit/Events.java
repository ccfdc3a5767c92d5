package dev.tdlab.kit;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Reading an event off a topic, for consumers whose channel sends what they reject to a dead-letter topic. */
public final class Events {

    private Events() {
    }

    /**
     * The event {@code json} holds, or an IllegalArgumentException {@code "unreadable <Type>: <reason>"} that the
     * channel's {@code failure-strategy=dead-letter-queue} turns into a dead letter carrying that reason.
     */
    public static <T> T readOrReject(ObjectMapper mapper, String json, Class<T> type) {
        try {
            return mapper.readValue(json, type);
        } catch (Exception e) {
            throw new IllegalArgumentException("unreadable " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
