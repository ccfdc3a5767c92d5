package dev.tdlab.contracts;

import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.contracts.spec.ExperimentSpec;
import dev.tdlab.contracts.spec.InitSpec;
import dev.tdlab.contracts.spec.ModelSpec;
import dev.tdlab.contracts.spec.SpecValidator;
import dev.tdlab.contracts.spec.TrainSpec;
import dev.tdlab.contracts.spec.Violation;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpecValidatorTest {

    static DataSpec markov(Double p, Double q) {
        return new DataSpec("markov", 1, 2, p, q, null, null, 64, 128, 32);
    }

    static ExperimentSpec spec(DataSpec data, ModelSpec model, TrainSpec train, List<Long> seeds, Map<String, List<Object>> sweep) {
        return new ExperimentSpec("t", data, model, train, seeds, sweep);
    }

    static List<String> fields(ExperimentSpec s) {
        return SpecValidator.validate(s).stream().map(Violation::field).toList();
    }

    @Test
    void referenceSpecIsValid() {
        Map<String, List<Object>> sweep = new LinkedHashMap<>();
        sweep.put("data.p", List.of(0.1, 0.3));
        sweep.put("data.q", List.of(0.1, 0.3));
        ExperimentSpec s = spec(markov(0.2, 0.3),
                new ModelSpec("single-layer", 4, 1, "softmax", true, true, new InitSpec("gaussian", 0.02), null),
                new TrainSpec("adam", 1e-3, 16, 100, List.of("all"), 50, null, null, null), List.of(0L, 1L), sweep);
        assertEquals(List.of(), SpecValidator.validate(s));
    }

    @Test
    void defaultsMakeAMinimalSpecValid() {
        assertEquals(List.of(), SpecValidator.validate(spec(markov(0.2, 0.3), null, null, null, null)));
    }

    @Test
    void namesEveryBadField() {
        ExperimentSpec s = new ExperimentSpec("", new DataSpec("markov", 1, 2, 1.5, -0.1, null, null, 1, 0, 10),
                new ModelSpec("single-layer", 6, 4, "cosine", true, true, new InitSpec("gaussian", -1.0), null),
                new TrainSpec("rmsprop", -1.0, 0, 0, List.of("all"), 10, null, null, null), List.of(1L, 1L), null);
        List<String> f = fields(s);
        for (String expected : List.of("name", "data.p", "data.q", "data.seqLen", "data.trainSequences",
                "model.heads", "model.attention", "model.init.std", "train.optimizer", "train.lr", "train.batch",
                "train.steps", "seeds[1]")) {
            assertTrue(f.contains(expected), () -> expected + " missing from " + f);
        }
    }

    @Test
    void missingDataIsNamed() {
        assertEquals(List.of("data"), fields(spec(null, null, null, null, null)));
    }

    @Test
    void transitionRowsMustBeDistributions() {
        DataSpec d = new DataSpec("markov", 1, 3, null, null,
                List.of(List.of(0.7, 0.2, 0.1), List.of(0.5, 0.6, 0.0), List.of(0.5, 0.5)), null, 16, 8, 8);
        List<String> f = fields(spec(d, null, null, null, null));
        assertEquals(List.of("data.transition[1]", "data.transition[2]"), f);
    }

    @Test
    void badSweepAxesAndValuesAreNamed() {
        Map<String, List<Object>> sweep = new LinkedHashMap<>();
        sweep.put("data.p", List.of(0.1, 2.0));
        sweep.put("data.nope", List.of(1));
        sweep.put("train.steps", List.of());
        List<String> f = fields(spec(markov(0.2, 0.3), null, null, null, sweep));
        assertTrue(f.contains("sweep.data.p[1]"), f::toString);
        assertTrue(f.contains("sweep.data.nope"), f::toString);
        assertTrue(f.contains("sweep.train.steps"), f::toString);
    }

    @Test
    void wrongTypeInSweepIsNamed() {
        Map<String, List<Object>> sweep = new LinkedHashMap<>();
        sweep.put("model.dModel", List.of(4, "wide"));
        List<String> f = fields(spec(markov(0.2, 0.3), null, null, null, sweep));
        assertEquals(List.of("sweep.model.dModel[1]"), f);
    }

    @Test
    void tooManyRunsIsRejected() {
        Map<String, List<Object>> sweep = new LinkedHashMap<>();
        List<Object> many = new java.util.ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            many.add(i);
        }
        sweep.put("train.steps", many);
        sweep.put("train.batch", many);
        assertEquals(List.of("sweep"), fields(spec(markov(0.2, 0.3), null, null, null, sweep)));
    }

    @Test
    void reducibleAndPeriodicBinaryChainsAreRejected() {
        assertEquals(List.of("data.p"), fields(spec(markov(0.0, 0.0), null, null, null, null)));
        assertEquals(List.of("data.p"), fields(spec(markov(1.0, 1.0), null, null, null, null)));
    }

    static ModelSpec model(String family, int d, int heads, String attention, boolean mlp, boolean tied, InitSpec init) {
        return new ModelSpec(family, d, heads, attention, mlp, tied, init, null);
    }

    static TrainSpec train(List<String> trainable) {
        return new TrainSpec("adamw", 2e-3, 16, 100, trainable, 50, 1e-3, "cosine", 0.02);
    }

    @Test
    void engineModelsAndSubsetsAccepted() {
        for (String att : List.of("softmax", "gaussian", "linear")) {
            for (String scheme : List.of("gaussian", "base", "good", "lowrank")) {
                ExperimentSpec s = spec(markov(0.5, 0.8), model("single-layer", 8, 2, att, true, false,
                        new InitSpec(scheme, 0.02, 0.1, null)), train(List.of("q", "k", "emb", "mlp", "head")), List.of(0L), null);
                assertEquals(List.of(), SpecValidator.validate(s), att + " " + scheme);
            }
        }
        ExperimentSpec minimal = spec(markov(0.5, 0.8), model("makkuva-minimal", 8, 1, "softmax", true, true,
                new InitSpec("lowrank", 0.02, 0.0, Map.of("layer0/attn/wq", List.of(0.1, 0.2)))),
                train(List.of("layer0/attn/wv", "qk")), List.of(0L), null);
        assertEquals(List.of(), SpecValidator.validate(minimal));
    }

    @Test
    void whatTheEngineCannotBuildIsRejectedByField() {
        DataSpec ternary = new DataSpec("markov", 1, 3, null, null,
                List.of(List.of(0.5, 0.25, 0.25), List.of(0.25, 0.5, 0.25), List.of(0.25, 0.25, 0.5)), null, 64, 128, 32);
        List<String> f = fields(spec(ternary, model("makkuva-minimal", 6, 4, "softmax", false, true,
                new InitSpec("good", 0.02, -1.0, Map.of("layer0/mlp/w1", List.of(1.0), "nope", List.of(1.0)))),
                train(List.of("mlp", "wq", "all")), List.of(0L), null));
        assertTrue(f.contains("model.heads"), f.toString());
        assertTrue(f.contains("model.family"), f.toString());            // binary-only family on vocab 3
        assertTrue(f.contains("model.init.scheme"), f.toString());       // good: binary only
        assertTrue(f.contains("model.init.vStd"), f.toString());
        assertTrue(f.contains("model.init.values.layer0/mlp/w1"), f.toString()); // no MLP
        assertTrue(f.contains("model.init.values.nope"), f.toString());
        assertTrue(f.contains("train.trainable[0]"), f.toString());      // mlp without an MLP
        assertTrue(f.contains("train.trainable[1]"), f.toString());      // unknown group
        assertTrue(!f.contains("train.trainable[2]"), f.toString());
        assertTrue(fields(spec(markov(0.2, 0.3), model("deep-ish", 4, 1, "cosine", true, true, null), null, List.of(0L), null))
                .containsAll(List.of("model.family", "model.attention")));
    }

    static ModelSpec family(String family, Integer depth, String residualScaling, String parameterization, String readout) {
        return new ModelSpec(family, null, null, null, null, null, null, parameterization, depth, residualScaling, null,
                null, readout);
    }

    @Test
    void deepAndClassifierFamiliesAreAcceptedOnTheirData() {
        Map<String, List<Object>> sweep = new LinkedHashMap<>();
        sweep.put("model.depth", List.of(2, 8));
        sweep.put("model.residualScaling", List.of("none", "inv-sqrt-depth", "beta-over-depth"));
        assertEquals(List.of(), SpecValidator.validate(spec(markov(0.2, 0.3),
                family("deep", null, null, "mup", null), null, null, sweep)));
        assertTrue(fields(spec(markov(0.2, 0.3), family("deep", null, "none", "depth-mup", null), null, null, null))
                .contains("model.residualScaling"));
        DataSpec patches = new DataSpec("noisy-patch", null, null, null, null, null, null, null, 64, 64).withDefaults();
        assertEquals(List.of(), SpecValidator.validate(spec(patches, family("two-layer-classifier", null, null, null, "fixed"),
                new TrainSpec("signgd", 1e-3, 64, 10, List.of("all"), 5, null, null, null), null, null)));
    }

    @Test
    void nociAndBordelonFieldsOfTheDeepFamily() {
        ModelSpec ok = new ModelSpec("deep", null, 2, "softmax", false, false, null, "mup", 4, "beta-over-depth", 4.0,
                true, null, null, "post", false, 0.01, 8);
        Map<String, List<Object>> sweep = new LinkedHashMap<>();
        sweep.put("model.heads", List.of(1, 2, 4));
        sweep.put("model.qkInitScale", List.of(0.01, 1.0));
        assertEquals(List.of(), SpecValidator.validate(spec(markov(0.2, 0.3), ok, null, null, sweep)));
        // headDim fixes N: dModel = headDim * heads in every cell
        ExperimentSpec e = spec(markov(0.2, 0.3), ok, null, null, sweep);
        assertEquals(32, dev.tdlab.contracts.spec.SweepExpander.apply(e, Map.of("model.heads", 4), 0).model().dModel());
        assertEquals(16, ok.withDefaults().dModel());
        ModelSpec both = new ModelSpec("deep", 16, 2, null, null, null, null, null, 2, null, null, null, null,
                null, null, null, null, 8);
        assertTrue(fields(spec(markov(0.2, 0.3), both, null, null, null)).contains("model.dModel"));
        Map<String, List<Object>> dSweep = new LinkedHashMap<>();
        dSweep.put("model.dModel", List.of(8, 16));
        assertTrue(fields(spec(markov(0.2, 0.3), ok, null, null, dSweep)).contains("model.dModel"));
        ModelSpec bad = new ModelSpec("deep", null, 1, "linear", null, null, null, null, 2, null, null, true, null,
                null, "middle", false, -1.0, 0);
        List<String> f = fields(spec(markov(0.2, 0.3), bad, null, null, null));
        for (String expected : List.of("model.layerNormPosition", "model.causal", "model.qkInitScale", "model.headDim")) {
            assertTrue(f.contains(expected), () -> expected + " missing from " + f);
        }
        ModelSpec foreign = new ModelSpec("single-layer", null, null, null, null, null, null, null, null, null, null,
                null, null, null, "post", false, 0.5, 4);
        List<String> g = fields(spec(markov(0.2, 0.3), foreign, null, null, null));
        for (String expected : List.of("model.layerNormPosition", "model.causal", "model.qkInitScale", "model.headDim")) {
            assertTrue(g.contains(expected), () -> expected + " missing from " + g);
        }
    }

    @Test
    void familyDataMismatchAndForeignFieldsAreNamed() {
        DataSpec patches = new DataSpec("noisy-patch", null, null, null, null, null, null, null, 64, 64);
        assertTrue(fields(spec(patches, family("single-layer", null, null, null, null), null, null, null))
                .contains("model.family"));
        assertTrue(fields(spec(markov(0.2, 0.3), family("two-layer-classifier", null, null, null, null), null, null, null))
                .contains("model.family"));
        List<String> f = fields(spec(markov(0.2, 0.3), family("single-layer", 3, "inv-sqrt-depth", "mup", "fixed"),
                null, null, null));
        for (String expected : List.of("model.depth", "model.residualScaling", "model.parameterization", "model.readout")) {
            assertTrue(f.contains(expected), () -> expected + " missing from " + f);
        }
        List<String> g = fields(spec(markov(0.2, 0.3), family("deep", 0, "half", "ntk", null), null, null, null));
        for (String expected : List.of("model.depth", "model.residualScaling", "model.parameterization")) {
            assertTrue(g.contains(expected), () -> expected + " missing from " + g);
        }
    }

    @Test
    void deepInitValuesNameLayersBeyondTheFirst() {
        Map<String, List<Double>> values = Map.of("layer2/attn/wq", List.of(0.0), "layer9/attn/wq", List.of(0.0));
        ModelSpec m = new ModelSpec("deep", 4, 1, null, null, null, new InitSpec("gaussian", 0.02, null, values), null,
                3, null, null, null, null);
        List<String> f = fields(spec(markov(0.2, 0.3), m, null, null, null));
        assertTrue(f.contains("model.init.values.layer9/attn/wq"), f::toString);
        assertTrue(!f.contains("model.init.values.layer2/attn/wq"), f::toString);
    }
}
