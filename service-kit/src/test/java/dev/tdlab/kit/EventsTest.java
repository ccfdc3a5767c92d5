package dev.tdlab.kit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.events.ExperimentReport;
import dev.tdlab.contracts.events.RunControl;
import dev.tdlab.contracts.events.RunVerdict;
import dev.tdlab.contracts.events.Verdict;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventsTest {

    final ObjectMapper mapper = new ObjectMapper();

    @Test
    void readsAnEvent() {
        RunControl c = Events.readOrReject(mapper, "{\"runId\":\"r1\",\"experimentId\":\"e1\",\"action\":\"CANCEL\"}",
                RunControl.class);
        assertEquals("r1", c.runId());
        assertEquals(RunControl.CANCEL, c.action());
    }

    @Test
    void rejectsWhatDoesNotReadNamingTheTypeAndTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Events.readOrReject(mapper, "{not json", RunControl.class));
        assertTrue(e.getMessage().startsWith("unreadable RunControl: "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Events.readOrReject(mapper, null, RunControl.class));
    }

    /** The tenant on verdicts and reports is additive: events written before it still read (tenant null). */
    @Test
    void verdictsAndReportsWithoutATenantStillRead() throws Exception {
        RunVerdict old = Events.readOrReject(mapper, "{\"schemaVersion\":1,\"eventId\":\"verdict:r1:0\",\"runId\":\"r1\","
                + "\"experimentId\":\"e1\",\"verdict\":\"GLOBAL\",\"finalEvalLoss\":0.55,\"optimum\":0.54}", RunVerdict.class);
        assertEquals(Verdict.GLOBAL, old.verdict());
        assertEquals(null, old.tenant());
        ExperimentReport oldReport = Events.readOrReject(mapper, "{\"schemaVersion\":1,\"eventId\":\"report:e1:FINISHED\","
                + "\"experimentId\":\"e1\",\"name\":\"n\",\"status\":\"FINISHED\",\"cells\":[]}", ExperimentReport.class);
        assertEquals(null, oldReport.tenant());

        RunVerdict v = RunVerdict.of("r1", "e1", 0, Verdict.LOCAL, 0.7, 0.54, 0.01, null).withTenant("acme").withGap(0.16);
        String json = mapper.writeValueAsString(v);
        assertTrue(json.contains("\"tenant\":\"acme\""), json);
        assertEquals(v, Events.readOrReject(mapper, json, RunVerdict.class));
        ExperimentReport r = ExperimentReport.of("e1", "n", "FINISHED", java.util.List.of(), "acme");
        assertEquals(r, Events.readOrReject(mapper, mapper.writeValueAsString(r), ExperimentReport.class));
    }
}
