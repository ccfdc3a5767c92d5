package dev.tdlab.trainer.mapping;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.contracts.spec.ModelSpec;
import dev.tdlab.contracts.spec.RunSpec;
import dev.tdlab.contracts.spec.TrainSpec;
import dev.tdlab.core.model.twolayerclassifier.ClassifierConfig;
import dev.tdlab.core.model.deep.DeepConfig;
import dev.tdlab.core.model.makkuvaminimal.MinimalConfig;
import dev.tdlab.core.model.ModelConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerConfig;
import dev.tdlab.core.optim.OptimizerConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a run's spec and its dataset's shape become the engine's model and optimizer configuration
 * (no servers, no training): one config per model family, sizes from datasets.ready, the "auto" init scheme of the
 * deep family, the classifier's two readouts, and the width/depth learning-rate multiplier under mup.
 */
class EngineConfigsTest {

    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    static RunSpec spec(String data, String model, String train) throws Exception {
        DataSpec d = JSON.readValue(data, DataSpec.class).withDefaults();
        ModelSpec m = JSON.readValue(model, ModelSpec.class).withDefaults();
        TrainSpec t = JSON.readValue(train, TrainSpec.class).withDefaults();
        return new RunSpec(d, m, t, 3);
    }

    static final String MARKOV = "{\"family\": \"markov\", \"vocab\": 2, \"p\": 0.2, \"q\": 0.3, \"seqLen\": 32}";

    /** The dataset's shape as data-gen announces it (seqLen, vocab). */
    static DatasetReady shape(int seqLen, int vocab) throws Exception {
        return JSON.readValue("{\"seqLen\": %d, \"vocab\": %d}".formatted(seqLen, vocab), DatasetReady.class);
    }

    @Test
    void singleLayerIsTheDefaultFamilyAndTakesItsSizesFromTheDataset() throws Exception {
        RunSpec s = spec(MARKOV, "{\"dModel\": 8, \"heads\": 2, \"init\": {\"values\": {\"wte\": [1.0, 2.0]}}}", "{}");
        ModelConfig c = EngineConfigs.model(s, shape(32, 2));
        SingleLayerConfig sl = assertInstanceOf(SingleLayerConfig.class, c);
        assertEquals(2, sl.vocab());
        assertEquals(32, sl.seqLen());
        assertEquals(8, sl.dModel());
        assertEquals(2, sl.heads());
        assertArrayEquals(new double[]{1.0, 2.0}, sl.initValues().get("wte"));
    }

    @Test
    void makkuvaMinimal() throws Exception {
        RunSpec s = spec(MARKOV, "{\"family\": \"makkuva-minimal\", \"dModel\": 4, \"init\": {\"scheme\": \"lowrank\","
                + " \"std\": 0.1, \"vStd\": 0.5}}", "{}");
        MinimalConfig m = assertInstanceOf(MinimalConfig.class, EngineConfigs.model(s, shape(32, 2)));
        assertEquals(32, m.seqLen());
        assertEquals(4, m.dModel());
        assertEquals("lowrank", m.initScheme());
        assertEquals(0.1, m.initStd());
        assertEquals(0.5, m.vStd());
    }

    @Test
    void deepAutoInitIsXavierUnderStandardAndGaussianUnderMup() throws Exception {
        String model = "{\"family\": \"deep\", \"dModel\": 16, \"heads\": 2, \"depth\": 3, \"parameterization\": \"%s\","
                + " \"init\": {\"scheme\": \"auto\", \"std\": 0.02}}";
        DeepConfig standard = (DeepConfig) EngineConfigs.model(spec(MARKOV, model.formatted("standard"), "{}"),
                shape(32, 2));
        assertEquals("xavier", standard.initScheme());
        assertEquals(3, standard.depth());
        DeepConfig mup = (DeepConfig) EngineConfigs.model(spec(MARKOV, model.formatted("mup"), "{}"), shape(32, 2));
        assertEquals("gaussian", mup.initScheme());
        assertEquals("mup", mup.parameterization());
    }

    @Test
    void classifierReadouts() throws Exception {
        String tokens = "{\"family\": \"sequence-classification\", \"vocab\": 5, \"seqLen\": 16}";
        ClassifierConfig li = (ClassifierConfig) EngineConfigs.model(spec(tokens,
                "{\"family\": \"two-layer-classifier\", \"dModel\": 8, \"readout\": \"fixed\"}", "{}"), shape(16, 5));
        assertEquals("tokens", li.input());
        assertEquals(5, li.inputDim());
        assertEquals(8, li.dModel());
        assertEquals("sum", li.pool());
        assertFalse(li.scaleScores());
        ClassifierConfig song = (ClassifierConfig) EngineConfigs.model(spec(tokens,
                "{\"family\": \"two-layer-classifier\", \"dModel\": 8, \"readout\": \"linear\"}", "{}"), shape(16, 5));
        assertEquals("mean", song.pool());
        assertTrue(song.scaleScores());
        ClassifierConfig patches = (ClassifierConfig) EngineConfigs.model(spec(
                "{\"family\": \"patch-image\", \"imageSize\": 8, \"patchSize\": 4}",
                "{\"family\": \"two-layer-classifier\", \"dModel\": 8}", "{}"), shape(4, 0));
        assertEquals("patches", patches.input());
        assertEquals(16, patches.inputDim(), "patchSize²");
        assertEquals(0, patches.dModel(), "patches enter without an embedding");
    }

    @Test
    void optimizerCarriesTheTrainSpec() throws Exception {
        OptimizerConfig o = EngineConfigs.optimizer(spec(MARKOV, "{}",
                "{\"optimizer\": \"adamw\", \"lr\": 0.003, \"weightDecay\": 0.1, \"schedule\": \"cosine\", \"warmup\": 0.05}"));
        assertEquals("adamw", o.name());
        assertEquals(0.003, o.lr());
        assertEquals(0.1, o.weightDecay());
        assertEquals("cosine", o.schedule());
        assertEquals(0.05, o.warmupFraction());
        assertEquals(OptimizerConfig.of("adamw", 0.003).beta2(), o.beta2());
    }

    @Test
    void underMupTheRateIsTheBaseRateTimesTheWidthDepthMultiplier() throws Exception {
        String model = "{\"family\": \"deep\", \"dModel\": 32, \"heads\": 4, \"depth\": 8, \"parameterization\": \"%s\","
                + " \"residualScaling\": \"inv-sqrt-depth\"}";
        String train = "{\"optimizer\": \"sgd\", \"lr\": 0.1}";
        assertEquals(0.1, EngineConfigs.optimizer(spec(MARKOV, model.formatted("standard"), train)).lr());
        double expected = 0.1 * DeepConfig.lrMultiplier("depth-mup", "sgd", 8, 4, 8, "inv-sqrt-depth");
        assertEquals(expected, EngineConfigs.optimizer(spec(MARKOV, model.formatted("depth-mup"), train)).lr(), 1e-15);
    }
}
