package dev.tdlab.core.model.singlelayer;

import dev.tdlab.core.model.ModelFixtures;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.TokenDataset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class SingleLayerTransformerTest {

    @Test
    void namedVariables() {
        SingleLayerConfig tied = SingleLayerConfig.defaults();
        assertEquals(List.of("emb/wte", "emb/wpe", "layer0/attn/wq", "layer0/attn/wk", "layer0/attn/wv",
                "layer0/attn/wo", "layer0/mlp/w1", "layer0/mlp/w2", "head/bias"), SingleLayerTransformer.parameterNames(tied));
        SingleLayerConfig untied = new SingleLayerConfig(3, 8, 6, 2, false, 4, false, "gaussian", 0.02);
        assertEquals(List.of("emb/wte", "emb/wpe", "layer0/attn/wq", "layer0/attn/wk", "layer0/attn/wv",
                "layer0/attn/wo", "head/w", "head/bias"), SingleLayerTransformer.parameterNames(untied));
        SameDiff sd = SingleLayerTransformer.build(untied, DataType.FLOAT, 1);
        for (String n : SingleLayerTransformer.parameterNames(untied)) {
            assertArrayEquals(SingleLayerTransformer.shapes(untied).get(n), sd.getVariable(n).getArr().shape(), n);
        }
        assertArrayEquals(new long[] {6, 3}, sd.getVariable("head/w").getArr().shape());
    }

    @Test
    void gaussianInitIsDeterministicWithTheRightScales() {
        SingleLayerConfig c = new SingleLayerConfig(2, 256, 64, 4, true, 4, true, "gaussian", 0.02);
        Map<String, double[]> a = SingleLayerTransformer.initialParameters(c, 3);
        Map<String, double[]> b = SingleLayerTransformer.initialParameters(c, 3);
        for (String n : a.keySet()) assertArrayEquals(a.get(n), b.get(n), 0.0, n);
        assertNotEquals(a.get("emb/wpe")[0], SingleLayerTransformer.initialParameters(c, 4).get("emb/wpe")[0]);
        assertArrayEquals(new double[2], a.get("head/bias"), 0.0);
        // sample std within 5 standard errors (se of a sample std ~ sigma / sqrt(2n))
        checkStd(a.get("emb/wpe"), 0.02);                       // 16384 values
        checkStd(a.get("layer0/mlp/w1"), 0.02);                 // 16384
        checkStd(a.get("layer0/mlp/w2"), 0.02 / Math.sqrt(2));  // 16384
        checkStd(a.get("layer0/attn/wo"), 0.02 / Math.sqrt(2)); // 4096
        // float32 graph holds the same numbers rounded to float
        SameDiff sd = SingleLayerTransformer.build(c, DataType.FLOAT, 3);
        assertEquals((float) a.get("layer0/attn/wq")[5], sd.getVariable("layer0/attn/wq").getArr().getFloat(0, 5));
    }

    private static void checkStd(double[] w, double sigma) {
        double m = 0, s = 0;
        for (double x : w) m += x / w.length;
        for (double x : w) s += (x - m) * (x - m);
        double std = Math.sqrt(s / (w.length - 1));
        assertEquals(sigma, std, 5 * sigma / Math.sqrt(2.0 * w.length));
        assertEquals(0, m, 5 * sigma / Math.sqrt(w.length));
    }

    @Test
    void causal() {
        // changing the last input token changes only the last position's loss
        SingleLayerConfig c = new SingleLayerConfig(2, 8, 4, 2, true, 4, true, "gaussian", 0.5);
        SameDiff sd = SingleLayerTransformer.build(c, DataType.FLOAT, 2);
        byte[] tokens = new byte[9];
        for (int i = 0; i < 9; i++) tokens[i] = (byte) (i % 3 == 0 ? 1 : 0);
        byte[] changed = tokens.clone();
        changed[7] ^= 1; // input position 7 (target of position 6)
        double[] la = tokenLosses(sd, new TokenDataset(tokens, 1, 8, 2));
        double[] lb = tokenLosses(sd, new TokenDataset(changed, 1, 8, 2));
        for (int t = 0; t < 6; t++) assertEquals(la[t], lb[t], 0.0, "position " + t);
        assertTrue(la[6] != lb[6] && la[7] != lb[7]);
    }

    private static double[] tokenLosses(SameDiff sd, TokenDataset ds) {
        Map<String, INDArray> ph = ModelFixtures.placeholders(ModelFixtures.oneHot(ds, DataType.FLOAT));
        return sd.output(ph, SingleLayerTransformer.TOKEN_LOSS).get(SingleLayerTransformer.TOKEN_LOSS).toDoubleVector();
    }

    @Test
    void badConfigsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new SingleLayerConfig(2, 8, 6, 4, true, 4, true, "gaussian", 0.02));
        assertThrows(IllegalArgumentException.class, () -> new SingleLayerConfig(1, 8, 4, 1, true, 4, true, "gaussian", 0.02));
        assertThrows(IllegalArgumentException.class, () -> new SingleLayerConfig(2, 8, 4, 1, true, 4, true, "xavier", 0.02));
        assertThrows(IllegalArgumentException.class, () -> new SingleLayerConfig(2, 8, 4, 1, true, 4, true, "gaussian", -1));
        assertThrows(IllegalArgumentException.class,
                () -> SingleLayerTransformer.build(SingleLayerConfig.defaults(), DataType.HALF, 0));
    }
}
