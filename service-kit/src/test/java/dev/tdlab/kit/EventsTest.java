package dev.tdlab.kit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.events.RunControl;
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
}
