package dev.tdlab.core.model.deep;

import dev.tdlab.core.model.GradientCheckTest;
import dev.tdlab.core.model.ModelDefinition;
import dev.tdlab.core.model.ModelFixtures;
import dev.tdlab.core.model.Models;
import dev.tdlab.core.model.ParameterGroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.metrics.RankCollapse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The deep family's graph in float64 on tiny models: the forward pass (token losses and the per-layer rank-collapse
 * outputs) against a plain-Java implementation of the documented model, and SameDiff's gradients against central
 * finite differences (per parameter tensor: one random direction, which tests every entry at once, and one single entry), over every residual scaling, layer norm on and off, every parameterization, every kernel, with
 * 2 heads. Also names, groups, validation and the learning-rate rule.
 */
class DeepTransformerTest {

    static final double EPS = 1e-6;
    /** Relative error |a-n| / max(|a|+|n|, FLOOR), as GradientCheckTest. */
    static final double FLOOR = 1e-3;
    static final double MAX_REL_ERROR = 1e-5;
    /** Random directions checked per parameter tensor (plus one single entry). */
    static final int DIRECTIONS = 1;

    /** d = 4 with 2 heads of width 2, T = 4, V = 3. Standard: gaussian 0.5; mup-like: gaussian 1 (O(1) entries). */
    static DeepConfig config(int depth, String residual, boolean ln, String param, String kernel, boolean mlp,
                             boolean tied) {
        double std = param.equals("standard") ? 0.5 : 1.0;
        return new DeepConfig(3, 4, 4, 2, depth, residual, residual.equals("none") ? 1.0 : 2.0, ln, mlp, 2, tied,
                kernel, param, "gaussian", std, Map.of());
    }

    @ParameterizedTest(name = "L={0} {1} ln={2} {3} {4} mlp={5} tied={6}")
    @CsvSource({
        "2,none,false,standard,softmax,true,true",
        "3,inv-sqrt-depth,true,standard,gaussian,true,false",
        "2,beta-over-depth,true,mup,softmax,false,false",
        "3,none,false,mup,linear,true,true",
        "3,inv-sqrt-depth,false,depth-mup,softmax,true,false",
        "2,beta-over-depth,true,depth-mup,gaussian,true,true",
        "2,inv-sqrt-depth,false,standard,linear,false,true"})
    void forwardMatchesPlainJava(int depth, String residual, boolean ln, String param, String kernel, boolean mlp,
                                 boolean tied) {
        DeepConfig c = config(depth, residual, ln, param, kernel, mlp, tied);
        Map<String, double[]> p = DeepTransformer.initialParameters(c, 11);
        p.get(DeepTransformer.HEAD_BIAS)[0] = 0.3;
        TokenDataset ds = DeepFixtures.uniformTokens(3, 3, c.seqLen(), 5);
        SameDiff sd = DeepTransformer.build(c, DataType.DOUBLE, p);
        Map<String, INDArray> ph = ModelFixtures.placeholders(ModelFixtures.oneHot(ds, DataType.DOUBLE));
        List<String> outs = new java.util.ArrayList<>(List.of(DeepTransformer.TOKEN_LOSS, DeepTransformer.LOSS,
                DeepTransformer.EMB_RANK_COLLAPSE));
        for (int l = 0; l < depth; l++) outs.add(DeepTransformer.rankCollapse(l));
        Map<String, INDArray> out = sd.output(ph, outs.toArray(String[]::new));

        double[] expected = DeepFixtures.tokenLosses(c, p, ds);
        double[] actual = out.get(DeepTransformer.TOKEN_LOSS).toDoubleVector();
        double mean = 0;
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12 * Math.max(1, Math.abs(expected[i])), "token loss " + i);
            mean += expected[i] / expected.length;
        }
        assertEquals(mean, out.get(DeepTransformer.LOSS).getDouble(0), 1e-12 * Math.max(1, Math.abs(mean)),
                "loss = mean over B*T targets");

        for (int l = -1; l < depth; l++) {
            double rho = 0;
            for (int b = 0; b < ds.numSequences(); b++) {
                rho += RankCollapse.relativeResidual(DeepFixtures.forward(c, p, ds, b).hidden().get(l + 1))
                        / ds.numSequences();
            }
            String name = l < 0 ? DeepTransformer.EMB_RANK_COLLAPSE : DeepTransformer.rankCollapse(l);
            assertEquals(rho, out.get(name).getDouble(0), 1e-12, name);
        }
    }

    @ParameterizedTest(name = "L={0} {1} ln={2} {3} {4} mlp={5} tied={6}")
    @CsvSource({
        "2,none,false,standard,softmax,true,true",
        "3,inv-sqrt-depth,true,standard,gaussian,true,false",
        "2,beta-over-depth,true,mup,softmax,false,false",
        "3,none,false,mup,linear,true,true",
        "3,inv-sqrt-depth,false,depth-mup,softmax,true,false",
        "2,beta-over-depth,true,depth-mup,gaussian,true,true"})
    void gradientsMatchFiniteDifferences(int depth, String residual, boolean ln, String param, String kernel,
                                         boolean mlp, boolean tied) {
        checkGradients(config(depth, residual, ln, param, kernel, mlp, tied));
    }

    /** The later options: post-LN, bidirectional attention, small Q/K init, mup's Adam form. */
    @ParameterizedTest(name = "L={0} {1} ln={2} {3} {4} {5} causal={6} qk={7} {8}")
    @CsvSource({
        "2,none,true,post,standard,softmax,true,1.0,sgd",
        "3,inv-sqrt-depth,true,pre,standard,gaussian,false,1.0,sgd",
        "2,beta-over-depth,false,pre,mup,softmax,false,1.0,adam",
        "3,inv-sqrt-depth,true,post,depth-mup,softmax,true,0.1,adam",
        "2,none,false,pre,standard,softmax,false,0.01,sgd"})
    void laterOptionsMatchFiniteDifferences(int depth, String residual, boolean ln, String position, String param,
                                            String kernel, boolean causal, double qk, String form) {
        checkGradients(config(depth, residual, ln, param, kernel, true, depth == 2).withLayerNorm(ln, position)
                .withCausal(causal).withQkInitScale(qk).withMupOptimizer(form));
    }

    static void checkGradients(DeepConfig c) {
        Map<String, double[]> p = DeepTransformer.initialParameters(c, 7);
        p.get(DeepTransformer.HEAD_BIAS)[1] = -0.2;
        SameDiff sd = DeepTransformer.build(c, DataType.DOUBLE, p);
        TokenDataset ds = DeepFixtures.uniformTokens(3, 2, c.seqLen(), 9);
        Map<String, INDArray> ph = ModelFixtures.placeholders(ModelFixtures.oneHot(ds, DataType.DOUBLE));
        List<String> names = DeepTransformer.parameterNames(c);
        Map<String, INDArray> grads = sd.calculateGradients(ph, names);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        double worst = 0;
        String worstAt = "";
        int checked = 0, nonZero = 0;
        for (String name : names) {
            INDArray w = sd.getVariable(name).getArr();
            INDArray g = grads.get(name);
            assertEquals(DataType.DOUBLE, g.dataType());
            assertTrue(java.util.Arrays.equals(w.shape(), g.shape()), name + " gradient shape");
            int len = (int) w.length();
            // DIRECTIONS random unit directions u (every entry at once: <g,u> against the central difference of
            // L(w + eps u)), then one single entry
            for (int j = 0; j <= DIRECTIONS; j++) {
                double[] u = new double[len];
                if (j < DIRECTIONS) {
                    double n2 = 0;
                    for (int i = 0; i < len; i++) n2 += (u[i] = rnd.nextDouble() - 0.5) * u[i];
                    for (int i = 0; i < len; i++) u[i] /= Math.sqrt(n2);
                } else {
                    u[rnd.nextInt(len)] = 1.0;
                }
                INDArray orig = w.dup();
                INDArray dir = Nd4j.createFromArray(u).reshape(w.shape());
                w.assign(orig.add(dir.mul(EPS)));
                double plus = sd.output(ph, DeepTransformer.LOSS).get(DeepTransformer.LOSS).getDouble(0);
                w.assign(orig.sub(dir.mul(EPS)));
                double minus = sd.output(ph, DeepTransformer.LOSS).get(DeepTransformer.LOSS).getDouble(0);
                w.assign(orig);
                double numeric = (plus - minus) / (2 * EPS);
                double analytic = 0;
                for (int i = 0; i < len; i++) analytic += g.getDouble(i) * u[i];
                double rel = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic) + Math.abs(numeric), FLOOR);
                if (rel > worst) {
                    worst = rel;
                    worstAt = name + (j < DIRECTIONS ? " direction " + j : " one entry") + ": analytic " + analytic
                            + " numeric " + numeric;
                }
                if (Math.abs(numeric) > 1e-4) nonZero++;
                checked++;
            }
        }
        assertTrue(checked >= 2 * 8, "checked " + checked + " directions");
        assertTrue(nonZero > checked / 2, "most gradients non-trivial: " + nonZero + " of " + checked);
        assertTrue(worst < MAX_REL_ERROR, "max relative error " + worst + " at " + worstAt);
    }

    @Test
    void parameterNamesFollowTheSingleLayerSchemeAndGroupsWork() {
        DeepConfig c = DeepConfig.defaults().withDepth(3).withTiedEmbedding(false);
        List<String> names = DeepTransformer.parameterNames(c);
        assertEquals(List.of("emb/wte", "emb/wpe", "layer0/attn/wq", "layer0/attn/wk", "layer0/attn/wv",
                "layer0/attn/wo", "layer0/mlp/w1", "layer0/mlp/w2"), names.subList(0, 8));
        assertEquals(List.of("layer2/mlp/w2", "head/w", "head/bias"), names.subList(names.size() - 3, names.size()));
        assertEquals(List.of("layer0/attn/wq", "layer1/attn/wq", "layer2/attn/wq"),
                ParameterGroups.resolve(List.of("q"), names));
        assertEquals(6, ParameterGroups.resolve(List.of("qk"), names).size());
        assertEquals(List.of("emb", "q", "k", "v", "o", "mlp", "head"),
                List.copyOf(ParameterGroups.normGroups(names).keySet()));
        ModelDefinition def = Models.of(c);
        assertEquals(names, def.parameterNames());
        assertEquals(List.of("layer0/attn/entropy", "layer1/attn/entropy", "layer2/attn/entropy"),
                def.attentionEntropies());
        Map<String, String> fm = new java.util.HashMap<>(Map.of("rank_collapse/emb", "emb/rank_collapse",
                "rank_collapse/layer0", "layer0/rank_collapse", "rank_collapse/layer1", "layer1/rank_collapse",
                "rank_collapse/layer2", "layer2/rank_collapse"));
        for (int l = 0; l < 3; l++) {
            fm.put("attn_entropy_ratio/layer" + l, "layer" + l + "/attn/entropy_ratio");
            fm.put("head_variance/layer" + l, "layer" + l + "/attn/head_variance");
        }
        assertEquals(fm, def.familyMetrics());
        assertEquals(List.of("layer1/attn/wk"), def.layerGradNorms().get("grad_norm/layer1/k"));
        assertEquals(9, def.layerGradNorms().size());
        assertTrue(def.weightDecay("layer1/attn/wq") && !def.weightDecay("emb/wpe") && !def.weightDecay("head/bias"));
        assertEquals(List.of(), Models.of(c.withAttention("linear")).attentionEntropies());
        // same config, same numbers; the gpt2 scheme shrinks the residual projections by 1/sqrt(2L)
        Map<String, double[]> a = DeepTransformer.initialParameters(c, 3), b = DeepTransformer.initialParameters(c, 3);
        assertEquals(java.util.Arrays.toString(a.get("layer1/attn/wo")), java.util.Arrays.toString(b.get("layer1/attn/wo")));
        assertEquals(0.02 / Math.sqrt(6), std(a.get("layer2/mlp/w2")), 0.1 * 0.02 / Math.sqrt(6));
        assertEquals(0.02, std(a.get("layer2/mlp/w1")), 0.1 * 0.02);
        DeepConfig x = c.withInit("xavier", 1.0);
        Map<String, double[]> xa = DeepTransformer.initialParameters(x, 3);
        assertEquals(1.0 / Math.sqrt(16), std(xa.get("layer0/mlp/w1")), 0.1 / Math.sqrt(16));
        assertEquals(1.0 / Math.sqrt(64), std(xa.get("layer0/mlp/w2")), 0.1 / Math.sqrt(64));
        assertEquals(1.0, std(xa.get("emb/wpe")), 0.1);
    }

    @Test
    void explicitInitValuesAreAppliedAndChecked() {
        double[] wq = new double[256]; // d = 16
        wq[5] = 0.7;
        DeepConfig c = DeepConfig.defaults().withInitValues(Map.of("layer2/attn/wq", wq));
        assertEquals(0.7, DeepTransformer.initialParameters(c, 1).get("layer2/attn/wq")[5]);
        DeepConfig bad = DeepConfig.defaults().withInitValues(Map.of("layer9/attn/wq", wq));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DeepTransformer.initialParameters(bad, 1))
                .getMessage().contains("layer9/attn/wq"));
        DeepConfig small = DeepConfig.defaults().withInitValues(Map.of("layer0/attn/wq", new double[3]));
        assertThrows(IllegalArgumentException.class, () -> DeepTransformer.initialParameters(small, 1));
        assertEquals(c, DeepConfig.defaults().withInitValues(Map.of("layer2/attn/wq", wq.clone())));
    }

    @Test
    void validationNamesTheField() {
        DeepConfig d = DeepConfig.defaults();
        assertField("vocab", () -> new DeepConfig(1, 64, 16, 2, 4, "none", 1, true, true, 4, true, "softmax",
                "standard", "gpt2", 0.02, Map.of()));
        assertField("seqLen", () -> new DeepConfig(2, 0, 16, 2, 4, "none", 1, true, true, 4, true, "softmax",
                "standard", "gpt2", 0.02, Map.of()));
        assertField("heads", () -> d.withWidth(16, 3));
        assertField("heads", () -> d.withWidth(16, 0));
        assertField("dModel", () -> d.withWidth(0, 1));
        assertField("depth", () -> d.withDepth(0));
        assertField("residualScaling", () -> d.withResidual("sqrt", 1));
        assertField("beta", () -> d.withResidual("beta-over-depth", 0));
        assertField("beta", () -> d.withResidual("beta-over-depth", Double.NaN));
        assertField("attention", () -> d.withAttention("cosine"));
        assertField("parameterization", () -> d.withParameterization("ntk"));
        assertField("residualScaling", () -> d.withResidual("none", 1).withParameterization("depth-mup"));
        assertField("initScheme", () -> d.withInit("lowrank", 0.02));
        assertField("initStd", () -> d.withInit("gaussian", -1));
        assertField("mlpRatio", () -> new DeepConfig(2, 64, 16, 2, 4, "none", 1, true, true, 0, true, "softmax",
                "standard", "gpt2", 0.02, Map.of()));
        assertField("layerNormPosition", () -> d.withLayerNorm(true, "sandwich"));
        assertField("causal", () -> d.withAttention("linear").withCausal(false));
        assertField("qkInitScale", () -> d.withQkInitScale(-1));
        assertField("mupOptimizer", () -> d.withMupOptimizer("lion"));
        assertField("dModel", () -> d.withWidth(1, 1));                      // layer norm needs d >= 2
        d.withBlocks(false, true).withWidth(1, 1);                            // fine without it
    }

    @Test
    void laterOptionsDoWhatTheySay() {
        DeepConfig c = config(2, "none", true, "standard", "softmax", false, false);
        TokenDataset ds = DeepFixtures.uniformTokens(3, 3, c.seqLen(), 5);
        Map<String, INDArray> ph = ModelFixtures.placeholders(ModelFixtures.oneHot(ds, DataType.DOUBLE));
        // Q = K = 0: exactly uniform attention, entropy ratio 1, no spread across heads
        DeepConfig uniform = c.withQkInitScale(0);
        Map<String, INDArray> u = DeepTransformer.build(uniform, DataType.DOUBLE, 4).output(ph,
                DeepTransformer.entropyRatio(1), DeepTransformer.headVariance(1));
        assertEquals(1.0, u.get(DeepTransformer.entropyRatio(1)).getDouble(0), 1e-12);
        assertEquals(0.0, u.get(DeepTransformer.headVariance(1)).getDouble(0), 1e-15);
        Map<String, INDArray> bi = DeepTransformer.build(uniform.withCausal(false), DataType.DOUBLE, 4).output(ph,
                DeepTransformer.entropyRatio(0));
        assertEquals(1.0, bi.get(DeepTransformer.entropyRatio(0)).getDouble(0), 1e-12);
        assertEquals(Math.log(4), uniform.withCausal(false).uniformAttentionEntropy(), 1e-15);
        assertEquals((Math.log(2) + Math.log(3) + Math.log(4)) / 4, uniform.uniformAttentionEntropy(), 1e-15);
        // post-LN: every block's output rows have mean 0 and variance 1 (up to eps)
        INDArray out = DeepTransformer.build(c.withLayerNorm(true, "post"), DataType.DOUBLE, 4).output(ph,
                DeepTransformer.blockOutput(1)).get(DeepTransformer.blockOutput(1));
        for (int i = 0; i < out.rows(); i++) {
            double[] row = out.getRow(i).toDoubleVector();
            double m = java.util.Arrays.stream(row).average().orElse(1);
            double v = java.util.Arrays.stream(row).map(x -> (x - m) * (x - m)).average().orElse(0);
            assertEquals(0, m, 1e-12);
            assertEquals(1, v, 1e-4);
        }
        // bidirectional: the first position's loss depends on the last token; causal: it does not
        TokenDataset changed = DeepFixtures.uniformTokens(3, 3, c.seqLen(), 5);
        for (boolean causal : new boolean[] {true, false}) {
            DeepConfig cc = c.withCausal(causal);
            Map<String, double[]> p = DeepTransformer.initialParameters(cc, 4);
            double[] a = tokenLossesWithLastTokenSwapped(cc, p, ds, false);
            double[] b = tokenLossesWithLastTokenSwapped(cc, p, changed, true);
            assertEquals(causal, Math.abs(a[0] - b[0]) < 1e-12, "causal=" + causal + ": " + a[0] + " vs " + b[0]);
        }
        // mup for Adam moves sqrt(d) from the init into the multipliers: the same function at init
        DeepConfig m = config(2, "inv-sqrt-depth", true, "mup", "softmax", true, false);
        double sgd = DeepTransformer.build(m, DataType.DOUBLE, 6).output(ph, DeepTransformer.LOSS)
                .get(DeepTransformer.LOSS).getDouble(0);
        double adam = DeepTransformer.build(m.withMupOptimizer("adam"), DataType.DOUBLE, 6).output(ph,
                DeepTransformer.LOSS).get(DeepTransformer.LOSS).getDouble(0);
        assertEquals(sgd, adam, 1e-12);
        assertEquals(1 / Math.sqrt(4), m.withMupOptimizer("adam").readoutMultiplier(), 1e-15);
        assertEquals(1.0, c.withMupOptimizer("adam").embeddingMultiplier()); // standard: no effect
        assertEquals(DeepConfig.defaults().toString().contains("causal"), false); // first-version identity kept
    }

    /** Token losses of the batch, with the last token of every sequence replaced by (token + 1) mod V when asked. */
    private static double[] tokenLossesWithLastTokenSwapped(DeepConfig c, Map<String, double[]> p, TokenDataset ds,
                                                            boolean swap) {
        INDArray[] xy = ModelFixtures.oneHot(ds, DataType.DOUBLE);
        if (swap) {
            INDArray x = xy[0];
            int t = c.seqLen() - 1;
            for (int b = 0; b < x.size(0); b++) {
                INDArray row = x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(t), org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
                for (int v = 0; v < c.vocab(); v++) {
                    x.putScalar(new long[] {b, t, (v + 1) % c.vocab()}, row.getDouble(v));
                }
            }
        }
        return DeepTransformer.build(c, DataType.DOUBLE, p).output(ModelFixtures.placeholders(xy),
                DeepTransformer.TOKEN_LOSS).get(DeepTransformer.TOKEN_LOSS).toDoubleVector();
    }

    private static void assertField(String field, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().startsWith(field + " "), "message names " + field + ": " + ex.getMessage());
    }

    @Test
    void residualAndParameterizationMultipliers() {
        DeepConfig c = DeepConfig.defaults().withDepth(16).withResidual("inv-sqrt-depth", 2);
        assertEquals(0.5, c.residualMultiplier(), 1e-15);
        assertEquals(0.125, c.withResidual("beta-over-depth", 2).residualMultiplier(), 1e-15);
        assertEquals(1.0, c.withResidual("none", 2).residualMultiplier());
        assertEquals(0.5, c.attentionExponent());
        assertEquals(1.0, c.withParameterization("mup").attentionExponent());
        assertEquals(1.0 / 16, c.withParameterization("mup").readoutMultiplier(), 1e-15);
        assertEquals(1.0, c.readoutMultiplier());
        assertEquals(0.25, c.withParameterization("depth-mup").hiddenMultiplier(16), 1e-15);
    }

    @Test
    void learningRateRuleMatchesClosedForms() {
        // N = 8, H = 4 (N*H = 32), L = 16
        assertEquals(1.0, DeepConfig.lrMultiplier("standard", "sgd", 8, 4, 16, "none"));
        assertEquals(1.0, DeepConfig.lrMultiplier("standard", "adam", 8, 4, 16, "beta-over-depth"));
        assertEquals(32.0, DeepConfig.lrMultiplier("mup", "sgd", 8, 4, 16, "inv-sqrt-depth"), 1e-12);
        assertEquals(32.0, DeepConfig.lrMultiplier("mup", "gd", 8, 4, 16, "beta-over-depth"), 1e-12);
        assertEquals(1 / Math.sqrt(32), DeepConfig.lrMultiplier("mup", "adam", 8, 4, 16, "none"), 1e-15);
        // depth-mup, SGD: N*H*L^(2 alpha_L - 1): alpha_L = 1/2 -> L^0; alpha_L = 1 -> L^1
        assertEquals(32.0, DeepConfig.lrMultiplier("depth-mup", "sgd", 8, 4, 16, "inv-sqrt-depth"), 1e-12);
        assertEquals(32.0 * 16, DeepConfig.lrMultiplier("depth-mup", "sgd", 8, 4, 16, "beta-over-depth"), 1e-9);
        // depth-mup, Adam-like: (N*H)^(-1/2) * L^(alpha_L - 1): alpha_L = 1/2 -> L^(-1/2); alpha_L = 1 -> 1
        assertEquals(1 / Math.sqrt(32) / 4, DeepConfig.lrMultiplier("depth-mup", "adamw", 8, 4, 16, "inv-sqrt-depth"),
                1e-15);
        assertEquals(1 / Math.sqrt(32), DeepConfig.lrMultiplier("depth-mup", "signgd", 8, 4, 16, "beta-over-depth"),
                1e-15);
        // width doubling: SGD rate doubles, Adam rate drops by sqrt(2)
        DeepConfig b = DeepConfig.bordelon(2, 16, 8, 4, 16);
        assertEquals(2.0, b.withWidth(64, 8).lrMultiplier("sgd") / b.lrMultiplier("sgd"), 1e-12);
        assertEquals(1 / Math.sqrt(2), b.withWidth(64, 8).lrMultiplier("adam") / b.lrMultiplier("adam"), 1e-12);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> DeepConfig.lrMultiplier("mup", "lbfgs", 8, 4, 16, "none")).getMessage().startsWith("optimizer"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> DeepConfig.lrMultiplier("mup", "sgd", 0, 4, 16, "none")).getMessage().startsWith("headDim"));
    }

    static double std(double[] w) {
        double s = 0;
        for (double x : w) s += x * x;
        return Math.sqrt(s / w.length);
    }
}
