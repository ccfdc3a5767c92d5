package dev.tdlab.core.model.twolayerclassifier;

import dev.tdlab.core.model.GradientCheckTest;
import dev.tdlab.core.model.ModelDefinition;
import dev.tdlab.core.model.Models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The two-layer classifier in float64: the graph's logits, per-example losses, mean loss and 0-1 errors against a
 * plain-Java forward pass (every kernel, both inputs, one and two heads, both readouts, both pools), SameDiff's
 * gradients against central finite differences, the parameter groups, and the config's validation.
 */
class ClassifierModelTest {

    static final int B = 5;

    static ClassifierConfig config(String input, int heads, String kernel, String readout, String pool) {
        boolean tokens = input.equals("tokens");
        // init std 0.6 (fan-in off): attention far from uniform, every gradient non-trivial
        return new ClassifierConfig(input, tokens ? 4 : 3, tokens ? 3 : 9, tokens ? 8 : 0, heads, 8, 8, kernel,
                heads == 2, pool, readout, "gaussian", 0.6, 0.6, Map.of());
    }

    /** {x, y}: patches N(0,1) [B,n,D] or one-hot tokens [B,n,V]; labels 0/1 [B]. */
    static INDArray[] data(ClassifierConfig c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = c.positions(), w = c.inputDim();
        INDArray x = Nd4j.zeros(DataType.DOUBLE, B, n, w), y = Nd4j.zeros(DataType.DOUBLE, B);
        for (int i = 0; i < B; i++) {
            for (int p = 0; p < n; p++) {
                if (c.tokenInput()) x.putScalar(new long[] {i, p, r.nextInt(w)}, 1.0);
                else for (int j = 0; j < w; j++) x.putScalar(new long[] {i, p, j}, r.nextGaussian());
            }
            y.putScalar(i, r.nextInt(2));
        }
        return new INDArray[] {x, y};
    }

    static Map<String, INDArray> ph(INDArray[] xy) {
        return Map.of(PatchClassifier.INPUT, xy[0], PatchClassifier.TARGET, xy[1]);
    }

    /** The logit of every example, in plain Java. */
    static double[] referenceLogits(ClassifierConfig c, Map<String, double[]> p, INDArray x) {
        int n = c.positions(), w = c.width(), dk = c.qkDim(), dv = c.valueDim(), nh = c.heads();
        int dkh = dk / nh, dvh = dv / nh;
        double[] wq = p.get(PatchClassifier.WQ), wk = p.get(PatchClassifier.WK), wv = p.get(PatchClassifier.WV);
        double[] r = c.readout().equals("linear") ? p.get(PatchClassifier.HEAD_W) : PatchClassifier.fixedReadout(c);
        double cs = c.scoreScale();
        double[] out = new double[B];
        for (int b = 0; b < B; b++) {
            double[][] h = new double[n][w];
            for (int t = 0; t < n; t++) {
                if (c.tokenInput()) {
                    int tok = -1;
                    for (int v = 0; v < c.inputDim(); v++) if (x.getDouble(b, t, v) == 1.0) tok = v;
                    for (int j = 0; j < w; j++) {
                        h[t][j] = p.get(PatchClassifier.WTE)[tok * w + j] + p.get(PatchClassifier.WPE)[t * w + j];
                    }
                } else {
                    for (int j = 0; j < w; j++) h[t][j] = x.getDouble(b, t, j);
                }
            }
            double[][] q = mul(h, wq, w, dk), k = mul(h, wk, w, dk), v = mul(h, wv, w, dv);
            double[] pooled = new double[dv];
            for (int hd = 0; hd < nh; hd++) {
                for (int t = 0; t < n; t++) {
                    double[] g = new double[n];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s < n; s++) {
                        double dot = 0, dist = 0;
                        for (int u = hd * dkh; u < (hd + 1) * dkh; u++) {
                            dot += q[t][u] * k[s][u];
                            dist += (q[t][u] - k[s][u]) * (q[t][u] - k[s][u]);
                        }
                        g[s] = c.attention().equals("softmax") ? cs * dot : -cs * dist / 2;
                        max = Math.max(max, g[s]);
                    }
                    double z = 0;
                    for (int s = 0; s < n; s++) {
                        g[s] = c.attention().equals("gaussian-unnormalized") ? Math.exp(g[s]) : Math.exp(g[s] - max);
                        z += g[s];
                    }
                    if (c.attention().equals("gaussian-unnormalized")) z = 1;
                    for (int s = 0; s < n; s++) {
                        for (int u = hd * dvh; u < (hd + 1) * dvh; u++) {
                            pooled[u] += g[s] / z * v[s][u] / (c.pool().equals("mean") ? n : 1);
                        }
                    }
                }
            }
            double logit = 0;
            for (int u = 0; u < dv; u++) logit += pooled[u] * r[u];
            out[b] = logit;
        }
        return out;
    }

    static double[][] mul(double[][] h, double[] wt, int in, int outDim) {
        double[][] o = new double[h.length][outDim];
        for (int t = 0; t < h.length; t++) {
            for (int u = 0; u < outDim; u++) {
                double s = 0;
                for (int j = 0; j < in; j++) s += h[t][j] * wt[j * outDim + u];
                o[t][u] = s;
            }
        }
        return o;
    }

    @ParameterizedTest(name = "{0} heads={1} {2} {3} {4}")
    @CsvSource({"patches,1,softmax,fixed,sum", "patches,2,softmax,linear,mean", "patches,1,gaussian,linear,sum",
        "patches,2,gaussian,fixed,mean", "patches,2,gaussian-unnormalized,linear,sum", "tokens,1,softmax,linear,mean",
        "tokens,2,gaussian,linear,mean", "tokens,2,gaussian-unnormalized,fixed,sum"})
    void forwardMatchesPlainJava(String input, int heads, String kernel, String readout, String pool) {
        ClassifierConfig c = config(input, heads, kernel, readout, pool);
        Map<String, double[]> p = PatchClassifier.initialParameters(c, 3);
        INDArray[] xy = data(c, 4);
        SameDiff sd = PatchClassifier.build(c, DataType.DOUBLE, p);
        Map<String, INDArray> out = sd.output(ph(xy), PatchClassifier.LOGITS, PatchClassifier.TOKEN_LOSS,
                PatchClassifier.LOSS, PatchClassifier.ERRORS, PatchClassifier.ERROR);
        double[] ref = referenceLogits(c, p, xy[0]);
        double mean = 0, errs = 0;
        for (int b = 0; b < B; b++) {
            double z = ref[b], yb = xy[1].getDouble(b);
            assertEquals(z, out.get(PatchClassifier.LOGITS).getDouble(b), 1e-10, "logit " + b);
            double l = Math.log1p(Math.exp(-(2 * yb - 1) * z));
            assertEquals(l, out.get(PatchClassifier.TOKEN_LOSS).getDouble(b), 1e-10, "loss " + b);
            double e = (2 * yb - 1) * z > 0 ? 0 : 1;
            assertEquals(e, out.get(PatchClassifier.ERRORS).getDouble(b), 0.0, "error " + b);
            mean += l / B;
            errs += e / B;
        }
        assertEquals(mean, out.get(PatchClassifier.LOSS).getDouble(0), 1e-10);
        assertEquals(errs, out.get(PatchClassifier.ERROR).getDouble(0), 1e-12);
    }

    @ParameterizedTest(name = "{0} heads={1} {2} {3}")
    @CsvSource({"patches,2,softmax,linear", "patches,2,gaussian,fixed", "patches,2,gaussian-unnormalized,linear",
        "tokens,2,softmax,linear", "tokens,2,gaussian,linear"})
    void gradientsMatchFiniteDifferences(String input, int heads, String kernel, String readout) {
        ClassifierConfig c = config(input, heads, kernel, readout, "sum");
        Map<String, double[]> p = PatchClassifier.initialParameters(c, 7);
        SameDiff sd = PatchClassifier.build(c, DataType.DOUBLE, p);
        GradientCheckTest.checkGradients(sd, ph(data(c, 9)), PatchClassifier.parameterNames(c), PatchClassifier.LOSS);
    }

    /** The squared loss (Song et al.): per example (z − y')², its mean, and gradients against finite differences. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"softmax", "gaussian", "gaussian-unnormalized"})
    void squaredLossValuesAndGradients(String kernel) {
        ClassifierConfig c = config("patches", 2, kernel, "linear", "mean").withLoss("squared");
        Map<String, double[]> p = PatchClassifier.initialParameters(c, 3);
        INDArray[] xy = data(c, 4);
        SameDiff sd = PatchClassifier.build(c, DataType.DOUBLE, p);
        Map<String, INDArray> out = sd.output(ph(xy), PatchClassifier.TOKEN_LOSS, PatchClassifier.LOSS);
        double[] ref = referenceLogits(c, p, xy[0]);
        double mean = 0;
        for (int b = 0; b < B; b++) {
            double l = Math.pow(ref[b] - (2 * xy[1].getDouble(b) - 1), 2);
            assertEquals(l, out.get(PatchClassifier.TOKEN_LOSS).getDouble(b), 1e-10, "loss " + b);
            mean += l / B;
        }
        assertEquals(mean, out.get(PatchClassifier.LOSS).getDouble(0), 1e-10);
        SameDiff g = PatchClassifier.build(c, DataType.DOUBLE, PatchClassifier.initialParameters(c, 7));
        GradientCheckTest.checkGradients(g, ph(data(c, 9)), PatchClassifier.parameterNames(c), PatchClassifier.LOSS);
        assertThrows(IllegalArgumentException.class, () -> c.withLoss("hinge"));
    }

    @Test
    void parametersAndGroups() {
        ClassifierConfig li = ClassifierConfig.defaults();
        assertEquals(List.of("layer0/attn/wq", "layer0/attn/wk", "layer0/attn/wv"), PatchClassifier.parameterNames(li));
        ModelDefinition def = Models.of(li);
        assertEquals(List.of("layer0/attn/wv"), def.trainable(List.of("v")));
        assertEquals(List.of("layer0/attn/wq"), def.trainable(List.of("q")));
        assertEquals(List.of("layer0/attn/wq", "layer0/attn/wk"), def.trainable(List.of("qk")));
        assertThrows(IllegalArgumentException.class, () -> def.trainable(List.of("head")), "fixed readout: no head/w");
        ClassifierConfig tok = ClassifierConfig.tokens(3, 6, 8, 2, "gaussian");
        assertEquals(List.of("emb/wte", "emb/wpe", "layer0/attn/wq", "layer0/attn/wk", "layer0/attn/wv", "head/w"),
                PatchClassifier.parameterNames(tok));
        assertEquals(7, PatchClassifier.shapes(tok).get("emb/wpe")[0], "T + 1 positions");
        assertEquals(List.of("head/w"), Models.of(tok).trainable(List.of("head")));
        assertEquals(3, tok.vocab());
        assertEquals(2, li.vocab());
        double[] r = PatchClassifier.fixedReadout(li);
        assertEquals(1.0 / 16, r[0]);
        assertEquals(-1.0 / 16, r[31]);
        // same (config, seed): same numbers; explicit values replace the scheme's
        assertEquals(PatchClassifier.initialParameters(li, 5).get("layer0/attn/wq")[3],
                PatchClassifier.initialParameters(li, 5).get("layer0/attn/wq")[3]);
        double[] wv = new double[64 * 32];
        wv[0] = 2.0;
        assertEquals(2.0, PatchClassifier.initialParameters(li.withInitValues(Map.of("layer0/attn/wv", wv)), 5)
                .get("layer0/attn/wv")[0]);
        assertTrue(li.equals(ClassifierConfig.li(2, 64, 16, 16, 0.01)));
    }

    @Test
    void invalidFieldsAreNamed() {
        ClassifierConfig d = ClassifierConfig.defaults();
        assertNamed("input", () -> new ClassifierConfig("pixels", 2, 64, 0, 1, 16, 32, "softmax", false, "sum",
                "fixed", "gaussian", 0.01, 0.01, Map.of()));
        assertNamed("attention", () -> d.withAttention("linear"));
        assertNamed("readout", () -> d.withReadout("mlp"));
        assertNamed("valueDim", () -> new ClassifierConfig("patches", 2, 64, 0, 1, 16, 31, "softmax", false, "sum",
                "fixed", "gaussian", 0.01, 0.01, Map.of()));
        assertNamed("qkDim", () -> d.withHeads(3));
        assertNamed("dModel", () -> new ClassifierConfig("patches", 2, 64, 8, 1, 16, 32, "softmax", false, "sum",
                "fixed", "gaussian", 0.01, 0.01, Map.of()));
        assertNamed("pool", () -> new ClassifierConfig("patches", 2, 64, 0, 1, 16, 32, "softmax", false, "max",
                "fixed", "gaussian", 0.01, 0.01, Map.of()));
        assertNamed("initScheme", () -> d.withInit("xavier", 0.1, 0.1));
        assertNamed("initStd", () -> d.withInit("gaussian", Double.NaN, 0.1));
        assertNamed("valueStd", () -> d.withInit("gaussian", 0.1, -1));
        assertNamed("initValues", () -> PatchClassifier.initialParameters(d.withInitValues(Map.of("nope",
                new double[1])), 0));
    }

    private static void assertNamed(String field, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(field), x.getMessage());
    }
}
