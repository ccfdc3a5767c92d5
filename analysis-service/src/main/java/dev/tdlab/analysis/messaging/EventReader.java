package dev.tdlab.analysis.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.events.Event;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.function.Function;

/** Reads one event from its JSON; an unreadable or incomplete event is an IllegalArgumentException (it goes to the DLQ). */
@ApplicationScoped
class EventReader {

    @Inject
    ObjectMapper mapper;

    <T extends Event> T read(String json, Class<T> type, Function<T, String> runId) {
        T value;
        try {
            value = mapper.readValue(json, type);
        } catch (Exception e) {
            throw new IllegalArgumentException("unreadable " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        if (value == null) {
            throw new IllegalArgumentException("empty " + type.getSimpleName());
        }
        if (runId.apply(value) == null || value.eventId() == null) {
            throw new IllegalArgumentException(type.getSimpleName() + " without runId or eventId");
        }
        return value;
    }
}
