package dev.tdlab.kit;

import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.TreeSet;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

/**
 * {@code tdlab_dlq_messages_total{channel,topic}}: messages this service sent to a dead-letter topic,
 * exported from the start (0 until the first poison message). Every incoming channel with
 * {@code failure-strategy=dead-letter-queue} sends what it nacks through its own Kafka producer
 * (client id {@code kafka-dead-letter-topic-producer-<consumer client id>}), so the count is that
 * producer's {@code kafka.producer.record.send.total}, bound by Quarkus' Kafka metrics. Found from the service's
 * configuration at start: nothing to register.
 */
@ApplicationScoped
class DeadLetterMeters {

    private static final String PREFIX = "mp.messaging.incoming.";
    private static final String CONNECTOR = "mp.messaging.connector.smallrye-kafka";
    private static final String STRATEGY = ".failure-strategy";

    @Inject
    MeterRegistry registry;
    @Inject
    Config config;

    void start(@Observes StartupEvent ev) {
        // the strategy is set per channel or once for the connector (mp.messaging.connector.smallrye-kafka.*)
        String connectorDefault = config.getOptionalValue(CONNECTOR + STRATEGY, String.class).orElse("");
        Set<String> channels = new TreeSet<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(PREFIX) && name.indexOf('.', PREFIX.length()) > 0) {
                channels.add(name.substring(PREFIX.length(), name.indexOf('.', PREFIX.length())));
            }
        }
        for (String channel : channels) {
            String strategy = config.getOptionalValue(PREFIX + channel + STRATEGY, String.class).orElse(connectorDefault);
            if (!"dead-letter-queue".equals(strategy)) {
                continue;
            }
            String topic = config.getOptionalValue(PREFIX + channel + ".dead-letter-queue.topic", String.class)
                    .orElse("dead-letter-topic-" + channel);
            String producer = "kafka-dead-letter-topic-producer-"
                    + config.getOptionalValue(PREFIX + channel + ".client.id", String.class).orElse("kafka-consumer-" + channel);
            FunctionCounter.builder("tdlab.dlq.messages", registry, r -> sent(r, producer))
                    .tag("channel", channel).tag("topic", topic)
                    .description("Messages of this channel sent to its dead-letter topic")
                    .register(registry);
        }
    }

    private static double sent(MeterRegistry r, String clientId) {
        double n = 0;
        for (Meter m : r.find("kafka.producer.record.send.total").tag("client.id", clientId).meters()) {
            for (Measurement x : m.measure()) {
                n = Math.max(n, x.getValue());
            }
        }
        return n;
    }
}
