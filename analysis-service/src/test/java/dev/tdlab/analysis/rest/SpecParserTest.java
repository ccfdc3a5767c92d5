package dev.tdlab.analysis.rest;

import dev.tdlab.contracts.spec.Violation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpecParserTest {

    static List<String> fields(String body, boolean yaml) {
        ProblemException e = assertThrows(ProblemException.class, () -> SpecParser.parse(body, yaml));
        assertEquals(400, e.status);
        return e.violations.stream().map(Violation::field).toList();
    }

    @Test
    void yamlReferenceSpecParses() {
        SpecParser.Parsed p = SpecParser.parse("""
                name: ref
                data:  { family: markov, order: 1, vocab: 2, p: 0.2, q: 0.3, seqLen: 64, trainSequences: 128, evalSequences: 32 }
                model: { family: single-layer, dModel: 4, heads: 1, attention: softmax, mlp: true, tiedEmbedding: true, init: { scheme: gaussian, std: 0.02 } }
                train: { optimizer: adam, lr: 1.0e-3, batch: 16, steps: 100, trainable: [all], evalEvery: 50 }
                seeds: [0, 1]
                sweep: { data.p: [0.1, 0.3] }
                """, true);
        assertEquals("ref", p.spec().name());
        assertEquals(List.of(0L, 1L), p.spec().seeds());
        assertEquals(0.2, p.spec().data().p());
    }

    @Test
    void unknownFieldsAndWrongTypesAreAllNamed() {
        List<String> f = fields("""
                {"name": "x", "colour": 1, "data": {"p": "a", "q": 0.3, "size": 3, "seqLen": 2.5},
                 "model": {"mlp": "yes"}, "seeds": ["a"], "sweep": {"data.p": [[1]]}}""", false);
        assertEquals(List.of("colour", "data.p", "data.size", "data.seqLen", "model.mlp", "seeds[0]", "sweep.data.p[0]"), f);
    }

    @Test
    void syntaxErrorsAndEmptyBodiesAreClear() {
        assertEquals(List.of(""), fields("{", false));
        assertEquals(List.of(""), fields("", false));
        assertEquals(List.of(""), fields("[1, 2]", false));
        assertEquals(List.of(""), fields("a: [", true));
    }

    /** Jackson reads YAML as events and never expands aliases: the bomb is just a small, wrong document. */
    @Test
    void yamlAliasBombIsRefusedCheaply() {
        StringBuilder y = new StringBuilder("a: &a [x,x,x,x,x,x,x,x,x]\n");
        for (int i = 0; i < 30; i++) {
            y.append("b").append(i).append(": &b").append(i).append(" [*a,*a,*a,*a,*a,*a,*a,*a]\n");
        }
        List<String> f = fields(y.toString(), true);
        assertTrue(f.contains("a") && f.contains("b29"), f::toString);
        assertEquals(31, f.size(), "one violation per top-level key, nothing expanded");
    }

    @Test
    void yamlTagsDoNotInstantiateTypes() {
        List<String> f = fields("name: !!java.io.File /etc\n", true);
        assertTrue(f.size() >= 1);
    }

    @Test
    void duplicateKeysAreRejected() {
        assertEquals(List.of(""), fields("{\"name\": \"a\", \"name\": \"b\", \"data\": {\"p\": 0.2, \"q\": 0.3}}", false));
    }
}
