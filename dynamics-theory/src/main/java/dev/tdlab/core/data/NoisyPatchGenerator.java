package dev.tdlab.core.data;

/**
 * Samples {@link NoisyPatchConfig} examples into {@link PatchDataset} records. Example {@code i} uses its own counter
 * stream ({@link Streams}): draw 1 is the clean label (its top bit: 1 → -1, 0 → +1), draw 2 the signal patch
 * (uniform over P), draw 3 the label flip (flipped when its 62-bit uniform is below labelNoise·2^62), then the noise
 * patches in order: for a sparse config first the s coordinates (Floyd's sampling without replacement, one draw
 * each), then one N(0,1) variate per non-zero coordinate ({@link Normal}, ziggurat) scaled by noiseStd and rounded to
 * float32; with {@code matchNorms} each noise patch is then rescaled to norm ‖μ‖ = signal. Deterministic in (config,
 * n, key), independent of the thread count.
 */
public final class NoisyPatchGenerator {

    static final int CHUNK = 256;

    private NoisyPatchGenerator() {
    }

    public static PatchDataset generate(NoisyPatchConfig cfg, int n, long key, int threads) {
        if (cfg == null) throw new IllegalArgumentException("config is null");
        if (n < 1) throw new IllegalArgumentException("examples must be >= 1, got " + n);
        int rec = PatchDataset.recordBytes(cfg.patches(), cfg.dim());
        if ((long) n * rec > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("dataset too large: " + (long) n * rec + " bytes");
        byte[] out = new byte[n * rec];
        Parallel.forChunks((n + CHUNK - 1) / CHUNK, threads, c -> chunk(cfg, key, out, c * CHUNK, Math.min(n, (c + 1) * CHUNK)));
        return new PatchDataset(out, n, cfg.patches(), cfg.dim());
    }

    private static void chunk(NoisyPatchConfig cfg, long key, byte[] out, int from, int to) {
        final long g = Streams.GAMMA;
        final long[] ki = Normal.KI;
        final double[] wi = Normal.WI;
        final int d = cfg.dim(), pp = cfg.patches(), s = cfg.sparsity();
        final boolean dense = s == d - 1;
        final double sigmaD = cfg.noiseStd();
        final float mu = (float) cfg.signal();
        final long flipThr = Math.round(cfg.labelNoise() * 0x1.0p62);
        final int rec = PatchDataset.recordBytes(pp, d);
        long[] ctr = new long[1];
        int[] coords = new int[s];
        boolean[] chosen = new boolean[d];
        for (int i = from; i < to; i++) {
            long c = Streams.itemCounter(key, i);
            c += g;
            int clean = Streams.mix64(c) < 0 ? -1 : 1;
            c += g;
            int sig = (int) Math.multiplyHigh(Streams.mix64(c) >>> 2, (long) pp << 2);
            c += g;
            int y = (Streams.mix64(c) >>> 2) < flipThr ? -clean : clean;
            int off = i * rec;
            out[off] = (byte) y;
            out[off + 1] = (byte) clean;
            out[off + 2] = (byte) sig;
            out[off + 3] = 0;
            int x0 = off + PatchDataset.HEADER_BYTES;
            PatchDataset.FLOAT_LE.set(out, x0 + 4 * sig * d, clean * mu);
            for (int p = 0; p < pp; p++) {
                if (p == sig) continue;
                int base = x0 + 4 * p * d;
                if (dense) {
                    for (int j = 1; j < d; j++) {
                        c += g;
                        long r = Streams.mix64(c);
                        long rabs = (r >>> 9) & 0x000fffffffffffffL;
                        int idx = (int) (r & 0xff);
                        float v;
                        if (rabs < ki[idx]) {
                            double x = rabs * wi[idx];
                            v = (float) ((r & 0x100) != 0 ? -x * sigmaD : x * sigmaD);
                        } else {
                            ctr[0] = c;
                            v = (float) (Normal.afterReject(r, ctr) * sigmaD);
                            c = ctr[0];
                        }
                        PatchDataset.FLOAT_LE.set(out, base + 4 * j, v);
                    }
                } else {
                    // Floyd: s distinct coordinates of 1..d-1 (positions 0..d-2, shifted by one)
                    int m = 0;
                    for (int j = d - 1 - s; j < d - 1; j++) {
                        c += g;
                        int t = (int) Math.multiplyHigh(Streams.mix64(c) >>> 2, (long) (j + 1) << 2);
                        int pick = chosen[t + 1] ? j + 1 : t + 1;
                        chosen[pick] = true;
                        coords[m++] = pick;
                    }
                    for (int q = 0; q < s; q++) {
                        chosen[coords[q]] = false;
                        ctr[0] = c;
                        float v = (float) (Normal.next(ctr) * sigmaD);
                        c = ctr[0];
                        PatchDataset.FLOAT_LE.set(out, base + 4 * coords[q], v);
                    }
                }
                if (cfg.matchNorms()) rescale(out, base, d, cfg.signal());
            }
        }
    }

    /** Rescales the patch of {@code d} floats at {@code base} to Euclidean norm {@code norm} (a zero patch stays 0). */
    static void rescale(byte[] out, int base, int d, double norm) {
        double ss = 0;
        for (int j = 0; j < d; j++) {
            double v = (float) PatchDataset.FLOAT_LE.get(out, base + 4 * j);
            ss += v * v;
        }
        if (ss == 0) return;
        double k = norm / Math.sqrt(ss);
        for (int j = 0; j < d; j++) {
            float v = (float) PatchDataset.FLOAT_LE.get(out, base + 4 * j);
            PatchDataset.FLOAT_LE.set(out, base + 4 * j, (float) (v * k));
        }
    }
}
