package dev.tdlab.trainer;

import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.contracts.spec.ModelSpec;
import dev.tdlab.contracts.spec.SpecSize;
import dev.tdlab.core.model.deep.DeepConfig;
import dev.tdlab.core.model.deep.DeepTransformer;
import dev.tdlab.core.model.makkuvaminimal.MinimalConfig;
import dev.tdlab.core.model.makkuvaminimal.MinimalTransformer;
import dev.tdlab.core.model.singlelayer.SingleLayerConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerTransformer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The quota's parameter count (contracts' SpecSize, from the spec alone) equals the parameters the engine builds
 * (dynamics-engine's shapes), for the families counted exactly. The trainer is the module that sees both.
 */
class SpecSizeAgreementTest {

    static long count(Map<String, long[]> shapes) {
        long n = 0;
        for (long[] s : shapes.values()) {
            long k = 1;
            for (long x : s) {
                k *= x;
            }
            n += k;
        }
        return n;
    }

    static DataSpec markov(int vocab, int seqLen) {
        return new DataSpec("markov", 1, vocab, null, null, null, 1.0, seqLen, 10, 10);
    }

    @Test
    void singleLayer() {
        for (int[] c : new int[][]{{2, 64, 4, 1}, {8, 128, 16, 4}, {2, 256, 32, 2}}) {
            for (boolean mlp : new boolean[]{true, false}) {
                for (boolean tied : new boolean[]{true, false}) {
                    SingleLayerConfig cfg = new SingleLayerConfig(c[0], c[1], c[2], c[3], mlp, 4, tied, "gaussian", 0.02);
                    ModelSpec m = new ModelSpec("single-layer", c[2], c[3], "softmax", mlp, tied, null, "standard");
                    assertEquals(count(SingleLayerTransformer.shapes(cfg)), SpecSize.parameters(m, markov(c[0], c[1])),
                            cfg.toString());
                }
            }
        }
    }

    @Test
    void makkuvaMinimal() {
        for (boolean mlp : new boolean[]{true, false}) {
            for (boolean tied : new boolean[]{true, false}) {
                MinimalConfig cfg = new MinimalConfig(1024, 8, 1, mlp, tied, "base", 0.02, 0.0, "softmax", Map.of());
                ModelSpec m = new ModelSpec("makkuva-minimal", 8, 1, "softmax", mlp, tied, null, "standard");
                assertEquals(count(MinimalTransformer.shapes(cfg)), SpecSize.parameters(m, markov(2, 1024)), cfg.toString());
            }
        }
    }

    @Test
    void deep() {
        DeepConfig d = DeepConfig.defaults();
        ModelSpec m = new ModelSpec("deep", d.dModel(), d.heads(), d.attention(), d.mlp(), d.tiedEmbedding(), null,
                d.parameterization(), d.depth(), d.residualScaling(), d.beta(), d.layerNorm(), null);
        assertEquals(4, d.mlpRatio(), "SpecSize assumes the MLP width 4d");
        assertEquals(count(DeepTransformer.shapes(d)), SpecSize.parameters(m, markov(d.vocab(), d.seqLen())));
    }
}
