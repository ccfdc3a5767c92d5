package dev.tdlab.analysis.messaging;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import dev.tdlab.analysis.service.OutboxCommitted;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The relaying half of the transactional outbox ({@code service/Outbox} writes it): publishes unsent events in id
 * order and marks them sent, right after a request's commit and every second. Both run on one relay thread of
 * its own, so a request does not wait for Kafka and the events of this service go out in id order; signals that come
 * while a pass runs fold into one more pass. A crash between the send and the mark re-sends the event: consumers are
 * idempotent by event id.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    @Inject
    EntityManager em;

    @Inject
    @Channel("outbox")
    MutinyEmitter<String> emitter;

    private final ExecutorService relayThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tdlab-outbox-relay");
        t.setDaemon(true);
        return t;
    });
    /** A pass is queued and has not started yet: a further signal adds nothing. */
    private final AtomicBoolean queued = new AtomicBoolean();

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, delayed = "5s")
    void scheduledRelay() {
        signal();
    }

    /** A request's transaction that wrote the outbox has committed: publish now (on the relay thread). */
    void onCommitted(@Observes OutboxCommitted committed) {
        signal();
    }

    private void signal() {
        if (queued.compareAndSet(false, true)) {
            try {
                relayThread.execute(() -> {
                    queued.set(false);
                    relayNow();
                });
            } catch (RejectedExecutionException e) {
                queued.set(false); // shutting down: the next start relays what is left
            }
        }
    }

    @PreDestroy
    void stop() {
        relayThread.shutdown();
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
