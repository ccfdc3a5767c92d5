package dev.tdlab.core.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.singlelayer.SingleLayerConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerTransformer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The hand-written kernels against the engine of record, in float64: loss, per-token losses, attention entropy and the
 * gradient of every parameter against the SameDiff graph's ({@code calculateGradients}), to 1e-6 relative; and every
 * gradient entry against central finite differences of the kernels' own loss. Head width 4 takes the fused per-row
 * passes, every other width the blocked attention (blocks of 4 query rows; T not a multiple of 4 leaves a short last
 * block). The suite's JVM has the Vector API module (surefire argLine), so the products and long rows go through
 * {@link VectorRows}.
 */
class SingleLayerKernelsTest {

    /** Relative error bound against the SameDiff graph (the 1e-6; measured ~1e-14). */
    static final double MAX_REL_VS_GRAPH = 1e-6;
    /**
     * Finite differences: the five-point central stencil, error O(h⁴), so h can be 1e-4, where the loss's rounding
     * (~1e-15) costs ~1e-11 (with the three-point stencil at h = 1e-6, rounding alone costs ~1e-9 and the sharp
     * attention of initStd 0.5 at head width 16 pushed the error to ~1.5e-6); |a-n| / max(|a|+|n|, FLOOR) (as
     * GradientCheckTest).
     */
    static final double FD_EPS = 1e-4, FLOOR = 1e-3, MAX_REL_VS_FD = 1e-6;
    static final double[] STENCIL = {-2, -1, 1, 2};

    static SingleLayerConfig config(int vocab, int t, int d, int heads, boolean mlp, int ratio, boolean tied) {
        // initStd 0.5: attention far from uniform, every gradient non-trivial
        return new SingleLayerConfig(vocab, t, d, heads, mlp, ratio, tied, "gaussian", 0.5);
    }

    static TokenDataset data(int vocab, int n, int t, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] b = new byte[n * (t + 1)];
        for (int i = 0; i < b.length; i++) b[i] = (byte) r.nextInt(vocab);
        return new TokenDataset(b, n, t, vocab);
    }

    static INDArray[] oneHot(TokenDataset ds) {
        int n = ds.numSequences(), t = ds.seqLen(), v = ds.vocab();
        double[] x = new double[n * t * v], y = new double[n * t * v];
        for (int s = 0; s < n; s++) {
            for (int p = 0; p < t; p++) {
                x[(s * t + p) * v + ds.token(s, p)] = 1;
                y[(s * t + p) * v + ds.token(s, p + 1)] = 1;
            }
        }
        return new INDArray[] {Nd4j.createFromArray(x).reshape('c', n, t, v), Nd4j.createFromArray(y).reshape('c', n, t, v)};
    }

    static double relErr(double[] a, double[] b) {
        double diff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / Math.max(scale, 1e-300);
    }

    @ParameterizedTest(name = "V={0} T={1} d={2} heads={3} mlp={4} ratio={5} tied={6}")
    @CsvSource({"2,8,4,1,true,4,true", "2,8,4,2,true,4,false", "3,7,6,3,true,2,true", "2,8,4,1,false,4,true",
        "4,5,8,2,false,4,false", "2,16,4,1,true,4,true",
        // long rows and wide matmuls: the Vector API paths (fused head-width-4 passes, generic heads, combine)
        "2,64,4,1,true,4,true", "2,40,16,4,true,4,true", "3,33,16,1,true,4,false", "2,37,12,2,true,4,true",
        // the blocked attention: head width 6, 8, 16, 32, 64; T = 1, 2, 3 mod 4 and a multiple of 4
        "2,21,16,1,true,4,true", "3,19,64,1,true,4,false", "2,13,32,2,false,4,true", "2,9,8,1,true,2,true",
        "2,3,16,1,true,4,true", "2,1,8,1,true,4,false", "2,24,64,1,true,4,true"})
    void gradientsMatchTheSameDiffGraphInFloat64(int vocab, int t, int d, int heads, boolean mlp, int ratio,
                                                 boolean tied) {
        SingleLayerConfig c = config(vocab, t, d, heads, mlp, ratio, tied);
        Map<String, double[]> p = SingleLayerTransformer.initialParameters(c, 7);
        double[] bias = p.get(SingleLayerTransformer.HEAD_BIAS);
        for (int i = 0; i < bias.length; i++) bias[i] = 0.1 * (i + 1);
        TokenDataset ds = data(vocab, 3, t, 5);
        int[] seqs = {0, 1, 2};

        SingleLayerKernels k = new SingleLayerKernels(c);
        k.bind(p);
        double[] ent = new double[1];
        double loss = k.lossAndGradients(ds, seqs, 0, 3, ent);

        SameDiff sd = SingleLayerTransformer.build(c, DataType.DOUBLE, p);
        INDArray[] xy = oneHot(ds);
        Map<String, INDArray> ph = Map.of(SingleLayerTransformer.INPUT, xy[0], SingleLayerTransformer.TARGET, xy[1]);
        List<String> names = SingleLayerTransformer.parameterNames(c);
        Map<String, INDArray> g = sd.calculateGradients(ph, names);
        Map<String, INDArray> out = sd.output(ph, SingleLayerTransformer.LOSS, SingleLayerTransformer.TOKEN_LOSS,
                SingleLayerTransformer.ATTN_ENTROPY);

        assertEquals(out.get(SingleLayerTransformer.LOSS).getDouble(0), loss, 1e-12 * Math.abs(loss), "loss");
        assertEquals(out.get(SingleLayerTransformer.ATTN_ENTROPY).getDouble(0), ent[0], 1e-12, "attention entropy");
        double[] graphTok = out.get(SingleLayerTransformer.TOKEN_LOSS).dup('c').data().asDouble();
        double[] tok = new double[3 * t];
        for (int s = 0; s < 3; s++) k.tokenLosses(ds, s, tok, s * t);
        assertTrue(relErr(tok, graphTok) < 1e-12, "token losses");
        double worst = checkAgainstGraph(names, g, k::gradient);
        System.out.printf("fast vs SameDiff float64 %s: max relative gradient error %.2e%n", c.toString()
                .replaceAll(", init.*", ""), worst);
    }

    @ParameterizedTest(name = "V={0} heads={1} mlp={2} tied={3} T={4} d={5}")
    @CsvSource({"2,1,true,true,6,4", "3,2,true,false,6,4", "2,2,false,true,6,4",
        // the blocked attention (head width 16 and 8, T = 7 and 5: a short last block)
        "2,1,true,true,7,16", "3,2,true,false,5,16"})
    void gradientsMatchFiniteDifferences(int vocab, int heads, boolean mlp, boolean tied, int t, int d) {
        SingleLayerConfig c = config(vocab, t, d, heads, mlp, 4, tied);
        Map<String, double[]> p = new HashMap<>(SingleLayerTransformer.initialParameters(c, 3));
        TokenDataset ds = data(vocab, 2, t, 9);
        int[] seqs = {0, 1};
        SingleLayerKernels k = new SingleLayerKernels(c);
        k.bind(p);
        k.lossAndGradients(ds, seqs, 0, 2, null);
        Map<String, double[]> analytic = new HashMap<>();
        for (String n : SingleLayerTransformer.parameterNames(c)) analytic.put(n, k.gradient(n).clone());
        double worst = checkFiniteDifferences(p, analytic, () -> k.lossAndGradients(ds, seqs, 0, 2, null));
        System.out.printf("fast vs finite differences: max relative error %.2e%n", worst);
    }

    /** Each parameter's kernel gradient against the graph's to {@link #MAX_REL_VS_GRAPH}; returns the largest error. */
    static double checkAgainstGraph(List<String> names, Map<String, INDArray> graph, Function<String, double[]> kernels) {
        double worst = 0;
        for (String n : names) {
            double e = relErr(kernels.apply(n), graph.get(n).dup('c').data().asDouble());
            worst = Math.max(worst, e);
            assertTrue(e < MAX_REL_VS_GRAPH, n + ": relative error " + e);
        }
        return worst;
    }

    /**
     * Every entry of every parameter of {@code analytic} (by name, the gradient at the current values of p) against the
     * five-point central difference of {@code loss} (evaluated at the values of p, moved one entry at a time); returns
     * the largest relative error.
     */
    static double checkFiniteDifferences(Map<String, double[]> p, Map<String, double[]> analytic, DoubleSupplier loss) {
        double worst = 0;
        for (Map.Entry<String, double[]> e : analytic.entrySet()) {
            double[] w = p.get(e.getKey()), a = e.getValue();
            for (int i = 0; i < w.length; i++) {
                double keep = w[i];
                double[] f = new double[4];
                for (int j = 0; j < 4; j++) {
                    w[i] = keep + STENCIL[j] * FD_EPS;
                    f[j] = loss.getAsDouble();
                }
                w[i] = keep;
                double num = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * FD_EPS);
                double rel = Math.abs(a[i] - num) / Math.max(Math.abs(a[i]) + Math.abs(num), FLOOR);
                worst = Math.max(worst, rel);
                assertTrue(rel < MAX_REL_VS_FD, e.getKey() + "[" + i + "]: analytic " + a[i] + " vs numeric " + num);
            }
        }
        return worst;
    }

    @Test
    void engineChoice() {
        SingleLayerConfig ref = SingleLayerConfig.of(2, 64, 4);
        assertTrue(EngineChoice.useFast(ref, "auto"));
        assertTrue(EngineChoice.useFast(ref, "fast"));
        assertFalse(EngineChoice.useFast(ref, "samediff"));
        assertTrue(Rows.VECTOR, "the suite's JVM has the Vector API (surefire argLine)");
        assertEquals(EngineChoice.AUTO_MAX_D, EngineChoice.autoMaxD());
        assertTrue(EngineChoice.useFast(SingleLayerConfig.of(2, 64, 64), "auto"), "d=64: the kernels");
        assertFalse(EngineChoice.useFast(SingleLayerConfig.of(2, 64, 128), "auto"), "wider models stay on SameDiff");
        assertTrue(EngineChoice.useFast(SingleLayerConfig.of(2, 64, 128), "fast"));
        SingleLayerConfig gaussian = ref.withAttention("gaussian");
        assertFalse(EngineChoice.useFast(gaussian, "auto"), "auto falls back to the graph");
        assertThrows(IllegalArgumentException.class, () -> EngineChoice.useFast(gaussian, "fast"));
        assertThrows(IllegalArgumentException.class, () -> EngineChoice.useFast(ref, "gpu"));
        String before = System.getProperty(EngineChoice.PROPERTY);
        try {
            System.setProperty(EngineChoice.PROPERTY, "samediff");
            assertFalse(EngineChoice.useFast(ref, "auto"), "the property pins auto");
            assertTrue(EngineChoice.useFast(ref, "fast"), "the train option wins over the property");
        } finally {
            if (before == null) System.clearProperty(EngineChoice.PROPERTY);
            else System.setProperty(EngineChoice.PROPERTY, before);
        }
    }
}
