package dev.tdlab.analysis.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Transactional outbox. {@link #add} writes the event in the caller's transaction, next to the fact
 * it announces; {@link #relay} publishes unsent events in order and marks them sent. A crash between
 * the send and the mark re-sends the event: consumers are idempotent by event id.
 */
@ApplicationScoped
public class Outbox {

    private static final Logger LOG = Logger.getLogger(Outbox.class);

    @Inject
    EntityManager em;
    @Inject
    ObjectMapper mapper;

    @Inject
    @Channel("outbox")
    MutinyEmitter<String> emitter;

    /** Must be called inside a transaction. */
    public void add(String topic, String key, Object event) {
        String payload;
        try {
            payload = mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        em.createNativeQuery("INSERT INTO outbox (topic, msg_key, payload) VALUES (?1, ?2, ?3)")
                .setParameter(1, topic).setParameter(2, key).setParameter(3, payload).executeUpdate();
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, delayed = "5s")
    void scheduledRelay() {
        relayNow();
    }

    /** Publishes everything unsent now; failures are logged and left for the next scheduled pass. */
    public void relayNow() {
        try {
            while (relay() > 0) {
                // drain
            }
        } catch (Exception e) {
            LOG.warnf("outbox relay: %s (will retry)", e.getMessage());
        }
    }

    /** Publishes up to 500 unsent events; returns how many. */
    @Transactional
    public int relay() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                "SELECT id, topic, msg_key, payload FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED")
                .getResultList();
        for (Object[] r : rows) {
            // one metadata object carries both key and topic (a second one would replace the first)
            emitter.sendMessageAndAwait(Message.of((String) r[3]).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                    .withKey((String) r[2]).withTopic((String) r[1]).build()));
            em.createNativeQuery("UPDATE outbox SET sent_at = now() WHERE id = ?1")
                    .setParameter(1, ((Number) r[0]).longValue()).executeUpdate();
        }
        return rows.size();
    }
}
