package dev.tdlab.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import dev.tdlab.contracts.Topics;

/** The ACL table against what the services' application.properties consume and produce. */
class KafkaAccessTest {

    @ParameterizedTest
    @CsvSource({"data-gen-service, data-gen", "trainer-service, trainer", "analysis-service, analysis"})
    void theTableMatchesTheServicesChannels(String module, String user) throws IOException {
        KafkaAccess.ServiceAccess s = KafkaAccess.SERVICES.stream().filter(x -> x.user().equals(user)).findFirst()
                .orElseThrow();
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of("..", module, "src/main/resources/application.properties"))) {
            p.load(r);
        }
        assertEquals(s.group(), p.getProperty("mp.messaging.connector.smallrye-kafka.group.id"));
        Set<String> incoming = new HashSet<>();
        Set<String> produced = new HashSet<>();
        for (String k : p.stringPropertyNames()) {
            if (k.startsWith("mp.messaging.incoming.") && k.endsWith(".topic") && !k.endsWith("dead-letter-queue.topic")) {
                incoming.add(p.getProperty(k));
            } else if (k.startsWith("mp.messaging.outgoing.") && k.endsWith(".topic")) {
                produced.add(p.getProperty(k));
            }
        }
        // a dead-letter topic per consumed topic (analysis sets the strategy connector-wide, the others per channel)
        incoming.forEach(t -> produced.add(Topics.dlq(t)));
        assertEquals(incoming, Set.copyOf(s.reads()), user + " reads");
        assertTrue(s.writes().containsAll(produced), user + " writes " + s.writes() + " ⊉ " + produced);
        if (!user.equals("analysis")) { // analysis' outbox names its topic per event: runs.control, verdicts, reports
            assertEquals(produced, Set.copyOf(s.writes()), user + " writes");
        }
    }

    @Test
    void aTenantGetsReadOnItsOwnPrefixOnly() {
        for (AclBinding b : KafkaAccess.tenantAcls("acme")) {
            assertEquals(PatternType.PREFIXED, b.pattern().patternType());
            assertEquals("results.acme.", b.pattern().name());
            assertEquals(AclOperation.READ, b.entry().operation());
            assertEquals("User:tenant-acme", b.entry().principal());
        }
        assertThrows(IllegalArgumentException.class, () -> KafkaAccess.tenantAcls("a.b"));
        assertThrows(IllegalArgumentException.class, () -> KafkaAccess.tenantAcls(""));
    }
}
