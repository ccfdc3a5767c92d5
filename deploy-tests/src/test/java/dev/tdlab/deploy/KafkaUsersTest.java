package dev.tdlab.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tdlab.devstack.KafkaAccess;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kafka security in the rendered overlays: every listener authenticates, the simple authorizer is on, the User
 * Operator runs, one KafkaUser per service whose ACLs are exactly devstack's {@link KafkaAccess} table (what the
 * system tests run against), and each Deployment logs in as its own user with the password from that user's Secret.
 */
class KafkaUsersTest {

    @ParameterizedTest
    @ValueSource(strings = {"k8s/base", "k8s/overlays/local", "k8s/overlays/gpu"})
    void listenersAuthenticateAndEachServiceHasItsOwnUserWithDevstacksAcls(String dir) {
        List<ObjectNode> res = Kubectl.kustomize(Repo.path(dir));
        JsonNode kafka = OverlaysTest.one(res, "Kafka", "tdlab");
        for (JsonNode l : kafka.at("/spec/kafka/listeners")) {
            assertFalse(l.path("authentication").path("type").asText("").isEmpty(), dir + ": listener " + l);
        }
        assertEquals("simple", kafka.at("/spec/kafka/authorization/type").asText(), dir);
        assertTrue(kafka.at("/spec/entityOperator").has("userOperator"), dir + ": the User Operator manages the KafkaUsers");

        for (KafkaAccess.ServiceAccess s : KafkaAccess.SERVICES) {
            JsonNode user = OverlaysTest.one(res, "KafkaUser", s.user());
            assertEquals("tdlab", user.at("/metadata/labels/strimzi.io~1cluster").asText());
            assertEquals("scram-sha-512", user.at("/spec/authentication/type").asText());
            Set<String> manifest = new TreeSet<>();
            for (JsonNode a : user.at("/spec/authorization/acls")) {
                for (JsonNode op : a.path("operations")) {
                    if (!op.asText().equals("Describe")) { // implied by Read and Write; listed for clarity
                        manifest.add(a.at("/resource/type").asText() + " " + a.at("/resource/patternType").asText() + " "
                                + a.at("/resource/name").asText() + " " + op.asText());
                    }
                }
            }
            Set<String> devstack = KafkaAccess.acls(s).stream().map(KafkaUsersTest::strimzi).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(devstack, manifest, dir + ": KafkaUser " + s.user());
        }
        for (KafkaAccess.ServiceAccess s : KafkaAccess.SERVICES) {
            JsonNode container = OverlaysTest.one(res, "Deployment", s.user()).at("/spec/template/spec/containers/0");
            JsonNode env = container.path("env");
            assertEquals(s.user(), value(env, "TDLAB_KAFKA_USER").path("value").asText(), dir + ": " + s.user());
            JsonNode password = value(env, "TDLAB_KAFKA_PASSWORD").at("/valueFrom/secretKeyRef");
            assertEquals(s.user() + "/password", password.path("name").asText() + "/" + password.path("key").asText());
        }
        JsonNode cfg = OverlaysTest.one(res, "ConfigMap", "tdlab-config").path("data");
        assertEquals("SASL_SSL", cfg.path("TDLAB_KAFKA_SECURITY_PROTOCOL").asText());
    }

    /** A devstack ACL in the manifests' words: "topic literal runs.planned Read". */
    private static String strimzi(AclBinding b) {
        String type = b.pattern().resourceType().name().toLowerCase(Locale.ROOT);
        String pattern = b.pattern().patternType() == PatternType.PREFIXED ? "prefix" : "literal";
        AclOperation op = b.entry().operation();
        String opName = op.name().charAt(0) + op.name().substring(1).toLowerCase(Locale.ROOT);
        return type + " " + pattern + " " + b.pattern().name() + " " + opName;
    }

    private static JsonNode value(JsonNode env, String name) {
        for (JsonNode e : env) {
            if (e.path("name").asText().equals(name)) {
                return e;
            }
        }
        throw new AssertionError("no env " + name + " in " + env);
    }
}
