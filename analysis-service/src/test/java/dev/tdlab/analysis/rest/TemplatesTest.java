package dev.tdlab.analysis.rest;

import dev.tdlab.analysis.problem.ProblemException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TemplatesTest {

    final ObjectMapper json = new ObjectMapper();

    @Test
    void everyTemplateIsAValidSpec() {
        for (String name : Templates.ALL.keySet()) {
            SpecParser.Parsed p = SpecParser.parseTree(Templates.spec(name));
            assertEquals(name, p.spec().name());
        }
    }

    @Test
    void overridesMergeObjectsAndReplaceValues() throws Exception {
        JsonNode merged = Templates.merge(Templates.spec("local-to-global"),
                json.readTree("{\"train\": {\"steps\": 50}, \"seeds\": [3], \"sweep\": {\"data.p\": [0.2]}}"));
        SpecParser.Parsed p = SpecParser.parseTree(merged);
        assertEquals(50, p.spec().train().steps());
        assertEquals("adamw", p.spec().train().optimizer()); // untouched fields stay
        assertEquals(List.of(3L), p.spec().seeds());
        assertEquals(2, p.spec().sweep().size()); // data.q stays, data.p replaced
        assertEquals(List.of(0.2), p.spec().sweep().get("data.p"));
        assertEquals(300, SpecParser.parseTree(Templates.spec("local-to-global")).spec().train().steps(), "template untouched");
    }

    @Test
    void unknownTemplateAndBadOverridesAreNamed() throws Exception {
        ProblemException e = assertThrows(ProblemException.class, () -> Templates.spec("nope"));
        assertEquals("template", e.violations().get(0).field());
        ProblemException bad = assertThrows(ProblemException.class, () -> SpecParser.parseTree(
                Templates.merge(Templates.spec("local-to-global"), json.readTree("{\"train\": {\"lr\": -1}}"))));
        assertEquals("train.lr", bad.violations().get(0).field());
    }

    @Test
    void everyTemplateHasAValidPaperScale() throws Exception {
        assertEquals(List.of("local-to-global", "rank-collapse", "attention-kernels", "signgd-stages",
                "infinite-limits"), List.copyOf(Templates.ALL.keySet()));
        for (String name : Templates.ALL.keySet()) {
            SpecParser.Parsed small = SpecParser.parseTree(Templates.resolve(name, json.readTree("{}")));
            SpecParser.Parsed paper = SpecParser.parseTree(Templates.resolve(name, json.readTree("{\"scale\": \"paper\"}")));
            assertEquals(name, paper.spec().name());
            assertEquals(true, paper.spec().train().steps() > small.spec().train().steps(), name);
        }
        SpecParser.Parsed p = SpecParser.parseTree(Templates.resolve("rank-collapse",
                json.readTree("{\"scale\": \"paper\", \"train\": {\"steps\": 7}}")));
        assertEquals(7, p.spec().train().steps(), "overrides apply after the paper overlay");
        ProblemException bad = assertThrows(ProblemException.class,
                () -> Templates.resolve("rank-collapse", json.readTree("{\"scale\": \"huge\"}")));
        assertEquals("scale", bad.violations().get(0).field());
    }
}
