package dev.tdlab.core.theory;

import dev.tdlab.core.data.PatchDataset;
import dev.tdlab.core.data.PatchImageConfig;
import dev.tdlab.core.data.PatchImageGenerator;
import dev.tdlab.core.data.Streams;

/**
 * Bayes error and Bayes cross-entropy of the patch-image task ({@link PatchImageConfig}). Given an image x, each bar
 * placement is a template t of equal norm and the noise is i.i.d. N(0, σ²), so
 * P(horizontal | x) = Σ_{t horizontal} e^{⟨x,t⟩/σ²} / Σ_{all t} e^{⟨x,t⟩/σ²} (both orientations have the same number of
 * placements). There is no closed form for its expectation: it is estimated by a seeded Monte Carlo over N images drawn
 * by {@link PatchImageGenerator} (key {@code Streams.key(seed, "theory")}), with the exact posterior of each image
 * (error = E[min posterior], cross-entropy = E[H(posterior)]) and the standard error of the mean. Exact special cases:
 * signal = 0 or barLength = 1 (the two classes then have the same law): error ½, cross-entropy ln 2.
 */
public final class PatchImageTheory {

    /** Images of the default estimate: 2^26 / imageSize² clamped to [1024, 16384] (cost ∝ images × pixels). */
    public static int defaultSamples(PatchImageConfig cfg) {
        long px = (long) cfg.imageSize() * cfg.imageSize();
        return (int) Math.max(1024, Math.min(16384, (1L << 26) / px));
    }

    public record Result(Estimate bayesError, Estimate bayesLogLoss) {
    }

    private PatchImageTheory() {
    }

    public static Result compute(PatchImageConfig cfg, long seed) {
        return compute(cfg, seed, defaultSamples(cfg));
    }

    public static Result compute(PatchImageConfig cfg, long seed, int samples) {
        if (cfg.signal() == 0 || cfg.barLength() == 1) {
            String how = "exact: the two classes have the same law (signal 0 or bar length 1)";
            return new Result(Estimate.exact(0.5, how), Estimate.exact(Math.log(2), how));
        }
        PatchDataset d = PatchImageGenerator.generate(cfg, samples, Streams.key(seed, "theory"), 1);
        double[] errs = new double[samples], xents = new double[samples];
        int sz = cfg.imageSize();
        double[] img = new double[sz * sz];
        int side = sz / cfg.patchSize(), ps = cfg.patchSize();
        for (int i = 0; i < samples; i++) {
            for (int r = 0; r < sz; r++) {
                for (int c = 0; c < sz; c++) {
                    img[r * sz + c] = d.value(i, (r / ps) * side + c / ps, (r % ps) * ps + c % ps);
                }
            }
            double pH = posteriorHorizontal(cfg, img);
            errs[i] = Math.min(pH, 1 - pH);
            xents[i] = Entropies.h(pH);
        }
        double[] e = Entropies.meanAndStdErr(errs), x = Entropies.meanAndStdErr(xents);
        String how = "Monte Carlo over " + samples + " images with exact posteriors (seed " + seed
                + "), standard error of the mean";
        return new Result(new Estimate(e[0], e[1], how), new Estimate(x[0], x[1], how));
    }

    /** P(horizontal | image), the image in raster order; bar sums by sliding windows, O(imageSize²). */
    public static double posteriorHorizontal(PatchImageConfig cfg, double[] img) {
        int sz = cfg.imageSize(), len = cfg.barLength();
        double scale = cfg.signal() / (cfg.noiseStd() * cfg.noiseStd());
        int span = sz - len + 1;
        double[] lh = new double[sz * span], lv = new double[sz * span];
        double max = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < sz; r++) {
            double sh = 0, sv = 0;
            for (int j = 0; j < len; j++) {
                sh += img[r * sz + j];      // horizontal bar on row r, columns 0..len-1
                sv += img[j * sz + r];      // vertical bar on column r, rows 0..len-1
            }
            for (int c = 0; c < span; c++) {
                if (c > 0) {
                    sh += img[r * sz + c + len - 1] - img[r * sz + c - 1];
                    sv += img[(c + len - 1) * sz + r] - img[(c - 1) * sz + r];
                }
                lh[r * span + c] = sh * scale;
                lv[r * span + c] = sv * scale;
                max = Math.max(max, Math.max(sh, sv) * scale);
            }
        }
        double zh = 0, zv = 0;
        for (int i = 0; i < lh.length; i++) {
            zh += Math.exp(lh[i] - max);
            zv += Math.exp(lv[i] - max);
        }
        return zh / (zh + zv);
    }
}
