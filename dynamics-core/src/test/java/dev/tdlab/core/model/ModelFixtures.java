package dev.tdlab.core.model;

import dev.tdlab.core.data.MarkovGenerator;
import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.theory.MarkovChain;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Shared helpers of the model tests: one-hot placeholders and a plain-Java forward pass of the same model. */
final class ModelFixtures {
    private ModelFixtures() {
    }

    static TokenDataset data(int vocab, int n, int t, long seed) {
        MarkovChain c = vocab == 2 ? MarkovChain.binary(0.2, 0.3)
                : MarkovChain.of(new double[][] {{0.7, 0.2, 0.1}, {0.1, 0.6, 0.3}, {0.25, 0.25, 0.5}});
        return MarkovGenerator.generate(c, n, t, seed);
    }

    /** {x, y} one-hot [B,T,V] of inputs (tokens 0..T-1) and targets (tokens 1..T). */
    static INDArray[] oneHot(TokenDataset ds, DataType dtype) {
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

    static Map<String, INDArray> placeholders(INDArray[] xy) {
        return Map.of(SingleLayerTransformer.INPUT, xy[0], SingleLayerTransformer.TARGET, xy[1]);
    }

    /** Per-token losses [b*T + t] of the model computed with plain Java loops in double precision. */
    static double[] referenceTokenLosses(SingleLayerConfig c, Map<String, double[]> p, TokenDataset ds) {
        int v = c.vocab(), t = c.seqLen(), d = c.dModel(), nh = c.heads(), dh = c.headDim(), hid = c.mlpRatio() * d;
        double[] wte = p.get(SingleLayerTransformer.WTE), wpe = p.get(SingleLayerTransformer.WPE);
        double[] wq = p.get(SingleLayerTransformer.WQ), wk = p.get(SingleLayerTransformer.WK);
        double[] wv = p.get(SingleLayerTransformer.WV), wo = p.get(SingleLayerTransformer.WO);
        double[] bias = p.get(SingleLayerTransformer.HEAD_BIAS);
        double[] out = new double[ds.numSequences() * t];
        for (int b = 0; b < ds.numSequences(); b++) {
            double[][] h0 = new double[t][d];
            for (int s = 0; s < t; s++) {
                int tok = ds.token(b, s);
                for (int j = 0; j < d; j++) h0[s][j] = wte[tok * d + j] + wpe[s * d + j];
            }
            double[][] q = matmul(h0, wq, d, d), k = matmul(h0, wk, d, d), vv = matmul(h0, wv, d, d);
            double[][] ctx = new double[t][d];
            for (int h = 0; h < nh; h++) {
                for (int s = 0; s < t; s++) {
                    double[] sc = new double[s + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int r = 0; r <= s; r++) {
                        double dot = 0;
                        for (int j = 0; j < dh; j++) dot += q[s][h * dh + j] * k[r][h * dh + j];
                        sc[r] = dot / Math.sqrt(dh);
                        max = Math.max(max, sc[r]);
                    }
                    double z = 0;
                    for (int r = 0; r <= s; r++) z += (sc[r] = Math.exp(sc[r] - max));
                    for (int r = 0; r <= s; r++) {
                        for (int j = 0; j < dh; j++) ctx[s][h * dh + j] += sc[r] / z * vv[r][h * dh + j];
                    }
                }
            }
            double[][] att = matmul(ctx, wo, d, d);
            double[][] h1 = new double[t][d];
            for (int s = 0; s < t; s++) for (int j = 0; j < d; j++) h1[s][j] = h0[s][j] + att[s][j];
            double[][] h2 = h1;
            if (c.mlp()) {
                double[][] u = matmul(h1, p.get(SingleLayerTransformer.W1), d, hid);
                for (double[] row : u) for (int j = 0; j < hid; j++) row[j] = Math.max(0, row[j]);
                double[][] m = matmul(u, p.get(SingleLayerTransformer.W2), hid, d);
                h2 = new double[t][d];
                for (int s = 0; s < t; s++) for (int j = 0; j < d; j++) h2[s][j] = h1[s][j] + m[s][j];
            }
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
