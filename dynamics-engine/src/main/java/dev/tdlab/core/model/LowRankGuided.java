package dev.tdlab.core.model;

import dev.tdlab.core.model.singlelayer.SingleLayerTransformer;

import java.util.Map;

/**
 * The {@code lowrank-global} init: Makkuva et al.'s rank-one initialization placed in the global basin of their
 * Markov-Fixed landscape, the guideline of the paper as papers.md records it from the public code.
 *
 * <p><b>Why the code's {@code lowrank} is not placed.</b> With the code's structure — α ∈ {±1}^d, token embedding e·α,
 * every positional row −½e·α, W_V = α vᵀ with v_std = 0 (the attention adds exactly 0), MLP first layer w αᵀ and
 * second α wᵀ (PyTorch [out,in]), |w_k| = ω for all 4d entries — the input at a position is (x − ½)·e·α and the MLP
 * adds α·e·d·(x − ½)·Σ_k w_k² over the units whose sign matches (x − ½). The logit difference between x = 1 and
 * x = 0 is therefore e²d·(1 + 2d²ω²) > 0 <em>whatever the signs of w</em>: in the three-parameter model's coordinates
 * (logit = e'²(1 + 2w'|w'|)x + b − e'²/2) the code's init sits at w' = +dω &gt; 0, e' = e√d small, the region that
 * for p + q &gt; 1 flows to the local (unigram) minimum. Randomizing the signs of w does not move it out.
 *
 * <p><b>Placed.</b> Every w_k = +ω and the second layer negated (−α wᵀ): the MLP then adds −α·e·d·4d·ω²·(x − ½)₊,
 * and the model at init is <em>exactly</em> the three-parameter model at e' = e√d, w' = −dω, b (x = 0 gets no MLP
 * contribution, so the offset b − e'²/2 matches too). This init puts it at (e', w', b) = (1, −1, 0): e = 1/√d,
 * ω = 1/d. There E = e'² − w'² − sign(w')·log|w'| = 0, above the basin boundary −½(log 2 + 1): the region that
 * MarkovFixedTest (dynamics-engine) shows ending GLOBAL on both sides of p + q = 1 under the reduced flow. Query and key
 * stay N(0, std²); v ~ N(0, vStd²) as the code (vStd = 0 keeps the correspondence exact).
 */
final class LowRankGuided {

    private LowRankGuided() {
    }

    static void place(Map<String, double[]> out, SingleLayerTransformer.GaussianSource g, int d, int tokenRow,
                      double vStd) {
        double[] wte = out.get(SingleLayerTransformer.WTE), wpe = out.get(SingleLayerTransformer.WPE);
        double[] alpha = new double[d];
        for (int i = 0; i < d; i++) alpha[i] = g.next() >= 0 ? 1.0 : -1.0;
        double e = 1 / Math.sqrt(d);
        for (int j = 0; j < d; j++) wte[tokenRow + j] = e * alpha[j];
        for (int r = 0; r < wpe.length / d; r++) {
            for (int j = 0; j < d; j++) wpe[r * d + j] = -0.5 * e * alpha[j];
        }
        double[] wv = out.get(SingleLayerTransformer.WV);
        for (int j = 0; j < d; j++) {
            double v = vStd * g.next();
            for (int i = 0; i < d; i++) wv[j * d + i] = v * alpha[i];
        }
        double[] w1 = out.get(SingleLayerTransformer.W1), w2 = out.get(SingleLayerTransformer.W2);
        if (w1 != null) {
            int h = w1.length / d;
            double omega = 1.0 / d;
            for (int j = 0; j < d; j++) {
                for (int k = 0; k < h; k++) {
                    w1[j * h + k] = alpha[j] * omega;   // [d,h] = α wᵀ
                    w2[k * d + j] = -omega * alpha[j];  // [h,d] = −w αᵀ
                }
            }
        }
        double[] bias = out.get(SingleLayerTransformer.HEAD_BIAS);
        java.util.Arrays.fill(bias, 0.0);
    }
}
