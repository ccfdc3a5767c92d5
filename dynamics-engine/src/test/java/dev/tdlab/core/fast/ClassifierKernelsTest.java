package dev.tdlab.core.fast;

import static dev.tdlab.core.fast.SingleLayerKernelsTest.relErr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.model.deep.DeepConfig;
import dev.tdlab.core.model.twolayerclassifier.ClassifierConfig;
import dev.tdlab.core.model.twolayerclassifier.PatchClassifier;
import java.util.HashMap;
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
 * The classifier's hand-written kernels against the engine of record, in float64: loss, per-example losses, 0-1
 * errors, attention entropy and the gradient of every parameter against the SameDiff graph's
 * ({@code calculateGradients}), to 1e-6 relative; and every gradient entry against central finite differences of the
 * kernels' own loss. Configs cover every option of the family: patches and tokens, the three kernels, 1-3 heads, sum
 * and mean pooling, fixed and linear readouts, logistic and squared losses, Li's template size.
 */
class ClassifierKernelsTest {

    static final double MAX_REL_VS_GRAPH = 1e-6;
    static final double FD_EPS = 1e-6, FLOOR = 1e-3, MAX_REL_VS_FD = 1e-6;
    static final int B = 5;

    static ClassifierConfig config(String input, int seqLen, int inputDim, int dModel, int heads, int qk, int dv,
                                   String kernel, boolean scale, String pool, String readout, String loss) {
        // std 0.5: attention far from uniform, every gradient non-trivial
        return new ClassifierConfig(input, seqLen, inputDim, dModel, heads, qk, dv, kernel, scale, pool, readout,
                "gaussian", 0.5, 0.5, Map.of(), loss);
    }

    /** {x [B·n·inputDim], y [B]}: Gaussian patches or one-hot tokens, labels 0/1 (both classes present). */
    static double[][] data(ClassifierConfig c, int b, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = c.positions(), in = c.inputDim();
        double[] x = new double[b * n * in], y = new double[b];
        for (int e = 0; e < b; e++) {
            y[e] = e % 2;
            for (int p = 0; p < n; p++) {
                if (c.tokenInput()) {
                    x[(e * n + p) * in + r.nextInt(in)] = 1;
                } else {
                    for (int j = 0; j < in; j++) x[(e * n + p) * in + j] = gaussian(r);
                }
            }
        }
        return new double[][] {x, y};
    }

    static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    @ParameterizedTest(name = "{0} n={1} in={2} d={3} heads={4} qk={5} v={6} {7} scale={8} {9} {10} {11}")
    @CsvSource({"patches,2,8,0,1,4,6,softmax,false,sum,fixed,logistic",
        "patches,3,5,0,2,4,4,gaussian,true,mean,linear,logistic",
        "patches,4,6,0,2,6,4,gaussian-unnormalized,true,mean,linear,squared",
        "patches,3,4,0,1,2,2,softmax,true,sum,fixed,squared",
        "patches,2,64,0,1,32,32,softmax,false,sum,fixed,logistic",
        "tokens,5,3,4,2,4,4,softmax,true,mean,linear,logistic",
        "tokens,4,2,6,3,6,6,gaussian,true,sum,fixed,squared"})
    void gradientsMatchTheSameDiffGraphInFloat64(String input, int seqLen, int inputDim, int dModel, int heads, int qk,
                                                 int dv, String kernel, boolean scale, String pool, String readout,
                                                 String lossName) {
        ClassifierConfig c = config(input, seqLen, inputDim, dModel, heads, qk, dv, kernel, scale, pool, readout, lossName);
        Map<String, double[]> p = PatchClassifier.initialParameters(c, 7);
        double[][] xy = data(c, B, 5);
        ClassifierKernels k = new ClassifierKernels(c);
        k.bind(p);
        double[] err = new double[1], ent = new double[1];
        double loss = k.lossAndGradients(xy[0], xy[1], B, err, ent);

        SameDiff sd = PatchClassifier.build(c, DataType.DOUBLE, p);
        Map<String, INDArray> ph = Map.of(PatchClassifier.INPUT,
                Nd4j.createFromArray(xy[0]).reshape('c', B, c.positions(), c.inputDim()),
                PatchClassifier.TARGET, Nd4j.createFromArray(xy[1]));
        List<String> names = PatchClassifier.parameterNames(c);
        Map<String, INDArray> g = sd.calculateGradients(ph, names);
        boolean normalized = !kernel.equals("gaussian-unnormalized");
        Map<String, INDArray> out = normalized
                ? sd.output(ph, PatchClassifier.LOSS, PatchClassifier.TOKEN_LOSS, PatchClassifier.ERRORS,
                        PatchClassifier.ERROR, PatchClassifier.ATTN_ENTROPY)
                : sd.output(ph, PatchClassifier.LOSS, PatchClassifier.TOKEN_LOSS, PatchClassifier.ERRORS,
                        PatchClassifier.ERROR);

        assertEquals(out.get(PatchClassifier.LOSS).getDouble(0), loss, 1e-12 * Math.abs(loss), "loss");
        assertEquals(out.get(PatchClassifier.ERROR).getDouble(0), err[0], 0.0, "0-1 error");
        if (normalized) {
            assertEquals(out.get(PatchClassifier.ATTN_ENTROPY).getDouble(0), ent[0], 1e-12, "attention entropy");
        }
        double[] losses = new double[B], errors = new double[B];
        k.lossesAndErrors(xy[0], xy[1], B, losses, errors, 0);
        assertTrue(relErr(losses, out.get(PatchClassifier.TOKEN_LOSS).dup('c').data().asDouble()) < 1e-12,
                "per-example losses");
        assertEquals(List.of(box(out.get(PatchClassifier.ERRORS).dup('c').data().asDouble())), List.of(box(errors)),
                "per-example errors");
        double worst = 0;
        for (String n : names) {
            double[] graph = g.get(n).dup('c').data().asDouble();
            double e = relErr(k.gradient(n), graph);
            worst = Math.max(worst, e);
            assertTrue(e < MAX_REL_VS_GRAPH, n + ": relative error " + e);
        }
        System.out.printf("classifier fast vs SameDiff float64 %s: max relative gradient error %.2e%n",
                c.toString().replaceAll(", initScheme.*", ""), worst);
    }

    static Double[] box(double[] a) {
        Double[] b = new Double[a.length];
        for (int i = 0; i < a.length; i++) b[i] = a[i];
        return b;
    }

    @ParameterizedTest(name = "{0} {1} heads={2} {3} {4} {5}")
    @CsvSource({"patches,softmax,1,sum,fixed,logistic", "patches,gaussian,2,mean,linear,squared",
        "patches,gaussian-unnormalized,2,mean,linear,logistic", "tokens,softmax,2,mean,linear,logistic",
        "tokens,gaussian,1,sum,fixed,squared"})
    void gradientsMatchFiniteDifferences(String input, String kernel, int heads, String pool, String readout,
                                         String lossName) {
        boolean tokens = input.equals("tokens");
        ClassifierConfig c = config(input, 3, tokens ? 3 : 5, tokens ? 4 : 0, heads, 4, 4, kernel, true, pool, readout,
                lossName);
        Map<String, double[]> p = new HashMap<>(PatchClassifier.initialParameters(c, 3));
        double[][] xy = data(c, 4, 9);
        ClassifierKernels k = new ClassifierKernels(c);
        k.bind(p);
        k.lossAndGradients(xy[0], xy[1], 4, null, null);
        Map<String, double[]> analytic = new HashMap<>();
        for (String n : PatchClassifier.parameterNames(c)) analytic.put(n, k.gradient(n).clone());
        double worst = 0;
        for (String n : PatchClassifier.parameterNames(c)) {
            double[] w = p.get(n), a = analytic.get(n);
            for (int i = 0; i < w.length; i++) {
                double keep = w[i];
                w[i] = keep + FD_EPS;
                double up = k.lossAndGradients(xy[0], xy[1], 4, null, null);
                w[i] = keep - FD_EPS;
                double down = k.lossAndGradients(xy[0], xy[1], 4, null, null);
                w[i] = keep;
                double num = (up - down) / (2 * FD_EPS);
                double rel = Math.abs(a[i] - num) / Math.max(Math.abs(a[i]) + Math.abs(num), FLOOR);
                worst = Math.max(worst, rel);
                assertTrue(rel < MAX_REL_VS_FD, n + "[" + i + "]: analytic " + a[i] + " vs numeric " + num);
            }
        }
        System.out.printf("classifier fast vs finite differences (%s %s): max relative error %.2e%n", input, kernel, worst);
    }

    @Test
    void engineChoice() {
        ClassifierConfig li = ClassifierConfig.defaults();
        assertTrue(EngineChoice.useFast(li, "auto"), "the classifier takes the kernels by default");
        assertTrue(EngineChoice.useFast(li, "fast"));
        assertFalse(EngineChoice.useFast(li, "samediff"));
        assertTrue(EngineChoice.useFast(ClassifierConfig.tokens(4, 16, 8, 2, "gaussian"), "auto"));
        ClassifierConfig longTokens = ClassifierConfig.tokens(2, 64, 16, 2, "softmax");
        assertFalse(EngineChoice.useFast(longTokens, "auto"), "65 positions stay on the graph");
        assertTrue(EngineChoice.useFast(longTokens, "fast"));
        DeepConfig postLn = DeepConfig.defaults().withLayerNorm(true, "post");
        assertFalse(EngineChoice.useFast(postLn, "auto"), "a post-LN deep model stays on the graph");
        assertThrows(IllegalArgumentException.class, () -> EngineChoice.useFast(postLn, "fast"));
        assertThrows(IllegalArgumentException.class, () -> new ClassifierKernels(li).bind(Map.of()),
                "missing parameters are named");
    }

    /** The Vector API tiles give the plain loops' bits (zero entries skipped alike), at shapes with every tail. */
    @Test
    void tilesAreBitIdenticalToThePlainLoops() {
        assertTrue(ClassifierKernels.TILES, "the suite's JVM has jdk.incubator.vector (surefire argLine)");
        SplittableRandom r = new SplittableRandom(11);
        for (int[] mkn : new int[][] {{128, 64, 64}, {7, 5, 3}, {9, 13, 41}, {33, 16, 72}}) {
            int m = mkn[0], k = mkn[1], n = mkn[2];
            double[] a = new double[m * k], b = new double[k * n], bm = new double[m * n];
            for (int i = 0; i < a.length; i++) a[i] = r.nextInt(3) == 0 ? 0.0 : gaussian(r);
            for (int i = 0; i < b.length; i++) b[i] = gaussian(r);
            for (int i = 0; i < bm.length; i++) bm[i] = gaussian(r);
            double[] plain = new double[m * n], tiles = new double[m * n];
            ClassifierKernels.matmul(a, b, plain, m, k, n);
            ProductTiles.matmul(a, b, tiles, m, k, n);
            assertTrue(java.util.Arrays.equals(plain, tiles), "matmul " + m + "x" + k + "x" + n);
            double[] plainAt = new double[k * n], tilesAt = new double[k * n];
            ClassifierKernels.matmulAtAcc(a, bm, plainAt, m, k, n);
            ProductTiles.matmulAt(a, bm, tilesAt, m, k, n);
            assertTrue(java.util.Arrays.equals(plainAt, tilesAt), "matmulAt " + m + "x" + k + "x" + n);
        }
    }
}
