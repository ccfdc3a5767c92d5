package dev.tdlab.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.theory.Estimate;
import dev.tdlab.core.theory.NoisyPatchTheory;
import dev.tdlab.core.theory.PatchImageTheory;
import org.junit.jupiter.api.Test;

/**
 * noisy-patch and patch-image: the structure of every example exactly, the noise and label laws statistically
 * (Z = 5 standard errors), and the Bayes error of each family against the error the Bayes classifier makes on data
 * the generator made.
 */
class PatchFamiliesTest {

    static final double Z = 5.0;

    @Test
    void matchedNormsRescaleEveryNoisePatchToTheSignalsNorm() {
        NoisyPatchConfig cfg = new NoisyPatchConfig(32, 4, 1.0, 1.0, 8, 0.0, true);
        PatchDataset d = NoisyPatchGenerator.generate(cfg, 50, Streams.key(5, "train"), 2);
        PatchDataset raw = NoisyPatchGenerator.generate(new NoisyPatchConfig(32, 4, 1.0, 1.0, 8, 0.0), 50,
                Streams.key(5, "train"), 1);
        for (int i = 0; i < 50; i++) {
            for (int p = 0; p < 4; p++) {
                double ss = 0, dot = 0, rr = 0;
                for (int j = 0; j < 32; j++) {
                    ss += d.value(i, p, j) * d.value(i, p, j);
                    dot += d.value(i, p, j) * raw.value(i, p, j);
                    rr += raw.value(i, p, j) * raw.value(i, p, j);
                }
                assertEquals(1.0, Math.sqrt(ss), 1e-5, "example " + i + " patch " + p);
                assertEquals(1.0, dot / Math.sqrt(ss * rr), 1e-5, "same direction as sampled");
            }
        }
        assertEquals(1.0, NoisyPatchTheory.snr(cfg));
        assertThrows(IllegalArgumentException.class, () -> new NoisyPatchConfig(32, 4, 0.0, 1.0, 8, 0.0, true));
    }

    @Test
    void noisyPatchExamplesHaveTheirStructure() {
        NoisyPatchConfig cfg = new NoisyPatchConfig(32, 4, 2.5, 0.7, 31, 0.2);
        int n = 20000;
        PatchDataset d = NoisyPatchGenerator.generate(cfg, n, Streams.key(1, "train"), 3);
        assertEquals(4 + 4 * 4 * 32, d.recordBytes());
        long flips = 0, bayesErrors = 0, values = 0;
        long[] where = new long[4];
        double s1 = 0, s2 = 0;
        for (int i = 0; i < n; i++) {
            int clean = d.cleanLabel(i), y = d.label(i), sig = d.aux0(i);
            assertTrue(clean == 1 || clean == -1);
            assertTrue(y == 1 || y == -1);
            where[sig]++;
            if (y != clean) flips++;
            double firstSum = 0;
            for (int p = 0; p < 4; p++) {
                firstSum += d.value(i, p, 0);
                for (int j = 1; j < 32; j++) {
                    float v = d.value(i, p, j);
                    if (p == sig) {
                        assertEquals(0f, v, "the signal patch is exactly y*mu");
                    } else {
                        s1 += v;
                        s2 += v * v;
                        values++;
                    }
                }
                if (p != sig) assertEquals(0f, d.value(i, p, 0), "noise is orthogonal to mu");
            }
            assertEquals(clean * 2.5f, d.value(i, sig, 0));
            // the Bayes classifier: the sign of the first coordinates' sum
            if ((firstSum > 0 ? 1 : -1) != y) bayesErrors++;
        }
        assertEquals(0.2, (double) flips / n, Z * Math.sqrt(0.2 * 0.8 / n), "label noise rate");
        assertEquals(NoisyPatchTheory.bayesError(cfg), (double) bayesErrors / n, Z * Math.sqrt(0.2 * 0.8 / n), "Bayes error");
        for (long w : where) assertEquals(0.25, (double) w / n, Z * Math.sqrt(0.25 * 0.75 / n), "signal position");
        double mean = s1 / values, var = s2 / values - mean * mean;
        assertEquals(0, mean, Z * 0.7 / Math.sqrt(values));
        assertEquals(0.49, var, Z * 0.49 * Math.sqrt(2.0 / values));
        assertEquals(-0.2 * Math.log(0.2) - 0.8 * Math.log(0.8), NoisyPatchTheory.bayesLogLoss(cfg), 1e-15);
        assertEquals(2.5 / (0.7 * Math.sqrt(31)), NoisyPatchTheory.snr(cfg), 1e-15);
    }

    @Test
    void sparseNoiseHasExactlySNonZeroCoordinates() {
        NoisyPatchConfig cfg = new NoisyPatchConfig(64, 3, 1.0, 1.0, 5, 0.0);
        int n = 4000;
        PatchDataset d = NoisyPatchGenerator.generate(cfg, n, 5L, 2);
        long[] hits = new long[64];
        for (int i = 0; i < n; i++) {
            assertEquals(d.cleanLabel(i), d.label(i), "no label noise");
            for (int p = 0; p < 3; p++) {
                if (p == d.aux0(i)) continue;
                int nz = 0;
                for (int j = 0; j < 64; j++) {
                    if (d.value(i, p, j) != 0f) {
                        nz++;
                        hits[j]++;
                    }
                }
                assertEquals(5, nz);
            }
        }
        assertEquals(0, hits[0]);
        double expect = 2.0 * n * 5 / 63; // two noise patches per example, 5 of 63 coordinates each
        for (int j = 1; j < 64; j++) assertEquals(expect, hits[j], Z * Math.sqrt(expect), "coordinate " + j + " chosen uniformly");
        assertEquals(0.5, NoisyPatchTheory.bayesError(new NoisyPatchConfig(8, 2, 0.0, 1.0, 7, 0.1)));
    }

    @Test
    void patchGeneratorsAreDeterministicAndThreadIndependent() {
        NoisyPatchConfig np = new NoisyPatchConfig(16, 5, 1.0, 1.0, 6, 0.1);
        assertArrayEquals(NoisyPatchGenerator.generate(np, 700, 3L, 1).encoded(), NoisyPatchGenerator.generate(np, 700, 3L, 4).encoded());
        byte[] big = NoisyPatchGenerator.generate(np, 700, 3L, 2).encoded();
        byte[] small = NoisyPatchGenerator.generate(np, 300, 3L, 2).encoded();
        assertArrayEquals(small, java.util.Arrays.copyOf(big, small.length));
        PatchImageConfig pi = new PatchImageConfig(8, 4, 3, 1.0, 0.5);
        assertArrayEquals(PatchImageGenerator.generate(pi, 600, 3L, 1).encoded(), PatchImageGenerator.generate(pi, 600, 3L, 3).encoded());
        assertThrows(IllegalArgumentException.class, () -> new NoisyPatchConfig(1, 2, 1, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new NoisyPatchConfig(8, 2, 1, 1, 8, 0));
        assertThrows(IllegalArgumentException.class, () -> new NoisyPatchConfig(8, 2, 1, 1, 7, 0.6));
        assertThrows(IllegalArgumentException.class, () -> new PatchImageConfig(8, 3, 2, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> PatchDataset.of(new byte[5], 1, 1, 1));
    }

    @Test
    void patchImagesHaveTheirBarAndNoise() {
        PatchImageConfig cfg = new PatchImageConfig(8, 4, 3, 2.0, 0.5);
        int n = 20000, sz = 8;
        PatchDataset d = PatchImageGenerator.generate(cfg, n, Streams.key(4, "train"), 2);
        assertEquals(4, d.patches());
        assertEquals(16, d.dim());
        long vertical = 0, onBar = 0, off = 0;
        double sOn = 0, sOff = 0, sOff2 = 0;
        long[][] corner = new long[sz][sz];
        for (int i = 0; i < n; i++) {
            int cls = d.label(i), r0 = d.aux0(i), c0 = d.aux1(i);
            assertEquals(cls, d.cleanLabel(i));
            vertical += cls;
            corner[r0][c0]++;
            assertTrue(cls == 0 ? c0 + 3 <= sz : r0 + 3 <= sz, "the bar fits");
            for (int r = 0; r < sz; r++) {
                for (int c = 0; c < sz; c++) {
                    double v = d.value(i, (r / 4) * 2 + c / 4, (r % 4) * 4 + c % 4);
                    boolean bar = cls == 0 ? r == r0 && c >= c0 && c < c0 + 3 : c == c0 && r >= r0 && r < r0 + 3;
                    if (bar) {
                        sOn += v;
                        onBar++;
                    } else {
                        sOff += v;
                        sOff2 += v * v;
                        off++;
                    }
                }
            }
        }
        assertEquals(3L * n, onBar);
        assertEquals(0.5, (double) vertical / n, Z * Math.sqrt(0.25 / n), "class balance");
        assertEquals(2.0, sOn / onBar, Z * 0.5 / Math.sqrt(onBar), "bar brightness");
        assertEquals(0.0, sOff / off, Z * 0.5 / Math.sqrt(off), "background mean");
        assertEquals(0.25, sOff2 / off, Z * 0.25 * Math.sqrt(2.0 / off), "background variance");
        // the corner (top-left pixel) of a horizontal bar is uniform over 8 x 6 places, of a vertical one over 6 x 8
        double cornerCell = n * (0.5 / 48);
        assertEquals(2 * cornerCell, corner[0][0], Z * Math.sqrt(2 * cornerCell), "(0,0) is a corner of both");
        assertEquals(cornerCell, corner[7][0], Z * Math.sqrt(cornerCell), "(7,0): horizontal only");
        assertEquals(0, corner[7][7]);
    }

    /** The sliding-window posterior against the definition: a sum over every placement of exp(<x, t>/σ²). */
    @Test
    void posteriorMatchesItsDefinition() {
        PatchImageConfig cfg = new PatchImageConfig(6, 3, 4, 0.7, 0.9);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(4);
        for (int trial = 0; trial < 20; trial++) {
            double[] img = new double[36];
            for (int i = 0; i < 36; i++) img[i] = rnd.nextGaussian() + (rnd.nextInt(4) == 0 ? 0.7 : 0);
            double zh = 0, zv = 0, s2 = 0.81;
            for (int r = 0; r < 6; r++) {
                for (int c = 0; c + 4 <= 6; c++) {
                    double h = 0, v = 0;
                    for (int j = 0; j < 4; j++) {
                        h += 0.7 * img[r * 6 + c + j];
                        v += 0.7 * img[(c + j) * 6 + r];
                    }
                    zh += Math.exp(h / s2);
                    zv += Math.exp(v / s2);
                }
            }
            assertEquals(zh / (zh + zv), PatchImageTheory.posteriorHorizontal(cfg, img), 1e-12);
        }
    }

    @Test
    void patchImageBayesErrorMatchesTheBayesClassifierOnGeneratedData() {
        PatchImageConfig cfg = new PatchImageConfig(8, 4, 3, 1.0, 0.8);
        PatchImageTheory.Result th = PatchImageTheory.compute(cfg, 1L, 8192);
        Estimate e = th.bayesError();
        assertTrue(e.value() > 0.02 && e.value() < 0.45, "an informative, hard config: " + e);
        int n = 8192;
        PatchDataset d = PatchImageGenerator.generate(cfg, n, Streams.key(2, "eval"), 2);
        double[] img = new double[64];
        long wrong = 0;
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < 8; r++) for (int c = 0; c < 8; c++) img[r * 8 + c] = d.value(i, (r / 4) * 2 + c / 4, (r % 4) * 4 + c % 4);
            double pH = PatchImageTheory.posteriorHorizontal(cfg, img);
            int guess = pH >= 0.5 ? 0 : 1;
            if (guess != d.label(i)) wrong++;
        }
        double emp = (double) wrong / n;
        double se = Math.hypot(Math.sqrt(e.value() * (1 - e.value()) / n), e.stdErr());
        assertEquals(e.value(), emp, Z * se);
        assertTrue(th.bayesLogLoss().value() > 0 && th.bayesLogLoss().value() < Math.log(2));
        // the classes are the same law when the bar is one pixel, or dark
        assertEquals(0.5, PatchImageTheory.compute(new PatchImageConfig(8, 4, 1, 1.0, 1.0), 1L).bayesError().value());
        assertEquals(0.5, PatchImageTheory.compute(new PatchImageConfig(8, 4, 3, 0.0, 1.0), 1L).bayesError().value());
        // a bright bar is unmistakable
        assertTrue(PatchImageTheory.compute(new PatchImageConfig(8, 4, 4, 20.0, 1.0), 1L, 512).bayesError().value() < 1e-6);
    }
}
