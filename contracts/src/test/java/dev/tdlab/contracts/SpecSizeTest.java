package dev.tdlab.contracts;

import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.contracts.spec.InitSpec;
import dev.tdlab.contracts.spec.ModelSpec;
import dev.tdlab.contracts.spec.RunSpec;
import dev.tdlab.contracts.spec.SpecSize;
import dev.tdlab.contracts.spec.TrainSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parameter counts and dataset sizes against closed forms written out by hand. */
class SpecSizeTest {

    static DataSpec markov(int vocab, int seqLen, int train, int eval) {
        return new DataSpec("markov", 1, vocab, vocab == 2 ? 0.2 : null, vocab == 2 ? 0.3 : null, null,
                vocab == 2 ? null : 1.0, seqLen, train, eval);
    }

    static ModelSpec model(String family, int d, boolean mlp, boolean tied) {
        return new ModelSpec(family, d, 1, "softmax", mlp, tied, new InitSpec("gaussian", 0.02), "standard");
    }

    @Test
    void singleLayerOfThePaper() {
        // V=2, T=256, d=4, MLP 4d, tied: wte 2·4 + wpe 256·4 + 4·4² + 2·(4·16) + bias 2 = 8 + 1024 + 64 + 128 + 2
        assertEquals(1226, SpecSize.parameters(model("single-layer", 4, true, true), markov(2, 256, 10, 10)));
        // defaults are the same model
        assertEquals(1226, SpecSize.parameters(null, markov(2, 256, 10, 10)));
    }

    @Test
    void singleLayerWithoutMlpAndUntiedHead() {
        // V=8, T=32, d=16: 8·16 + 32·16 + 4·256 + head 16·8 + bias 8 = 128 + 512 + 1024 + 128 + 8
        assertEquals(1800, SpecSize.parameters(model("single-layer", 16, false, false), markov(8, 32, 10, 10)));
    }

    @Test
    void makkuvaMinimalHasScalarInputAndOneLogit() {
        // T=1024, d=8, MLP, tied: e 8 + wpe 8192 + 4·64 + 8·64 + bias 1
        assertEquals(8 + 8192 + 256 + 512 + 1, SpecSize.parameters(model("makkuva-minimal", 8, true, true),
                markov(2, 1024, 10, 10)));
        // untied adds head/w [d,1]
        assertEquals(8 + 8192 + 256 + 512 + 8 + 1, SpecSize.parameters(model("makkuva-minimal", 8, true, false),
                markov(2, 1024, 10, 10)));
    }

    @Test
    void deepRepeatsTheBlock() {
        ModelSpec deep = new ModelSpec("deep", 32, 4, "softmax", true, true, null, "standard", 6, null, null, null, null);
        // V=2, T=64, d=32, L=6: 2·32 + 64·32 + 6·12·32² + 2
        assertEquals(64 + 2048 + 6L * 12 * 1024 + 2, SpecSize.parameters(deep, markov(2, 64, 10, 10)));
    }

    @Test
    void otherFamiliesAreCountedConservatively() {
        ModelSpec classifier = new ModelSpec("two-layer-classifier", 16, 1, "softmax", null, null, null, null);
        DataSpec patches = new DataSpec("noisy-patch", null, null, null, null, null, null, null, 100, 50,
                null, null, 64, 2, null, null, null, null, null, null, null);
        long n = SpecSize.parameters(classifier, patches);
        // the classifier's own parameters (wq, wk [D,16], wv [D,32], a head) are far fewer than the bound
        assertTrue(n >= 64L * 16 * 2 + 64L * 32 + 32, "bound " + n);
        ModelSpec unknown = new ModelSpec("future", 8, 1, null, false, true, null, null);
        assertTrue(SpecSize.parameters(unknown, markov(2, 16, 1, 1))
                >= SpecSize.parameters(model("single-layer", 8, true, false), markov(2, 16, 1, 1)));
    }

    @Test
    void datasetSizeIsSequencesTimesLength() {
        assertEquals((4096 + 256) * 128L, SpecSize.datasetSize(markov(2, 128, 4096, 256)));
        DataSpec patches = new DataSpec("noisy-patch", null, null, null, null, null, null, null, 100, 50,
                null, null, 64, 3, null, null, null, null, null, null, null);
        assertEquals(150 * 3, SpecSize.datasetSize(patches));
        DataSpec image = new DataSpec("patch-image", null, null, null, null, null, null, null, 10, 10,
                null, null, null, null, null, null, null, null, 16, 4, 4);
        assertEquals(20 * 16, SpecSize.datasetSize(image));
        assertEquals(0, SpecSize.datasetSize(null));
    }

    @Test
    void stepParametersSaturatesInsteadOfOverflowing() {
        TrainSpec t = new TrainSpec(null, null, null, 1000, null, null, null, null, null);
        RunSpec run = new RunSpec(markov(2, 256, 1, 1), model("single-layer", 4, true, true), t, 0);
        assertEquals(1_226_000, SpecSize.stepParameters(run));
        assertEquals(Long.MAX_VALUE, SpecSize.transformer(Long.MAX_VALUE / 2, 4, 4, 1, true, true));
    }
}
