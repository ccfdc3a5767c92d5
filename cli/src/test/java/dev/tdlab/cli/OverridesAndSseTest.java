package dev.tdlab.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OverridesAndSseTest {

    @Test
    void valuesAreJsonThenYamlFlowThenStrings() {
        assertEquals(100, Overrides.value("100").asInt());
        assertTrue(Overrides.value("1e-3").isDouble());
        assertEquals(0.001, Overrides.value("1e-3").asDouble(), 0);
        assertTrue(Overrides.value("true").isBoolean());
        assertEquals("[0,1,2]", Overrides.value("[0, 1, 2]").toString());
        assertEquals("[\"adam\",\"sgd\"]", Overrides.value("[adam, sgd]").toString());
        assertEquals("{\"scheme\":\"gaussian\",\"std\":0.02}", Overrides.value("{scheme: gaussian, std: 0.02}").toString());
        assertEquals("adam", Overrides.value("adam").asText());
        assertEquals("0.2,0.3", Overrides.value("0.2,0.3").asText());
        assertEquals("", Overrides.value("").asText());
    }

    @Test
    void dottedPathsMakeNestedObjectsButSweepAxesStayDotted() {
        ObjectNode spec = Overrides.read("""
                name: x
                train: { optimizer: adam, steps: 1000 }
                seeds: [0, 1, 2]
                """);
        Overrides.apply(spec, List.of("train.steps=100", "seeds=[0]", "model.init.std=0.05", "sweep.data.p=[0.1,0.9]",
                "name=short run"));
        assertEquals(100, spec.at("/train/steps").asInt());
        assertEquals("adam", spec.at("/train/optimizer").asText());
        assertEquals("[0]", spec.get("seeds").toString());
        assertEquals(0.05, spec.at("/model/init/std").asDouble(), 0);
        assertEquals("[0.1,0.9]", spec.get("sweep").get("data.p").toString());
        assertEquals("short run", spec.get("name").asText());
        List<String> none = new ArrayList<>();
        assertEquals("{}", Overrides.apply(null, none).toString());
    }

    @Test
    void badOverridesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Overrides.apply(null, List.of("train.steps")));
        assertThrows(IllegalArgumentException.class, () -> Overrides.apply(null, List.of("=3")));
        assertThrows(IllegalArgumentException.class, () -> Overrides.apply(null, List.of("train..steps=3")));
        assertThrows(IllegalArgumentException.class, () -> Overrides.read("- just\n- a list\n"));
    }

    @Test
    void sseEventsAreParsedLineByLine() {
        Sse.Parser p = new Sse.Parser();
        assertNull(p.line(": keep-alive"));
        assertNull(p.line("id: 7"));
        assertNull(p.line("event: progress"));
        assertNull(p.line("data: {\"a\":"));
        assertNull(p.line("data:1}"));
        Sse.Event e = p.line("");
        assertEquals(new Sse.Event("7", "progress", "{\"a\":\n1}"), e);
        assertNull(p.line(""));                 // a blank line with nothing pending is no event
        assertNull(p.line("data: x"));
        assertEquals(new Sse.Event("7", "message", "x"), p.line("")); // the id carries over, the name does not
    }
}
