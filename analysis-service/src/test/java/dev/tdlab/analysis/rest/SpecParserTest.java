package dev.tdlab.analysis.rest;

import dev.tdlab.analysis.problem.ProblemException;
import java.io.File;
import java.util.Collections;
import javax.script.ScriptEngineManager;

import dev.tdlab.contracts.spec.Violation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpecParserTest {

    static List<String> fields(String body, boolean yaml) {
        ProblemException e = assertThrows(ProblemException.class, () -> SpecParser.parse(body, yaml));
        assertEquals(400, e.status());
        return e.violations().stream().map(Violation::field).toList();
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

    /** Billion laughs: SnakeYAML counts aliases to collections and stops at SafeYaml.MAX_ALIASES, before expanding. */
    @Test
    void yamlAliasBombIsRefusedCheaply() {
        StringBuilder y = new StringBuilder("a: &a [x,x,x,x,x,x,x,x,x]\n");
        for (int i = 0; i < 30; i++) {
            y.append("b").append(i).append(": &b").append(i).append(" [*a,*a,*a,*a,*a,*a,*a,*a]\n");
        }
        long t0 = System.nanoTime();
        ProblemException e = assertThrows(ProblemException.class, () -> SpecParser.parse(y.toString(), true));
        assertEquals(400, e.status());
        assertTrue(e.violations().get(0).message().contains("aliases"), e.violations().toString());
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "refused without expanding");
    }

    /** Fewer aliases than the cap, but nested so that they multiply: the copy into a tree stops at SafeYaml.MAX_VALUES. */
    @Test
    void yamlAliasesThatMultiplyAreCappedByValues() {
        StringBuilder y = new StringBuilder("a0: &a0 [" + "x,".repeat(999) + "x]\n");
        for (int i = 1; i <= 5; i++) { // 20 aliases: 1000 · (1 + 4 + … + 4⁵) values
            y.append("a").append(i).append(": &a").append(i).append(" [")
                    .append(String.join(",", Collections.nCopies(4, "*a" + (i - 1)))).append("]\n");
        }
        ProblemException e = assertThrows(ProblemException.class, () -> SpecParser.parse(y.toString(), true));
        assertTrue(e.violations().get(0).message().contains("more than " + SafeYaml.MAX_VALUES + " values"),
                e.violations().toString());
    }

    @Test
    void yamlTagsDoNotInstantiateTypes() {
        for (String doc : List.of("name: !!File /etc\n", "name: !!ScriptEngineManager [x]\n",
                "name: !foo x\n")) {
            ProblemException e = assertThrows(ProblemException.class, () -> SpecParser.parse(doc, true));
            assertEquals(List.of(""), e.violations().stream().map(Violation::field).toList());
            assertTrue(e.violations().get(0).message().contains("tag"), e.violations().toString());
        }
    }

    /** What Jackson's YAML module let through silently: aliases read as names, later documents dropped, odd types. */
    @Test
    void yamlSurprisesAreRefusedByName() {
        assertTrue(fields("name: &n x\nb: *n\na: &a [*a]\n", true).contains(""));
        assertEquals(List.of(""), fields("name: a\n---\nname: b\n", true));
        assertEquals(List.of(""), fields("name: a\nname: b\n", true));
        assertEquals(List.of(""), fields("name: 2024-01-01\n", true));
        assertEquals(List.of(""), fields("name: a\ntrain: {lr: .inf}\n", true));
        assertEquals(List.of(""), fields("? [1, 2]\n: x\n", true));
        assertEquals(List.of(""), fields("name: " + "[".repeat(30) + "]".repeat(30) + "\n", true));
        assertEquals(List.of(""), fields("{\"name\": " + "[".repeat(30) + "]".repeat(30) + "}", false));
    }

    @Test
    void templatesStillReadWithTheSafeLoader() throws Exception {
        try (var in = SpecParserTest.class.getClassLoader().getResourceAsStream("experiment-templates/local-to-global.yaml")) {
            assertTrue(SpecParser.readYamlResource(in).has("data"));
        }
    }

    @Test
    void duplicateKeysAreRejected() {
        assertEquals(List.of(""), fields("{\"name\": \"a\", \"name\": \"b\", \"data\": {\"p\": 0.2, \"q\": 0.3}}", false));
    }
}
