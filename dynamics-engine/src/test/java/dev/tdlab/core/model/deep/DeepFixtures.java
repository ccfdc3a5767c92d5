package dev.tdlab.core.model.deep;

import dev.tdlab.core.data.TokenDataset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Helpers of the deep-family tests: random token data and a plain-Java forward pass of {@link DeepTransformer}. */
final class DeepFixtures {
    private DeepFixtures() {
    }

    /** n sequences of T+1 tokens drawn uniformly from V values. */
    static TokenDataset uniformTokens(int vocab, int n, int t, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] b = new byte[n * (t + 1)];
        for (int i = 0; i < b.length; i++) b[i] = (byte) rnd.nextInt(vocab);
        return new TokenDataset(b, n, t, vocab);
    }

    /** The forward pass of one sequence: hidden states h_0..h_L (T×d each) and the logits (T×V). */
    record Forward(List<double[][]> hidden, double[][] logits) {
    }

    /**
     * The model as documented in {@link DeepConfig}, with plain loops in double precision: the kernels written
     * literally (gaussian as exp(−s‖q−k‖²/2) normalized, s the logit scale 1/N^{α_A}), the layer norm as
     * (x − mean)/sqrt(var + 1e-5), the multipliers as in the class comment.
     */
    static Forward forward(DeepConfig c, Map<String, double[]> p, TokenDataset ds, int seq) {
        int t = c.seqLen(), d = c.dModel(), v = c.vocab(), nh = c.heads(), n = c.headDim(), hid = c.mlpRatio() * d;
        boolean mup = !c.parameterization().equals("standard");
        double cIn = mup ? 1 / Math.sqrt(d) : 1, cHid = mup ? 1 / Math.sqrt(hid) : 1, cOut = mup ? 1.0 / d : 1;
        double s = mup ? 1.0 / n : 1 / Math.sqrt(n);
        double r = switch (c.residualScaling()) {
            case "none" -> 1;
            case "inv-sqrt-depth" -> c.beta() / Math.sqrt(c.depth());
            default -> c.beta() / c.depth();
        };
        double[] wte = p.get(DeepTransformer.WTE), wpe = p.get(DeepTransformer.WPE);
        double[][] h = new double[t][d];
        for (int i = 0; i < t; i++) {
            int tok = ds.token(seq, i);
            for (int j = 0; j < d; j++) h[i][j] = wte[tok * d + j] + wpe[i * d + j];
        }
        List<double[][]> hidden = new ArrayList<>();
        hidden.add(copy(h));
        for (int l = 0; l < c.depth(); l++) {
            double[][] a = c.layerNorm() ? layerNorm(h) : h;
            double[][] q = scale(matmul(a, p.get(DeepTransformer.wq(l)), d, d), cIn);
            double[][] k = scale(matmul(a, p.get(DeepTransformer.wk(l)), d, d), cIn);
            double[][] vv = scale(matmul(a, p.get(DeepTransformer.wv(l)), d, d), cIn);
            double[][] ctx = new double[t][d];
            for (int hh = 0; hh < nh; hh++) {
                for (int i = 0; i < t; i++) {
                    double[] w = new double[i + 1];
                    for (int j = 0; j <= i; j++) {
                        double dot = 0, dist = 0;
                        for (int e = 0; e < n; e++) {
                            double qe = q[i][hh * n + e], ke = k[j][hh * n + e];
                            dot += qe * ke;
                            dist += (qe - ke) * (qe - ke);
                        }
                        w[j] = switch (c.attention()) {
                            case "softmax" -> Math.exp(s * dot);
                            case "gaussian" -> Math.exp(-s * dist / 2);
                            default -> s * dot / (i + 1);
                        };
                    }
                    double z = 0;
                    for (double x : w) z += x;
                    if (c.attention().equals("linear")) z = 1;
                    for (int j = 0; j <= i; j++) {
                        for (int e = 0; e < n; e++) ctx[i][hh * n + e] += w[j] / z * vv[j][hh * n + e];
                    }
                }
            }
            double[][] att = scale(matmul(ctx, p.get(DeepTransformer.wo(l)), d, d), cIn);
            for (int i = 0; i < t; i++) for (int j = 0; j < d; j++) h[i][j] += r * att[i][j];
            if (c.mlp()) {
                double[][] m = c.layerNorm() ? layerNorm(h) : h;
                double[][] u = scale(matmul(m, p.get(DeepTransformer.w1(l)), d, hid), cIn);
                for (double[] row : u) for (int j = 0; j < hid; j++) row[j] = Math.max(0, row[j]);
                double[][] mo = scale(matmul(u, p.get(DeepTransformer.w2(l)), hid, d), cHid);
                for (int i = 0; i < t; i++) for (int j = 0; j < d; j++) h[i][j] += r * mo[i][j];
            }
            hidden.add(copy(h));
        }
        double[][] hf = c.layerNorm() ? layerNorm(h) : h;
        double[] bias = p.get(DeepTransformer.HEAD_BIAS);
        double[][] logits = new double[t][v];
        for (int i = 0; i < t; i++) {
            for (int o = 0; o < v; o++) {
                double z = 0;
                for (int j = 0; j < d; j++) {
                    double w = c.tiedEmbedding() ? wte[o * d + j] : p.get(DeepTransformer.HEAD_W)[j * v + o];
                    z += hf[i][j] * w;
                }
                logits[i][o] = cOut * z + bias[o];
            }
        }
        return new Forward(hidden, logits);
    }

    /** Per-token cross-entropies [b*T + t] of the whole dataset, plain Java. */
    static double[] tokenLosses(DeepConfig c, Map<String, double[]> p, TokenDataset ds) {
        int t = c.seqLen();
        double[] out = new double[ds.numSequences() * t];
        for (int b = 0; b < ds.numSequences(); b++) {
            double[][] logits = forward(c, p, ds, b).logits();
            for (int i = 0; i < t; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (double z : logits[i]) max = Math.max(max, z);
                double lse = 0;
                for (double z : logits[i]) lse += Math.exp(z - max);
                out[b * t + i] = max + Math.log(lse) - logits[i][ds.token(b, i + 1)];
            }
        }
        return out;
    }

    static double[][] layerNorm(double[][] h) {
        double[][] o = new double[h.length][];
        for (int i = 0; i < h.length; i++) {
            int d = h[i].length;
            double mu = 0, var = 0;
            for (double x : h[i]) mu += x / d;
            for (double x : h[i]) var += (x - mu) * (x - mu) / d;
            o[i] = new double[d];
            for (int j = 0; j < d; j++) o[i][j] = (h[i][j] - mu) / Math.sqrt(var + 1e-5);
        }
        return o;
    }

    static double[][] matmul(double[][] a, double[] w, int in, int outDim) {
        double[][] r = new double[a.length][outDim];
        for (int i = 0; i < a.length; i++) {
            for (int o = 0; o < outDim; o++) {
                double s = 0;
                for (int j = 0; j < in; j++) s += a[i][j] * w[j * outDim + o];
                r[i][o] = s;
            }
        }
        return r;
    }

    private static double[][] scale(double[][] a, double f) {
        for (double[] row : a) for (int j = 0; j < row.length; j++) row[j] *= f;
        return a;
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) c[i] = a[i].clone();
        return c;
    }
}
