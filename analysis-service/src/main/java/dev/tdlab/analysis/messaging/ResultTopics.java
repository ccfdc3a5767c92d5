package dev.tdlab.analysis.messaging;

import dev.tdlab.contracts.Topics;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the tenants' result topics ({@code results.<tenant>.verdicts}, {@code .reports}) before the outbox relay
 * first publishes to one: a cluster may refuse auto-creation (k8s: {@code auto.create.topics.enable=false}), and a
 * tenant is created at run time, so no manifest can list its topics. Partitions and replication are the broker's
 * defaults. The analysis' Kafka user may create topics under {@code results.} only.
 */
@ApplicationScoped
class ResultTopics {

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    /** Topics known to exist (created or found by this process). */
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private Admin admin;

    /** Makes sure the result topics among {@code topics} exist; other topics are left alone. */
    void ensure(Collection<String> topics) {
        List<String> missing = topics.stream()
                .filter(t -> t.startsWith(Topics.RESULTS_PREFIX) && !known.contains(t)).distinct().toList();
        if (missing.isEmpty()) {
            return;
        }
        CreateTopicsResult result = admin().createTopics(
                missing.stream().map(t -> new NewTopic(t, Optional.empty(), Optional.empty())).toList());
        for (String t : missing) {
            try {
                result.values().get(t).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("could not create the result topic " + t + ": " + e.getCause(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("timed out creating the result topic " + t, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating the result topic " + t, e);
            }
            known.add(t);
        }
    }

    private synchronized Admin admin() {
        if (admin == null) {
            // the channels' Kafka settings (bootstrap servers, security protocol, SASL login), Admin's keys only
            Map<String, Object> conf = new HashMap<>();
            kafkaConfig.forEach((k, v) -> {
                if (AdminClientConfig.configNames().contains(k)) {
                    conf.put(k, v);
                }
            });
            admin = Admin.create(conf);
        }
        return admin;
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close();
        }
    }
}
