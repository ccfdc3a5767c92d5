package dev.tdlab.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.TokenDataset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Float64 checks of the graph on tiny models: the forward pass against a plain-Java implementation of the same
 * model (so the graph computes the intended function: causal mask direction, scaling, heads, tying), and SameDiff's
 * gradient of every variable against central finite differences.
 */
class GradientCheckTest {

    static final double EPS = 1e-6;
    /** Relative error |a-n| / max(|a|+|n|, FLOOR): gradients below the floor are checked to 1e-5 * FLOOR absolute. */
    static final double FLOOR = 1e-3;
    static final double MAX_REL_ERROR = 1e-5;

    static SingleLayerConfig config(int vocab, int heads, boolean tied) {
        // initStd 0.5 instead of 0.02: large enough that attention is far from uniform and every gradient is non-trivial
        return new SingleLayerConfig(vocab, 4, 4, heads, true, 4, tied, "gaussian", 0.5);
    }

    @ParameterizedTest(name = "V={0} heads={1} tied={2}")
    @CsvSource({"2,1,true", "2,1,false", "2,2,true", "2,2,false", "3,2,true"})
    void forwardMatchesPlainJava(int vocab, int heads, boolean tied) {
        SingleLayerConfig c = config(vocab, heads, tied);
        Map<String, double[]> p = SingleLayerTransformer.initialParameters(c, 11);
        p.get(SingleLayerTransformer.HEAD_BIAS)[0] = 0.3; // exercise the bias too
        TokenDataset ds = ModelFixtures.data(vocab, 3, c.seqLen(), 5);
        SameDiff sd = SingleLayerTransformer.build(c, DataType.DOUBLE, p);
        Map<String, INDArray> ph = ModelFixtures.placeholders(ModelFixtures.oneHot(ds, DataType.DOUBLE));
        Map<String, INDArray> out = sd.output(ph, SingleLayerTransformer.TOKEN_LOSS, SingleLayerTransformer.LOSS);
        double[] expected = ModelFixtures.referenceTokenLosses(c, p, ds);
        double[] actual = out.get(SingleLayerTransformer.TOKEN_LOSS).toDoubleVector();
        assertEquals(expected.length, actual.length);
        double mean = 0;
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12, "token loss " + i);
            mean += expected[i] / expected.length;
        }
        assertEquals(mean, out.get(SingleLayerTransformer.LOSS).getDouble(0), 1e-12, "loss = mean over B*T targets");
    }

    @ParameterizedTest(name = "V=2 heads={0} tied={1}")
    @CsvSource({"1,true", "1,false", "2,true", "2,false"})
    void gradientsMatchFiniteDifferences(int heads, boolean tied) {
        SingleLayerConfig c = config(2, heads, tied);
        Map<String, double[]> p = SingleLayerTransformer.initialParameters(c, 7);
        p.get(SingleLayerTransformer.HEAD_BIAS)[1] = -0.2;
        SameDiff sd = SingleLayerTransformer.build(c, DataType.DOUBLE, p);
        TokenDataset ds = ModelFixtures.data(2, 3, c.seqLen(), 9);
        Map<String, INDArray> ph = ModelFixtures.placeholders(ModelFixtures.oneHot(ds, DataType.DOUBLE));
        List<String> names = SingleLayerTransformer.parameterNames(c);
        Map<String, INDArray> grads = sd.calculateGradients(ph, names);

        double worst = 0;
        String worstAt = "";
        int checked = 0;
        for (String name : names) {
            INDArray w = sd.getVariable(name).getArr();
            INDArray g = grads.get(name);
            assertEquals(DataType.DOUBLE, g.dataType());
            assertTrue(java.util.Arrays.equals(w.shape(), g.shape()), name + " gradient shape");
            for (long i = 0; i < w.length(); i++) {
                double orig = w.getDouble(i);
                w.putScalar(i, orig + EPS);
                double plus = loss(sd, ph);
                w.putScalar(i, orig - EPS);
                double minus = loss(sd, ph);
                w.putScalar(i, orig);
                double numeric = (plus - minus) / (2 * EPS);
                double analytic = g.getDouble(i);
                double rel = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic) + Math.abs(numeric), FLOOR);
                if (rel > worst) {
                    worst = rel;
                    worstAt = name + "[" + i + "] analytic " + analytic + " numeric " + numeric;
                }
                checked++;
            }
        }
        assertTrue(checked > 200, "checked " + checked + " parameters");
        assertTrue(worst < MAX_REL_ERROR, "max relative error " + worst + " at " + worstAt);
    }

    private static double loss(SameDiff sd, Map<String, INDArray> ph) {
        return sd.output(ph, SingleLayerTransformer.LOSS).get(SingleLayerTransformer.LOSS).getDouble(0);
    }
}
