package dev.tdlab.core.model;

import dev.tdlab.core.model.makkuvaminimal.MinimalConfig;
import dev.tdlab.core.model.makkuvaminimal.MinimalTransformer;
import dev.tdlab.core.model.singlelayer.SingleLayerConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerTransformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.TokenDataset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The Makkuva-code init schemes, the scalar-to-one-hot mapping, and explicit values. */
class InitsTest {

    static final int T = 6, D = 4;

    @Test
    void goodSetsTheCodesConstants() {
        Map<String, double[]> p = MinimalTransformer.initialParameters(MinimalConfig.of(T, D, "good"), 1);
        for (double x : p.get(SingleLayerTransformer.WTE)) assertEquals(0.5, x);
        for (double x : p.get(SingleLayerTransformer.WPE)) assertEquals(-0.25, x);
        for (double x : p.get(SingleLayerTransformer.W1)) assertEquals(1.0, x);
        for (double x : p.get(SingleLayerTransformer.W2)) assertEquals(-1.0, x);
        assertEquals(0.0, p.get(SingleLayerTransformer.HEAD_BIAS)[0]);
        double s = std(p.get(SingleLayerTransformer.WQ));
        assertTrue(s > 0.005 && s < 0.05, "wq ~ N(0, 0.02^2), std " + s);
    }

    @Test
    void lowrankIsRankOneInAlpha() {
        MinimalConfig c = new MinimalConfig(T, D, 1, true, true, "lowrank", 0.02, 0.3, "softmax", Map.of());
        Map<String, double[]> p = MinimalTransformer.initialParameters(c, 5);
        double[] e = p.get(SingleLayerTransformer.WTE);
        double mag = Math.abs(e[0]);
        assertTrue(mag > 0 && mag < 0.6);
        double[] alpha = new double[D];
        for (int j = 0; j < D; j++) {
            assertEquals(mag, Math.abs(e[j]), 0.0, "e = |0.1 N| alpha");
            alpha[j] = Math.signum(e[j]);
        }
        double[] wpe = p.get(SingleLayerTransformer.WPE);
        for (int r = 0; r < T; r++) for (int j = 0; j < D; j++) assertEquals(-0.5 * e[j], wpe[r * D + j], 0.0);
        double[] wv = p.get(SingleLayerTransformer.WV); // v alpha^T: row j = v_j alpha
        for (int j = 0; j < D; j++) for (int i = 0; i < D; i++) assertEquals(wv[j * D] * alpha[0] * alpha[i], wv[j * D + i], 1e-15);
        double[] w1 = p.get(SingleLayerTransformer.W1), w2 = p.get(SingleLayerTransformer.W2);
        int h = 4 * D;
        for (int j = 0; j < D; j++) {
            for (int k = 0; k < h; k++) {
                assertEquals(alpha[j] * w1[k] * alpha[0], w1[j * h + k], 1e-15, "w1 = alpha w^T");
                assertEquals(w1[j * h + k], w2[k * D + j], 0.0, "w2 = w alpha^T = w1^T");
                assertEquals(Math.abs(w1[0]), Math.abs(w1[j * h + k]), 1e-15, "one magnitude |0.1 N|");
            }
        }
        assertTrue(p.get(SingleLayerTransformer.HEAD_BIAS)[0] != 0.0, "tied: b ~ N(0,1)");
    }

    /**
     * The documented mapping: the one-hot V=2 model with wte = [0; e], bias = [0, b] (and head/w = [0 | w] untied)
     * computes exactly the minimal model's loss, for any parameters.
     */
    @ParameterizedTest(name = "{0} tied={1}")
    @CsvSource({"base,true", "good,true", "lowrank,true", "lowrank,false", "base,false"})
    void oneHotMappingIsExact(String scheme, boolean tied) {
        MinimalConfig mc = new MinimalConfig(T, D, 1, true, tied, scheme, 0.3, 0.2, "softmax", Map.of());
        Map<String, double[]> mp = MinimalTransformer.initialParameters(mc, 3);
        SingleLayerConfig sc = new SingleLayerConfig(2, T, D, 1, true, 4, tied, scheme, 0.3, "softmax", 0.2, Map.of());
        Map<String, double[]> sp = new LinkedHashMap<>(SingleLayerTransformer.initialParameters(sc, 3));
        // the one-hot scheme itself keeps the mapping's zeros
        double[] ownWte = sp.get(SingleLayerTransformer.WTE);
        for (int j = 0; j < D; j++) assertEquals(0.0, ownWte[j], "token-0 row is 0");
        assertEquals(0.0, sp.get(SingleLayerTransformer.HEAD_BIAS)[0]);
        // map the minimal model's parameters
        for (String n : mp.keySet()) if (sp.containsKey(n) && mp.get(n).length == sp.get(n).length) sp.put(n, mp.get(n));
        double[] wte = new double[2 * D];
        System.arraycopy(mp.get(SingleLayerTransformer.WTE), 0, wte, D, D);
        sp.put(SingleLayerTransformer.WTE, wte);
        sp.put(SingleLayerTransformer.HEAD_BIAS, new double[] {0, mp.get(SingleLayerTransformer.HEAD_BIAS)[0]});
        if (!tied) {
            double[] w = mp.get(SingleLayerTransformer.HEAD_W), hw = new double[2 * D];
            for (int j = 0; j < D; j++) hw[j * 2 + 1] = w[j];
            sp.put(SingleLayerTransformer.HEAD_W, hw);
        }
        TokenDataset ds = ModelFixtures.data(2, 3, T, 4);
        INDArray a = MinimalTransformer.build(mc, DataType.DOUBLE, mp)
                .output(ModelFixtures.placeholders(ModelFixtures.scalar(ds, DataType.DOUBLE)), MinimalTransformer.TOKEN_LOSS)
                .get(MinimalTransformer.TOKEN_LOSS);
        SameDiff one = SingleLayerTransformer.build(sc, DataType.DOUBLE, sp);
        INDArray b = one.output(ModelFixtures.placeholders(ModelFixtures.oneHot(ds, DataType.DOUBLE)),
                SingleLayerTransformer.TOKEN_LOSS).get(SingleLayerTransformer.TOKEN_LOSS);
        assertArrayEquals(a.toDoubleVector(), b.toDoubleVector(), 1e-12);
    }

    @Test
    void explicitValuesOverrideTheScheme() {
        double[] wq = new double[D * D];
        for (int i = 0; i < wq.length; i++) wq[i] = i * 0.1;
        SingleLayerConfig c = new SingleLayerConfig(2, T, D, 1, true, 4, true, "gaussian", 0.02)
                .withInitValues(Map.of(SingleLayerTransformer.WQ, wq));
        Map<String, double[]> p = SingleLayerTransformer.initialParameters(c, 1);
        assertArrayEquals(wq, p.get(SingleLayerTransformer.WQ), 0.0);
        Map<String, double[]> plain = SingleLayerTransformer.initialParameters(c.withInitValues(Map.of()), 1);
        assertArrayEquals(plain.get(SingleLayerTransformer.WK), p.get(SingleLayerTransformer.WK), 0.0);
        wq[0] = 42; // the config holds its own copy
        assertEquals(0.0, SingleLayerTransformer.initialParameters(c, 1).get(SingleLayerTransformer.WQ)[0]);
        assertThrows(IllegalArgumentException.class, () -> SingleLayerTransformer.initialParameters(
                c.withInitValues(Map.of("layer0/attn/nope", new double[1])), 1));
        assertThrows(IllegalArgumentException.class, () -> SingleLayerTransformer.initialParameters(
                c.withInitValues(Map.of(SingleLayerTransformer.WQ, new double[3])), 1));
        assertThrows(IllegalArgumentException.class, () -> new SingleLayerConfig(3, T, D, 1, true, 4, true, "good", 0.02));
        assertThrows(IllegalArgumentException.class, () -> MODEL_WITH("cosine"));
    }

    static double std(double[] a) {
        double s = 0;
        for (double x : a) s += x * x;
        return Math.sqrt(s / a.length);
    }

    private static SingleLayerConfig MODEL_WITH(String kernel) {
        return new SingleLayerConfig(2, T, D, 1, true, 4, true, "gaussian", 0.02).withAttention(kernel);
    }
}
