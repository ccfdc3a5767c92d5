package dev.tdlab.core.model;

import dev.tdlab.core.model.makkuvaminimal.MinimalConfig;
import dev.tdlab.core.model.makkuvaminimal.MinimalTransformer;
import dev.tdlab.core.model.singlelayer.SingleLayerConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerTransformer;

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
 * Float64 checks of the graphs on tiny models: the forward pass against a plain-Java implementation of the same
 * model (so the graph computes the intended function: causal mask direction, scaling, kernel, heads, tying), and
 * SameDiff's gradient of every variable against central finite differences, for every attention kernel and for the
 * minimal (scalar-token, binary cross-entropy) model.
 */
public class GradientCheckTest {

    static final double EPS = 1e-6;
    /** Relative error |a-n| / max(|a|+|n|, FLOOR): gradients below the floor are checked to 1e-5 * FLOOR absolute. */
    static final double FLOOR = 1e-3;
    static final double MAX_REL_ERROR = 1e-5;

    static SingleLayerConfig config(int vocab, int heads, boolean tied, String kernel) {
        // initStd 0.5 instead of 0.02: large enough that attention is far from uniform and every gradient is non-trivial
        return new SingleLayerConfig(vocab, 4, 4, heads, true, 4, tied, "gaussian", 0.5).withAttention(kernel);
    }

    static MinimalConfig minimal(int heads, boolean tied, String kernel) {
        return new MinimalConfig(4, 4, heads, true, tied, "base", 0.5, 0.0, kernel, Map.of());
    }

    @ParameterizedTest(name = "V={0} heads={1} tied={2} {3}")
    @CsvSource({"2,1,true,softmax", "2,1,false,softmax", "2,2,true,softmax", "2,2,false,softmax", "3,2,true,softmax",
        "2,1,true,gaussian", "3,2,false,gaussian", "2,1,true,linear", "3,2,false,linear"})
    void forwardMatchesPlainJava(int vocab, int heads, boolean tied, String kernel) {
        SingleLayerConfig c = config(vocab, heads, tied, kernel);
        Map<String, double[]> p = SingleLayerTransformer.initialParameters(c, 11);
        p.get(SingleLayerTransformer.HEAD_BIAS)[0] = 0.3; // exercise the bias too
        TokenDataset ds = ModelFixtures.data(vocab, 3, c.seqLen(), 5);
        SameDiff sd = SingleLayerTransformer.build(c, DataType.DOUBLE, p);
        Map<String, INDArray> ph = ModelFixtures.placeholders(ModelFixtures.oneHot(ds, DataType.DOUBLE));
        Map<String, INDArray> out = sd.output(ph, SingleLayerTransformer.TOKEN_LOSS, SingleLayerTransformer.LOSS);
        assertMatches(ModelFixtures.referenceTokenLosses(c, p, ds), out.get(SingleLayerTransformer.TOKEN_LOSS),
                out.get(SingleLayerTransformer.LOSS));
    }

    @ParameterizedTest(name = "minimal heads={0} tied={1} {2}")
    @CsvSource({"1,true,softmax", "1,false,softmax", "2,true,gaussian", "1,false,linear"})
    void minimalForwardMatchesPlainJava(int heads, boolean tied, String kernel) {
        MinimalConfig c = minimal(heads, tied, kernel);
        Map<String, double[]> p = MinimalTransformer.initialParameters(c, 11);
        p.get(SingleLayerTransformer.HEAD_BIAS)[0] = 0.3;
        TokenDataset ds = ModelFixtures.data(2, 3, c.seqLen(), 5);
        SameDiff sd = MinimalTransformer.build(c, DataType.DOUBLE, p);
        Map<String, INDArray> ph = ModelFixtures.placeholders(ModelFixtures.scalar(ds, DataType.DOUBLE));
        Map<String, INDArray> out = sd.output(ph, MinimalTransformer.TOKEN_LOSS, MinimalTransformer.LOSS);
        assertMatches(ModelFixtures.referenceMinimalTokenLosses(c, p, ds), out.get(MinimalTransformer.TOKEN_LOSS),
                out.get(MinimalTransformer.LOSS));
    }

    @ParameterizedTest(name = "V=2 heads={0} tied={1} {2}")
    @CsvSource({"1,true,softmax", "1,false,softmax", "2,true,softmax", "2,false,softmax",
        "1,true,gaussian", "2,false,gaussian", "1,true,linear", "2,false,linear"})
    void gradientsMatchFiniteDifferences(int heads, boolean tied, String kernel) {
        SingleLayerConfig c = config(2, heads, tied, kernel);
        Map<String, double[]> p = SingleLayerTransformer.initialParameters(c, 7);
        p.get(SingleLayerTransformer.HEAD_BIAS)[1] = -0.2;
        SameDiff sd = SingleLayerTransformer.build(c, DataType.DOUBLE, p);
        TokenDataset ds = ModelFixtures.data(2, 3, c.seqLen(), 9);
        Map<String, INDArray> ph = ModelFixtures.placeholders(ModelFixtures.oneHot(ds, DataType.DOUBLE));
        checkGradients(sd, ph, SingleLayerTransformer.parameterNames(c), SingleLayerTransformer.LOSS);
    }

    @ParameterizedTest(name = "minimal heads={0} tied={1} {2}")
    @CsvSource({"1,true,softmax", "1,false,softmax", "2,true,gaussian", "1,true,linear"})
    void minimalGradientsMatchFiniteDifferences(int heads, boolean tied, String kernel) {
        MinimalConfig c = minimal(heads, tied, kernel);
        Map<String, double[]> p = MinimalTransformer.initialParameters(c, 7);
        p.get(SingleLayerTransformer.HEAD_BIAS)[0] = -0.2;
        SameDiff sd = MinimalTransformer.build(c, DataType.DOUBLE, p);
        TokenDataset ds = ModelFixtures.data(2, 3, c.seqLen(), 9);
        Map<String, INDArray> ph = ModelFixtures.placeholders(ModelFixtures.scalar(ds, DataType.DOUBLE));
        checkGradients(sd, ph, MinimalTransformer.parameterNames(c), MinimalTransformer.LOSS);
    }

    private static void assertMatches(double[] expected, INDArray tokenLoss, INDArray loss) {
        double[] actual = tokenLoss.toDoubleVector();
        assertEquals(expected.length, actual.length);
        double mean = 0;
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12, "token loss " + i);
            mean += expected[i] / expected.length;
        }
        assertEquals(mean, loss.getDouble(0), 1e-12, "loss = mean over B*T targets");
    }

    public static void checkGradients(SameDiff sd, Map<String, INDArray> ph, List<String> names, String lossName) {
        Map<String, INDArray> grads = sd.calculateGradients(ph, names);
        double worst = 0;
        String worstAt = "";
        int checked = 0, nonZero = 0;
        for (String name : names) {
            INDArray w = sd.getVariable(name).getArr();
            INDArray g = grads.get(name);
            assertEquals(DataType.DOUBLE, g.dataType());
            assertTrue(java.util.Arrays.equals(w.shape(), g.shape()), name + " gradient shape");
            for (long i = 0; i < w.length(); i++) {
                double orig = w.getDouble(i);
                w.putScalar(i, orig + EPS);
                double plus = loss(sd, ph, lossName);
                w.putScalar(i, orig - EPS);
                double minus = loss(sd, ph, lossName);
                w.putScalar(i, orig);
                double numeric = (plus - minus) / (2 * EPS);
                double analytic = g.getDouble(i);
                double rel = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic) + Math.abs(numeric), FLOOR);
                if (rel > worst) {
                    worst = rel;
                    worstAt = name + "[" + i + "] analytic " + analytic + " numeric " + numeric;
                }
                if (Math.abs(numeric) > 1e-4) nonZero++;
                checked++;
            }
        }
        assertTrue(checked > 200, "checked " + checked + " parameters");
        assertTrue(nonZero > checked / 2, "most gradients non-trivial: " + nonZero + " of " + checked);
        assertTrue(worst < MAX_REL_ERROR, "max relative error " + worst + " at " + worstAt);
    }

    private static double loss(SameDiff sd, Map<String, INDArray> ph, String lossName) {
        return sd.output(ph, lossName).get(lossName).getDouble(0);
    }
}
