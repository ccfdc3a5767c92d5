package dev.tdlab.core.model;

import dev.tdlab.core.model.makkuvaminimal.MinimalConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerTransformer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameter initializations, in Java from {@code SplittableRandom(seed)} (Box–Muller, StrictMath), so the same
 * (config, seed) gives the same numbers in float32 and float64 and on every JVM. Shapes are row-major [in,out]
 * (y = x @ W); PyTorch's nn.Linear stores [out,in], so the Makkuva code's W is our W^T.
 *
 * <ul>
 *   <li>{@code gaussian}: every weight N(0, std²); the residual output projections (wo, mlp/w2) N(0, std²/2);
 *       biases 0.</li>
 *   <li>{@code base} (the Makkuva code's default): the same draws; with V = 2 one-hot tokens the token-0 row of
 *       {@code emb/wte} (and column 0 of an untied {@code head/w}) is 0 (see the mapping below).</li>
 *   <li>{@code good}: base draws, wo N(0, std²) (the code skips the 1/√2 here), then constants: token embedding
 *       e = 0.5, positional −0.25, mlp/w1 = 1, mlp/w2 = −1.</li>
 *   <li>{@code lowrank} (Bond1995/Markov, with {@code copy_}): α ∈ {±1}^d random signs; e = |0.1·N(0,1)|; token
 *       embedding e·α; every positional row −0.5·e·α; wq, wk, wo N(0, std²); W_V = α vᵀ (PyTorch [out,in]) i.e.
 *       our wv = v αᵀ with v ~ N(0, vStd²); w = |0.1·N(0,1)|·s with s ∈ {±1}^{4d} random signs; mlp/w1 = α wᵀ
 *       (ours, [d,4d]) and mlp/w2 = w αᵀ ([4d,d]); tied: bias b ~ N(0,1); untied: head/w N(0, std²), bias 0.</li>
 *   <li>{@code lowrank-global}: the rank-one init placed in the global basin as the paper's Markov-Fixed analysis
 *       (papers.md) says, see {@link LowRankGuided}: the code's structure with every entry of w positive and the
 *       MLP's second layer negated, at (e, w, b) = (1, −1, 0) of the three-parameter model (energy 0 above the basin
 *       boundary −½(log 2 + 1)).</li>
 * </ul>
 *
 * <p><b>Mapping the scalar-token schemes onto the V = 2 one-hot model.</b> The code embeds x ∈ {0,1} as x·e and
 * predicts one logit z = ⟨h, e⟩ + b. One-hot: {@code emb/wte} = [0; e] (row 0 zero, row 1 = e) gives
 * onehot(x) @ wte = x·e exactly; the tied logits are [⟨h,0⟩ + b0, ⟨h,e⟩ + b1] with bias = [0, b], and the softmax
 * cross-entropy of two logits equals the binary cross-entropy of their difference ⟨h,e⟩ + b. So at initialization
 * the one-hot model computes exactly the code's function. Training differs: wte row 0 and bias[0] are two extra free
 * parameters (and AdamW treats coordinates separately), so trajectories are not the code's; use
 * {@link MinimalConfig} for one-to-one comparisons.
 *
 * <p>Explicit values ({@code initValues}) replace the named parameters after the scheme; every name must be a
 * parameter of the model and every array must have its size.
 */
public final class Inits {

    /** Known schemes. */
    public static final List<String> SCHEMES = List.of("gaussian", "base", "good", "lowrank", "lowrank-global");

    private Inits() {
    }

    /**
     * Initial values of the parameters with the given shapes (insertion order = draw order).
     *
     * @param oneHot true for the one-hot V=2 model (token row 0 / head column 0 / bias[0] are the mapping's zeros),
     *               false for the scalar-token minimal model
     */
    public static Map<String, double[]> initialize(String scheme, double std, double vStd, Map<String, long[]> shapes,
                                            boolean oneHot, Map<String, double[]> values, long seed) {
        SingleLayerTransformer.GaussianSource g = new SingleLayerTransformer.GaussianSource(seed);
        Map<String, double[]> out = new LinkedHashMap<>();
        boolean base = !scheme.equals("gaussian");
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String name = e.getKey();
            double[] w = new double[size(e.getValue())];
            if (!name.equals(SingleLayerTransformer.HEAD_BIAS)) {
                boolean proj = name.equals(SingleLayerTransformer.WO) || name.equals(SingleLayerTransformer.W2);
                boolean halve = proj && !(scheme.equals("good") || scheme.startsWith("lowrank"));
                double s = halve ? std / Math.sqrt(2.0) : std;
                for (int i = 0; i < w.length; i++) w[i] = s * g.next();
            }
            out.put(name, w);
        }
        int d = (int) shapes.get(SingleLayerTransformer.WQ)[0];
        double[] wte = out.get(SingleLayerTransformer.WTE), wpe = out.get(SingleLayerTransformer.WPE);
        double[] bias = out.get(SingleLayerTransformer.HEAD_BIAS);
        int tokenRow = oneHot ? d : 0; // offset of the token-1 embedding row e
        switch (scheme) {
            case "gaussian", "base" -> {
            }
            case "good" -> {
                java.util.Arrays.fill(wte, tokenRow, tokenRow + d, 0.5);
                java.util.Arrays.fill(wpe, -0.25);
                fillIfPresent(out, SingleLayerTransformer.W1, 1.0);
                fillIfPresent(out, SingleLayerTransformer.W2, -1.0);
            }
            case "lowrank" -> {
                double[] alpha = new double[d];
                for (int i = 0; i < d; i++) alpha[i] = g.next() >= 0 ? 1.0 : -1.0;
                double eMag = Math.abs(0.1 * g.next());
                for (int j = 0; j < d; j++) wte[tokenRow + j] = eMag * alpha[j];
                for (int r = 0; r < wpe.length / d; r++) {
                    for (int j = 0; j < d; j++) wpe[r * d + j] = -0.5 * eMag * alpha[j];
                }
                double[] v = new double[d];
                for (int j = 0; j < d; j++) v[j] = vStd * g.next();
                double[] wv = out.get(SingleLayerTransformer.WV);
                for (int j = 0; j < d; j++) {
                    for (int i = 0; i < d; i++) wv[j * d + i] = v[j] * alpha[i]; // [in=j, out=i]
                }
                double[] w1 = out.get(SingleLayerTransformer.W1);
                if (w1 != null) {
                    int h = w1.length / d;
                    double wMag = Math.abs(0.1 * g.next());
                    double[] w = new double[h];
                    for (int k = 0; k < h; k++) w[k] = wMag * (g.next() >= 0 ? 1.0 : -1.0);
                    double[] w2 = out.get(SingleLayerTransformer.W2);
                    for (int j = 0; j < d; j++) {
                        for (int k = 0; k < h; k++) {
                            w1[j * h + k] = alpha[j] * w[k]; // [d,h] = alpha w^T
                            w2[k * d + j] = w[k] * alpha[j]; // [h,d] = w alpha^T
                        }
                    }
                }
                if (!out.containsKey(SingleLayerTransformer.HEAD_W)) bias[bias.length - 1] = g.next();
            }
            case "lowrank-global" -> LowRankGuided.place(out, g, d, tokenRow, vStd);
            default -> throw new IllegalArgumentException("unknown initScheme " + scheme);
        }
        if (base && oneHot) {
            java.util.Arrays.fill(wte, 0, d, 0.0);                     // token 0 embeds to 0: onehot @ wte = x·e
            double[] hw = out.get(SingleLayerTransformer.HEAD_W);
            if (hw != null) for (int j = 0; j < d; j++) hw[j * 2] = 0.0; // logit 0 = bias[0] = 0
            bias[0] = 0.0;
        }
        if (values != null) {
            for (Map.Entry<String, double[]> e : values.entrySet()) {
                double[] target = out.get(e.getKey());
                if (target == null) {
                    throw new IllegalArgumentException("initValues names " + e.getKey() + ", not a parameter; parameters: "
                            + shapes.keySet());
                }
                if (e.getValue().length != target.length) {
                    throw new IllegalArgumentException("initValues " + e.getKey() + " needs " + target.length
                            + " values, got " + e.getValue().length);
                }
                System.arraycopy(e.getValue(), 0, target, 0, target.length);
            }
        }
        return out;
    }

    private static void fillIfPresent(Map<String, double[]> m, String name, double v) {
        double[] a = m.get(name);
        if (a != null) java.util.Arrays.fill(a, v);
    }

    public static int size(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return Math.toIntExact(n);
    }

    /** A defensive, unmodifiable, ordered copy (arrays cloned); null gives an empty map. */
    public static Map<String, double[]> copyValues(Map<String, double[]> m) {
        if (m == null || m.isEmpty()) return Map.of();
        Map<String, double[]> c = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : m.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) throw new IllegalArgumentException("initValues has a null entry");
            for (double x : e.getValue()) {
                if (!Double.isFinite(x)) throw new IllegalArgumentException("initValues " + e.getKey() + " is not finite");
            }
            c.put(e.getKey(), e.getValue().clone());
        }
        return Collections.unmodifiableMap(c);
    }

    /** The values by content, for toString/equality. */
    public static String describe(Map<String, double[]> m) {
        StringBuilder b = new StringBuilder("{");
        new java.util.TreeMap<>(m).forEach((k, v) -> b.append(k).append('=').append(java.util.Arrays.toString(v)).append(';'));
        return b.append('}').toString();
    }
}
