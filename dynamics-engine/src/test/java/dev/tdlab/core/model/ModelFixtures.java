package dev.tdlab.core.model;

import dev.tdlab.core.model.makkuvaminimal.MinimalConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerTransformer;

import dev.tdlab.core.data.MarkovGenerator;
import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.theory.MarkovChain;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Shared helpers of the model tests: one-hot placeholders and a plain-Java forward pass of the same model. */
public final class ModelFixtures {
    private ModelFixtures() {
    }

    public static TokenDataset data(int vocab, int n, int t, long seed) {
        MarkovChain c = vocab == 2 ? MarkovChain.binary(0.2, 0.3)
                : MarkovChain.of(new double[][] {{0.7, 0.2, 0.1}, {0.1, 0.6, 0.3}, {0.25, 0.25, 0.5}});
        return MarkovGenerator.generate(c, n, t, seed);
    }

    /** {x, y} one-hot [B,T,V] of inputs (tokens 0..T-1) and targets (tokens 1..T). */
    public static INDArray[] oneHot(TokenDataset ds, DataType dtype) {
        int b = ds.numSequences(), t = ds.seqLen(), v = ds.vocab();
        INDArray x = Nd4j.zeros(dtype, b, t, v), y = Nd4j.zeros(dtype, b, t, v);
        for (int i = 0; i < b; i++) {
            for (int p = 0; p < t; p++) {
                x.putScalar(new long[] {i, p, ds.token(i, p)}, 1.0);
                y.putScalar(new long[] {i, p, ds.token(i, p + 1)}, 1.0);
            }
        }
        return new INDArray[] {x, y};
    }

    public static Map<String, INDArray> placeholders(INDArray[] xy) {
        return Map.of(SingleLayerTransformer.INPUT, xy[0], SingleLayerTransformer.TARGET, xy[1]);
    }

    /** Per-token losses [b*T + t] of the model computed with plain Java loops in double precision. */
    public static double[] referenceTokenLosses(SingleLayerConfig c, Map<String, double[]> p, TokenDataset ds) {
        int v = c.vocab(), t = c.seqLen(), d = c.dModel();
        double[] wte = p.get(SingleLayerTransformer.WTE), wpe = p.get(SingleLayerTransformer.WPE);
        double[] bias = p.get(SingleLayerTransformer.HEAD_BIAS);
        double[] out = new double[ds.numSequences() * t];
        for (int b = 0; b < ds.numSequences(); b++) {
            double[][] h0 = new double[t][d];
            for (int s = 0; s < t; s++) {
                int tok = ds.token(b, s);
                for (int j = 0; j < d; j++) h0[s][j] = wte[tok * d + j] + wpe[s * d + j];
            }
            double[][] h2 = block(h0, p, d, c.heads(), c.mlp(), c.mlpRatio() * d, c.attention());
            for (int s = 0; s < t; s++) {
                double[] logits = new double[v];
                for (int o = 0; o < v; o++) {
                    double z = bias[o];
                    for (int j = 0; j < d; j++) {
                        double w = c.tiedEmbedding() ? wte[o * d + j] : p.get(SingleLayerTransformer.HEAD_W)[j * v + o];
                        z += h2[s][j] * w;
                    }
                    logits[o] = z;
                }
                double max = Double.NEGATIVE_INFINITY;
                for (double z : logits) max = Math.max(max, z);
                double lse = 0;
                for (double z : logits) lse += Math.exp(z - max);
                lse = max + Math.log(lse);
                out[b * t + s] = lse - logits[ds.token(b, s + 1)];
            }
        }
        return out;
    }

    /** Per-token binary cross-entropy of the minimal (scalar-token) model, plain Java, double precision. */
    public static double[] referenceMinimalTokenLosses(MinimalConfig c, Map<String, double[]> p, TokenDataset ds) {
        int t = c.seqLen(), d = c.dModel();
        double[] e = p.get(SingleLayerTransformer.WTE), wpe = p.get(SingleLayerTransformer.WPE);
        double b0 = p.get(SingleLayerTransformer.HEAD_BIAS)[0];
        double[] head = c.tiedEmbedding() ? e : p.get(SingleLayerTransformer.HEAD_W);
        double[] out = new double[ds.numSequences() * t];
        for (int b = 0; b < ds.numSequences(); b++) {
            double[][] h0 = new double[t][d];
            for (int s = 0; s < t; s++) {
                int x = ds.token(b, s);
                for (int j = 0; j < d; j++) h0[s][j] = x * e[j] + wpe[s * d + j];
            }
            double[][] h2 = block(h0, p, d, c.heads(), c.mlp(), MinimalConfig.MLP_RATIO * d, c.attention());
            for (int s = 0; s < t; s++) {
                double z = b0;
                for (int j = 0; j < d; j++) z += h2[s][j] * head[j];
                int y = ds.token(b, s + 1);
                // -[y log sigmoid(z) + (1-y) log(1 - sigmoid(z))]
                out[b * t + s] = Math.log1p(Math.exp(-Math.abs(z))) + Math.max(z, 0) - y * z;
            }
        }
        return out;
    }

    /**
     * Attention (kernel literally as documented in Attention: gaussian as exp(-|q-k|^2/(2 sqrt(dh))) normalized,
     * linear as q.k/sqrt(dh)/(t+1)) + residual, then the optional MLP + residual.
     */
    public static double[][] block(double[][] h0, Map<String, double[]> p, int d, int nh, boolean mlp, int hid, String kernel) {
        int t = h0.length, dh = d / nh;
        double[] wq = p.get(SingleLayerTransformer.WQ), wk = p.get(SingleLayerTransformer.WK);
        double[] wv = p.get(SingleLayerTransformer.WV), wo = p.get(SingleLayerTransformer.WO);
        double[][] q = matmul(h0, wq, d, d), k = matmul(h0, wk, d, d), vv = matmul(h0, wv, d, d);
        double[][] ctx = new double[t][d];
        for (int h = 0; h < nh; h++) {
            for (int s = 0; s < t; s++) {
                double[] a = new double[s + 1];
                for (int r = 0; r <= s; r++) {
                    double dot = 0, dist = 0;
                    for (int j = 0; j < dh; j++) {
                        double qj = q[s][h * dh + j], kj = k[r][h * dh + j];
                        dot += qj * kj;
                        dist += (qj - kj) * (qj - kj);
                    }
                    a[r] = switch (kernel) {
                        case "softmax" -> Math.exp(dot / Math.sqrt(dh));
                        case "gaussian" -> Math.exp(-dist / (2 * Math.sqrt(dh)));
                        case "linear" -> dot / Math.sqrt(dh) / (s + 1);
                        default -> throw new IllegalArgumentException(kernel);
                    };
                }
                double z = 0;
                for (double x : a) z += x;
                if (kernel.equals("linear")) z = 1;
                for (int r = 0; r <= s; r++) {
                    for (int j = 0; j < dh; j++) ctx[s][h * dh + j] += a[r] / z * vv[r][h * dh + j];
                }
            }
        }
        double[][] att = matmul(ctx, wo, d, d);
        double[][] h1 = new double[t][d];
        for (int s = 0; s < t; s++) for (int j = 0; j < d; j++) h1[s][j] = h0[s][j] + att[s][j];
        if (!mlp) return h1;
        double[][] u = matmul(h1, p.get(SingleLayerTransformer.W1), d, hid);
        for (double[] row : u) for (int j = 0; j < hid; j++) row[j] = Math.max(0, row[j]);
        double[][] m = matmul(u, p.get(SingleLayerTransformer.W2), hid, d);
        double[][] h2 = new double[t][d];
        for (int s = 0; s < t; s++) for (int j = 0; j < d; j++) h2[s][j] = h1[s][j] + m[s][j];
        return h2;
    }

    /** {x, y} token values as floats [B,T] (inputs tokens 0..T-1, targets 1..T), for the minimal model. */
    public static INDArray[] scalar(TokenDataset ds, DataType dtype) {
        int b = ds.numSequences(), t = ds.seqLen();
        INDArray x = Nd4j.zeros(dtype, b, t), y = Nd4j.zeros(dtype, b, t);
        for (int i = 0; i < b; i++) {
            for (int p = 0; p < t; p++) {
                x.putScalar(new long[] {i, p}, ds.token(i, p));
                y.putScalar(new long[] {i, p}, ds.token(i, p + 1));
            }
        }
        return new INDArray[] {x, y};
    }

    private static double[][] matmul(double[][] a, double[] w, int in, int outDim) {
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
}
