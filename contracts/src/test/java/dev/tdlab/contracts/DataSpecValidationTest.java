package dev.tdlab.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.contracts.events.Baselines;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.contracts.spec.SpecValidator;
import dev.tdlab.contracts.spec.SweepExpander;
import dev.tdlab.contracts.spec.Violation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Data specs of every family: good ones pass, every bad one is named by its field (and row). */
class DataSpecValidationTest {

    static DataSpec markov(Integer order, Integer vocab, List<List<Double>> transition) {
        return new DataSpec("markov", order, vocab, null, null, transition, null, 64, 128, 32);
    }

    static DataSpec full(String family) {
        return new DataSpec(family, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null);
    }

    static List<String> fields(DataSpec d) {
        return SpecValidator.validateData(d).stream().map(Violation::field).toList();
    }

    static String message(DataSpec d, String field) {
        return SpecValidator.validateData(d).stream().filter(v -> v.field().equals(field)).map(Violation::message)
                .findFirst().orElse("(none)");
    }

    static List<List<Double>> uniformRows(int rows, int v) {
        List<List<Double>> t = new ArrayList<>();
        for (int i = 0; i < rows; i++) t.add(Collections.nCopies(v, 1.0 / v));
        return t;
    }

    static DataSpec noisyPatch(double signal, Boolean matchNorms, String family) {
        return new DataSpec(family, null, null, null, null, null, null, null, null, null, null, null, null, null,
                signal, null, null, null, null, null, null, matchNorms);
    }

    @Test
    void matchNormsIsANoisyPatchFieldThatNeedsASignal() {
        assertEquals(List.of(), fields(noisyPatch(1.0, true, "noisy-patch")));
        assertEquals(Boolean.FALSE, full("noisy-patch").withDefaults().matchNorms());
        assertEquals(List.of("data.matchNorms"), fields(noisyPatch(0.0, true, "noisy-patch")));
        assertTrue(fields(new DataSpec("markov", 1, 2, null, null, null, null, 64, 128, 32, null, null, null, null,
                null, null, null, null, null, null, null, true)).contains("data.matchNorms"));
    }

    @Test
    void goodSpecsOfEveryFamilyPass() {
        assertEquals(List.of(), fields(markov(3, 2, uniformRows(8, 2))));
        assertEquals(List.of(), fields(markov(2, 3, uniformRows(9, 3))));
        assertEquals(List.of(), fields(new DataSpec("markov", 3, 8, null, null, null, 0.5, 64, 128, 32)));
        DataSpec icl = new DataSpec("markov", 1, 2, null, null, null, 1.0, 64, 128, 32, true, null, null, null, null,
                null, null, null, null, null, null);
        assertEquals(List.of(), fields(icl));
        DataSpec cls = new DataSpec("sequence-classification", 1, 2, null, null, null, null, 64, 128, 32, null,
                List.of(List.of(List.of(0.8, 0.2), List.of(0.3, 0.7)), List.of(List.of(0.6, 0.4), List.of(0.2, 0.8))),
                null, null, null, null, null, null, null, null, null);
        assertEquals(List.of(), fields(cls));
        assertEquals(List.of(), fields(full("noisy-patch")));
        assertEquals(List.of(), fields(full("patch-image")));
        // family defaults
        DataSpec np = full("noisy-patch").withDefaults();
        assertEquals(64, np.dim());
        assertEquals(63, np.sparsity());
        assertEquals(2, np.patches());
        assertEquals(0.0, np.labelNoise());
        assertEquals(null, np.seqLen());
        assertEquals(null, np.vocab());
        DataSpec m = new DataSpec(null, null, null, 0.2, 0.3, null, null, null, null, null).withDefaults();
        assertEquals("markov", m.family());
        assertEquals(Boolean.FALSE, m.inContext());
        assertEquals(256, m.seqLen());
        assertEquals(3, markov(null, null, uniformRows(3, 3)).withDefaults().vocab());
    }

    @Test
    void badRowsAreNamedByRow() {
        List<List<Double>> t = new ArrayList<>(uniformRows(8, 2));
        t.set(3, List.of(0.5, 0.4));
        t.set(5, List.of(-0.1, 1.1));
        t.set(6, List.of(1.0));
        assertEquals(List.of("data.transition[3]", "data.transition[5]", "data.transition[6]"), fields(markov(3, 2, t)));
        assertTrue(message(markov(3, 2, t), "data.transition[3]").contains("sums to 0.9"));
        assertTrue(message(markov(3, 2, t), "data.transition[5]").contains("entry 0 must be a probability"));
        // within 1e-9 is a sum of 1; beyond is not
        t = new ArrayList<>(uniformRows(2, 2));
        t.set(0, List.of(0.5, 0.5 + 5e-10));
        assertEquals(List.of(), fields(markov(1, 2, t)));
        t.set(0, List.of(0.5, 0.5 + 5e-9));
        assertEquals(List.of("data.transition[0]"), fields(markov(1, 2, t)));
    }

    @Test
    void rowCountMustBeVToTheK() {
        assertEquals(List.of("data.transition"), fields(markov(2, 3, uniformRows(3, 3))));
        assertTrue(message(markov(2, 3, uniformRows(3, 3)), "data.transition").contains("3^2 = 9 rows"));
    }

    @Test
    void manyBadRowsAreCapped() {
        List<List<Double>> t = new ArrayList<>();
        for (int i = 0; i < 64; i++) t.add(List.of(0.2, 0.2));
        List<String> f = fields(markov(6, 2, t));
        assertEquals(21, f.size());
        assertEquals("data.transition", f.get(20));
    }

    @Test
    void rangesAndQuotas() {
        assertEquals(List.of("data.vocab"), fields(new DataSpec("markov", 1, 300, null, null, null, 1.0, 64, 128, 32)));
        assertEquals(List.of("data.order"), fields(new DataSpec("markov", 0, 2, null, null, null, 1.0, 64, 128, 32)));
        assertEquals(List.of("data.order"), fields(new DataSpec("markov", 17, 2, null, null, null, 1.0, 64, 128, 32)));
        assertTrue(message(new DataSpec("markov", 5, 8, null, null, null, 1.0, 64, 128, 32), "data.order").contains("exceeds 4096"));
        assertTrue(message(new DataSpec("markov", 5, 2, null, null, null, 1.0, 4, 128, 32), "data.order").contains("at most seqLen"));
        assertEquals(List.of("data.trainSequences"), fields(new DataSpec("markov", 1, 2, 0.2, 0.3, null, null, 4096, 999_999, 100)));
        assertEquals(List.of("data.evalSequences"), fields(new DataSpec("markov", 1, 2, 0.2, 0.3, null, null, 16, 10, 0)));
        assertEquals(List.of("data.order"), fields(new DataSpec("markov", 2, 2, 0.2, 0.3, null, null, 16, 10, 10)));
        assertEquals(List.of("data.dirichlet"), fields(new DataSpec("markov", 1, 2, null, null, null, -1.0, 16, 10, 10)));
        DataSpec big = new DataSpec("noisy-patch", null, null, null, null, null, null, null, 1_000_000, 1000, null,
                null, 512, 16, null, null, null, null, null, null, null);
        assertEquals(List.of("data.trainSequences"), fields(big));
    }

    @Test
    void reducibleAndPeriodicTablesAreRejectedAtSubmission() {
        List<List<Double>> repeat = List.of(List.of(1.0, 0.0), List.of(0.5, 0.5), List.of(0.5, 0.5), List.of(0.0, 1.0));
        assertEquals(List.of("data.transition"), fields(markov(2, 2, repeat)));
        assertTrue(message(markov(2, 2, repeat), "data.transition").contains("reducible"));
        assertTrue(message(markov(2, 2, repeat), "data.transition").contains("[0, 0]"));
        List<List<Double>> cycle = List.of(List.of(0.0, 1.0, 0.0), List.of(0.0, 0.0, 1.0), List.of(1.0, 0.0, 0.0));
        assertTrue(message(markov(1, 3, cycle), "data.transition").contains("period 3"));
        // a transient state is fine
        assertEquals(List.of(), fields(markov(1, 2, List.of(List.of(1.0, 0.0), List.of(0.3, 0.7)))));
    }

    @Test
    void fieldsOfAnotherFamilyAreNamed() {
        DataSpec d = new DataSpec("noisy-patch", null, null, 0.2, null, null, null, 64, null, null);
        List<String> f = fields(d);
        assertTrue(f.contains("data.p") && f.contains("data.seqLen"), f::toString);
        assertTrue(message(d, "data.p").contains("is not a field of the noisy-patch family"));
        DataSpec m = new DataSpec("markov", 1, 2, 0.2, 0.3, null, null, 64, 128, 32, null, null, 8, null, null, null,
                null, null, null, null, null);
        assertEquals(List.of("data.dim"), fields(m));
        assertEquals(List.of("data.family"), fields(full("images")));
    }

    @Test
    void inContextNeedsThePrior() {
        DataSpec d = new DataSpec("markov", 1, 2, 0.2, 0.3, null, null, 64, 128, 32, true, null, null, null, null,
                null, null, null, null, null, null);
        assertEquals(List.of("data.inContext"), fields(d));
    }

    @Test
    void patchFamiliesCheckTheirFields() {
        DataSpec np = new DataSpec("noisy-patch", null, null, null, null, null, null, null, 100, 10, null, null, 8, 1,
                -1.0, 0.0, 8, 0.7, null, null, null);
        assertEquals(List.of("data.patches", "data.signal", "data.noiseStd", "data.sparsity", "data.labelNoise"), fields(np));
        DataSpec pi = new DataSpec("patch-image", null, null, null, null, null, null, null, 100, 10, null, null, null,
                null, null, null, null, null, 16, 5, 17);
        assertEquals(List.of("data.patchSize", "data.barLength"), fields(pi));
    }

    @Test
    void sequenceClassificationNeedsTwoGoodSources() {
        DataSpec none = new DataSpec("sequence-classification", 1, 2, null, null, null, null, 64, 128, 32);
        assertEquals(List.of("data.sources"), fields(none));
        DataSpec one = new DataSpec("sequence-classification", 1, 2, null, null, null, null, 64, 128, 32, null,
                List.of(List.of(List.of(0.8, 0.2), List.of(0.3, 0.6))), null, null, null, null, null, null, null, null, null);
        assertEquals(List.of("data.sources", "data.sources[0][1]"), fields(one));
    }

    @Test
    void newFieldsAreSweepable() {
        assertTrue(SweepExpander.isSweepable("data.signal"));
        assertTrue(SweepExpander.isSweepable("data.labelNoise"));
        assertTrue(SweepExpander.isSweepable("data.dirichlet"));
        Baselines b = new Baselines(0.5, 0.6, List.of(0.4, 0.6));
        assertEquals(null, b.optimalLoss());
        assertEquals(0.5, b.entropyRate());
    }
}
