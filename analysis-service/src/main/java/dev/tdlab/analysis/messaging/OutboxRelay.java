package dev.tdlab.analysis.messaging;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import dev.tdlab.analysis.service.OutboxCommitted;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.hibernate.Session;
import org.jboss.logging.Logger;

import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
    /** Most events per pass (below the emitter's buffer of 128 unacknowledged messages). */
    static final int PASS = 100;
    /** A pass whose sends are not all acknowledged by then fails (the next pass sends them again). */
    static final long SEND_TIMEOUT_SECONDS = 30;

    @Inject
    EntityManager em;

    @Inject
    @Channel("outbox")
    Emitter<String> emitter;

    @Inject
    ResultTopics resultTopics;

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

    /** At shutdown, before the database goes: what is left unsent goes out at the next start. */
    void stop(@Observes ShutdownEvent event) {
        relayThread.shutdownNow();
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

    /**
     * Publishes up to {@value #PASS} unsent events, all sent before any acknowledgement is awaited (the producer batches
     * them), then marks them sent with one UPDATE; returns how many. If one send fails, none is marked and the next
     * pass sends them all again.
     */
    @Transactional
    public int relay() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                "SELECT id, topic, msg_key, payload FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT " + PASS
                        + " FOR UPDATE SKIP LOCKED")
                .getResultList();
        if (rows.isEmpty()) {
            return 0;
        }
        resultTopics.ensure(rows.stream().map(r -> (String) r[1]).toList());
        List<CompletableFuture<Void>> acks = new ArrayList<>(rows.size());
        Long[] ids = new Long[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Object[] r = rows.get(i);
            ids[i] = ((Number) r[0]).longValue();
            // one metadata object carries both key and topic (a second one would replace the first); the ack and nack
            // callbacks only complete a future (nothing of this thread's transaction runs on the producer's thread)
            CompletableFuture<Void> ack = new CompletableFuture<>();
            acks.add(ack);
            emitter.send(Message.of((String) r[3], Metadata.of(OutgoingKafkaRecordMetadata.<String>builder()
                            .withKey((String) r[2]).withTopic((String) r[1]).build()),
                    () -> {
                        ack.complete(null);
                        return CompletableFuture.completedFuture(null);
                    },
                    failure -> {
                        ack.completeExceptionally(failure);
                        return CompletableFuture.completedFuture(null);
                    }));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).orTimeout(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS).join();
        em.unwrap(Session.class).doWork(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE outbox SET sent_at = now() WHERE id = ANY(?)")) {
                ps.setArray(1, c.createArrayOf("bigint", ids));
                ps.executeUpdate();
            }
        });
        return rows.size();
    }
}
