package dev.tdlab.core.fast;

import static dev.tdlab.core.fast.SingleLayerKernelsTest.data;
import static dev.tdlab.core.fast.SingleLayerKernelsTest.oneHot;
import static dev.tdlab.core.fast.SingleLayerKernelsTest.relErr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.deep.DeepConfig;
import dev.tdlab.core.model.deep.DeepTransformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The deep model's kernels against the engine of record, in float64: loss, per-token losses, the family's extra outputs
 * (attention entropy and its ratio, head variance, rank collapse) and the gradient of every parameter against the
 * SameDiff graph's, to 1e-6 relative (as {@link SingleLayerKernelsTest}); and every gradient entry against five-point
 * central finite differences of the kernels' own loss. Depth 1-3, widths 4-64, 1-4 heads, T a multiple of 4 or not,
 * pre-LN and no LN, every residual scaling, MLP or none, tied or untied head.
 */
class DeepKernelsTest {

    static DeepConfig config(int vocab, int t, int d, int heads, int depth, boolean mlp, int ratio, boolean tied,
                             boolean ln, String residual) {
        // gaussian 0.5 with layer norm (0.3 without): attention far from uniform, every gradient non-trivial
        return new DeepConfig(vocab, t, d, heads, depth, residual, residual.equals("beta-over-depth") ? 4.0 : 1.0, ln,
                mlp, ratio, tied, "softmax", "standard", "gaussian", ln ? 0.5 : 0.3, Map.of());
    }

    @ParameterizedTest(name = "V={0} T={1} d={2} heads={3} L={4} mlp={5} ratio={6} tied={7} ln={8} {9}")
    @CsvSource({"2,8,8,1,1,true,4,true,true,inv-sqrt-depth", "3,7,16,2,2,true,2,false,true,inv-sqrt-depth",
        "2,9,12,3,3,true,4,true,true,beta-over-depth", "2,13,16,4,2,false,4,true,true,none",
        "4,5,8,2,2,true,4,true,false,inv-sqrt-depth", "2,6,4,1,3,true,4,false,false,none",
        "2,33,32,1,3,true,4,false,true,none", "2,64,64,2,2,true,4,true,true,inv-sqrt-depth",
        "2,1,8,2,2,true,4,true,true,inv-sqrt-depth"})
    void gradientsMatchTheSameDiffGraphInFloat64(int vocab, int t, int d, int heads, int depth, boolean mlp, int ratio,
                                                 boolean tied, boolean ln, String residual) {
        DeepConfig c = config(vocab, t, d, heads, depth, mlp, ratio, tied, ln, residual);
        assertTrue(DeepKernels.supports(c));
        Map<String, double[]> p = DeepTransformer.initialParameters(c, 7);
        double[] bias = p.get(DeepTransformer.HEAD_BIAS);
        for (int i = 0; i < bias.length; i++) bias[i] = 0.1 * (i + 1);
        TokenDataset ds = data(vocab, 3, t, 5);
        int[] seqs = {0, 1, 2};

        List<String> extras = new ArrayList<>(DeepTransformer.attentionEntropies(c));
        extras.addAll(DeepTransformer.familyMetrics(c).values());
        DeepKernels k = new DeepKernels(c);
        k.bind(p);
        Map<String, Double> kOut = new HashMap<>();
        double loss = k.lossAndGradients(ds, seqs, 0, 3, extras, kOut);

        SameDiff sd = DeepTransformer.build(c, DataType.DOUBLE, p);
        INDArray[] xy = oneHot(ds);
        Map<String, INDArray> ph = Map.of(DeepTransformer.INPUT, xy[0], DeepTransformer.TARGET, xy[1]);
        List<String> names = DeepTransformer.parameterNames(c);
        Map<String, INDArray> g = sd.calculateGradients(ph, names);
        List<String> outs = new ArrayList<>(List.of(DeepTransformer.LOSS, DeepTransformer.TOKEN_LOSS));
        outs.addAll(extras);
        Map<String, INDArray> out = sd.output(ph, outs.toArray(new String[0]));

        assertEquals(out.get(DeepTransformer.LOSS).getDouble(0), loss, 1e-12 * Math.abs(loss), "loss");
        for (String e : extras) {
            double graph = out.get(e).getDouble(0);
            assertEquals(graph, kOut.get(e), 1e-10 * Math.max(1, Math.abs(graph)), e);
        }
        double[] graphTok = out.get(DeepTransformer.TOKEN_LOSS).dup('c').data().asDouble();
        double[] tok = new double[3 * t];
        for (int s = 0; s < 3; s++) k.tokenLosses(ds, s, tok, s * t);
        assertTrue(relErr(tok, graphTok) < 1e-12, "token losses");
        double worst = SingleLayerKernelsTest.checkAgainstGraph(names, g, k::gradient);
        System.out.printf("deep kernels vs SameDiff float64 V=%d T=%d d=%d H=%d L=%d ln=%b %s: max relative gradient "
                + "error %.2e, %d extra outputs%n", vocab, t, d, heads, depth, ln, residual, worst, extras.size());
    }

    @ParameterizedTest(name = "V={0} T={1} d={2} heads={3} L={4} mlp={5} tied={6} ln={7} {8}")
    @CsvSource({"2,6,8,2,2,true,true,true,inv-sqrt-depth", "3,5,8,1,2,true,false,false,beta-over-depth",
        "2,7,4,1,1,false,true,true,none", "2,4,8,2,3,false,false,true,beta-over-depth"})
    void gradientsMatchFiniteDifferences(int vocab, int t, int d, int heads, int depth, boolean mlp, boolean tied,
                                         boolean ln, String residual) {
        DeepConfig c = config(vocab, t, d, heads, depth, mlp, 2, tied, ln, residual);
        Map<String, double[]> p = new HashMap<>(DeepTransformer.initialParameters(c, 3));
        TokenDataset ds = data(vocab, 2, t, 9);
        int[] seqs = {0, 1};
        DeepKernels k = new DeepKernels(c);
        k.bind(p);
        Map<String, Double> none = new HashMap<>();
        k.lossAndGradients(ds, seqs, 0, 2, List.of(), none);
        Map<String, double[]> analytic = new HashMap<>();
        for (String n : DeepTransformer.parameterNames(c)) analytic.put(n, k.gradient(n).clone());
        double worst = SingleLayerKernelsTest.checkFiniteDifferences(p, analytic,
                () -> k.lossAndGradients(ds, seqs, 0, 2, List.of(), none));
        System.out.printf("deep kernels vs finite differences: max relative error %.2e%n", worst);
    }

    @Test
    void supportsOnlyWhatItComputes() {
        DeepConfig ref = DeepConfig.defaults();
        assertTrue(DeepKernels.supports(ref));
        assertTrue(DeepKernels.supports(ref.withBlocks(false, false)));
        assertTrue(DeepKernels.supports(ref.withResidual("beta-over-depth", 4.0)));
        assertTrue(DeepKernels.supports(ref.withTiedEmbedding(false)));
        assertFalse(DeepKernels.supports(ref.withLayerNorm(true, "post")));
        assertFalse(DeepKernels.supports(ref.withAttention("gaussian")));
        assertFalse(DeepKernels.supports(ref.withCausal(false)));
        assertFalse(DeepKernels.supports(ref.withParameterization("mup")));
        assertThrows(IllegalArgumentException.class, () -> new DeepKernels(ref.withParameterization("mup")));
        assertTrue(EngineChoice.fastComputes(ref));
        assertFalse(EngineChoice.fastComputes(ref.withLayerNorm(true, "post")));
        assertTrue(EngineChoice.useFast(ref, "fast"));
        assertFalse(EngineChoice.useFast(ref, "samediff"));
        assertThrows(IllegalArgumentException.class, () -> EngineChoice.useFast(ref.withAttention("linear"), "fast"));
        assertFalse(EngineChoice.useFast(ref.withAttention("linear"), "auto"), "auto falls back to the graph");
        assertTrue(Rows.VECTOR, "the suite's JVM has the Vector API (surefire argLine)");
        assertTrue(EngineChoice.useFast(ref, "auto"), "d=16: the kernels");
        assertTrue(EngineChoice.useFast(ref.withWidth(64, 2).withDepth(8), "auto"), "the deep line: the kernels");
        assertFalse(EngineChoice.useFast(ref.withWidth(128, 2), "auto"), "wider models stay on SameDiff");
        assertTrue(EngineChoice.useFast(ref.withWidth(128, 2), "fast"));
        DeepKernels k = new DeepKernels(ref);
        k.bind(DeepTransformer.initialParameters(ref, 1));
        assertThrows(IllegalArgumentException.class, () -> k.lossAndGradients(data(2, 1, 64, 1), new int[] {0}, 0, 1,
                List.of("layer0/attn/probs"), new HashMap<>()));
    }
}
