package dev.tdlab.analysis.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * The writing half of the transactional outbox: an event goes into the {@code outbox} table in the caller's
 * transaction, next to the fact it announces; {@code messaging/OutboxRelay} publishes it after the commit.
 */
@ApplicationScoped
class Outbox {

    @Inject
    EntityManager em;
    @Inject
    ObjectMapper mapper;

    /** Must be called inside a transaction. */
    void add(String topic, String key, Object event) {
        String payload;
        try {
            payload = mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        em.createNativeQuery("INSERT INTO outbox (topic, msg_key, payload) VALUES (?1, ?2, ?3)")
                .setParameter(1, topic).setParameter(2, key).setParameter(3, payload).executeUpdate();
    }
}
