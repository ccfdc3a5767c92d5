package dev.tdlab.analysis.messaging;

import dev.tdlab.kit.DatabaseOutage;
import org.jboss.logging.Logger;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * How the consumers store an event: a malformed event ({@link IllegalArgumentException}) fails at once (the caller
 * dead-letters it); while the database is down or restarting ({@link DatabaseOutage}) the store is retried for as long
 * as the outage lasts, backing off to one try per {@value #MAX_BACKOFF_MS} ms, so the consumer holds its records (the
 * channel stops fetching while the call blocks) instead of dead-lettering valid events; any other error is retried
 * {@value #OTHER_RETRIES} times (a deadlock, a serialization failure) and then thrown.
 */
final class StoreRetry {

    private static final Logger LOG = Logger.getLogger(StoreRetry.class);
    static final int OTHER_RETRIES = 10;
    static final long MAX_BACKOFF_MS = 2_000;
    /** An outage is logged when it starts and then at most this often. */
    static final long LOG_EVERY_MS = 30_000;

    private StoreRetry() {
    }

    static <T> T store(String what, Supplier<T> work) {
        int others = 0;
        long backoff = 100;
        long outageSince = 0;
        long lastLog = 0;
        while (true) {
            try {
                T result = work.get();
                if (outageSince != 0) {
                    LOG.infof("%s: the database is back after %d ms; stored", what, System.currentTimeMillis() - outageSince);
                }
                return result;
            } catch (IllegalArgumentException e) {
                throw e;
            } catch (RuntimeException e) {
                long now = System.currentTimeMillis();
                if (DatabaseOutage.transientOutage(e)) {
                    if (outageSince == 0) {
                        outageSince = now;
                    }
                    if (now - lastLog >= LOG_EVERY_MS) {
                        LOG.warnf("%s: the database is unavailable (%s); holding the event and retrying", what, e.getMessage());
                        lastLog = now;
                    }
                    sleep(backoff, e);
                    backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
                    continue;
                }
                if (++others > OTHER_RETRIES) {
                    throw e;
                }
                LOG.debugf("%s: transaction failed (%s), retrying", what, e.toString());
                sleep(100 + ThreadLocalRandom.current().nextInt(100), e);
            }
        }
    }

    static void run(String what, Runnable work) {
        store(what, () -> {
            work.run();
            return null;
        });
    }

    private static void sleep(long ms, RuntimeException cause) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw cause;
        }
    }
}
