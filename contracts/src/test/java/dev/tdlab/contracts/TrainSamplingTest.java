package dev.tdlab.contracts;

import dev.tdlab.contracts.spec.ExperimentSpec;
import dev.tdlab.contracts.spec.RunSpec;
import dev.tdlab.contracts.spec.SweepExpander;
import dev.tdlab.contracts.spec.TrainSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The paper protocol's train options: fresh sampling and the Adam betas. */
class TrainSamplingTest {

    static TrainSpec train(Double beta1, Double beta2, String sampling) {
        return new TrainSpec("adamw", 2e-3, 16, 100, List.of("all"), 50, 1e-3, "cosine", 0.02, beta1, beta2, sampling);
    }

    static ExperimentSpec spec(TrainSpec t) {
        return SpecValidatorTest.spec(SpecValidatorTest.markov(0.5, 0.8), SpecValidatorTest.model("makkuva-minimal", 8, 1,
                "softmax", true, true, null), t, List.of(0L), null);
    }

    @Test
    void freshSamplingSizesTheTrainingSetToStepsTimesBatch() {
        RunSpec r = SweepExpander.apply(spec(train(0.9, 0.95, "fresh")), Map.of("train.steps", 200), 3L);
        assertEquals(200 * 16, r.data().trainSequences());
        assertTrue(r.train().fresh());
        assertEquals(0.95, r.train().beta2());
        RunSpec w = SweepExpander.apply(spec(train(null, null, null)), Map.of(), 3L);
        assertEquals("replacement", w.train().sampling());
        assertNull(w.train().beta1());
        assertEquals(SpecValidatorTest.markov(0.5, 0.8).withDefaults().trainSequences(), w.data().trainSequences());
    }

    @Test
    void validatesTheNewFields() {
        assertEquals(List.of(), SpecValidatorTest.fields(spec(train(0.9, 0.95, "fresh"))));
        assertEquals(List.of("train.beta1", "train.beta2", "train.sampling"),
                SpecValidatorTest.fields(spec(train(1.0, -0.1, "online"))));
    }
}
