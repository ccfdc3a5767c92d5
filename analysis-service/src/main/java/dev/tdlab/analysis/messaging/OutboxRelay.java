package dev.tdlab.analysis.messaging;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import dev.tdlab.analysis.service.OutboxCommitted;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * The relaying half of the transactional outbox ({@code service/Outbox} writes it): publishes unsent events in id
 * order and marks them sent, right after a request's commit ({@link #relayNow}) and every second. A crash between the
 * send and the mark re-sends the event: consumers are idempotent by event id.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    @Inject
    EntityManager em;

    @Inject
    @Channel("outbox")
    MutinyEmitter<String> emitter;

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, delayed = "5s")
    void scheduledRelay() {
        relayNow();
    }

    /** A request's transaction that wrote the outbox has committed: publish now. */
    void onCommitted(@Observes OutboxCommitted committed) {
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
