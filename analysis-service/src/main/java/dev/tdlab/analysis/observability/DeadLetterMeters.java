package dev.tdlab.analysis.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

/**
 * {@code tdlab_dlq_messages_total{channel,topic}}: messages this service sent to a dead-letter topic.
 * Every incoming channel with {@code failure-strategy=dead-letter-queue} sends each message it nacks
 * to its {@code .dlq} topic, so the count is Quarkus' {@code quarkus.messaging.message.failures} of
 * that channel, exported under the DLQ's name from the start (0 until the first poison message).
 * The same class sits in each service.
 */
@ApplicationScoped
public class DeadLetterMeters {

    private static final String PREFIX = "mp.messaging.incoming.";
    private static final String STRATEGY = ".failure-strategy";

    @Inject
    MeterRegistry registry;
    @Inject
    Config config;

    void start(@Observes StartupEvent ev) {
        for (String name : config.getPropertyNames()) {
            if (!name.startsWith(PREFIX) || !name.endsWith(STRATEGY)) {
                continue;
            }
            String channel = name.substring(PREFIX.length(), name.length() - STRATEGY.length());
            if (!"dead-letter-queue".equals(config.getOptionalValue(name, String.class).orElse(""))) {
                continue;
            }
            String topic = config.getOptionalValue(PREFIX + channel + ".dead-letter-queue.topic", String.class)
                    .orElse("dead-letter-topic-" + channel);
            FunctionCounter.builder("tdlab.dlq.messages", registry, r -> failures(r, channel))
                    .tag("channel", channel).tag("topic", topic)
                    .description("Messages of this channel sent to its dead-letter topic")
                    .register(registry);
        }
    }

    private static double failures(MeterRegistry r, String channel) {
        Counter c = r.find("quarkus.messaging.message.failures").tag("channel", channel).counter();
        return c == null ? 0 : c.count();
    }
}
