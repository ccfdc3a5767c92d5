package dev.tdlab.core.data;

/**
 * Samples {@link PatchImageConfig} images into {@link PatchDataset} records (patches = (S/p)², dim = p²). Example
 * {@code i} uses its own counter stream ({@link Streams}): draw 1 is the class (top bit: 0 → horizontal, class 0;
 * 1 → vertical, class 1), draw 2 the placement (uniform over S·(S−L+1); horizontal: row = k / (S−L+1),
 * col = k mod (S−L+1); vertical: col = k / (S−L+1), row = k mod (S−L+1)), then one N(0, noiseStd²) variate per pixel
 * in raster order; the bar's brightness is added to its pixels and the pixels are written patch-major.
 * Header: label = clean label = class, aux0 = row and aux1 = column of the bar's top-left pixel.
 */
public final class PatchImageGenerator {

    static final int CHUNK = 256;

    private PatchImageGenerator() {
    }

    public static PatchDataset generate(PatchImageConfig cfg, int n, long key, int threads) {
        if (cfg == null) throw new IllegalArgumentException("config is null");
        if (n < 1) throw new IllegalArgumentException("examples must be >= 1, got " + n);
        int rec = PatchDataset.recordBytes(cfg.patches(), cfg.patchDim());
        if ((long) n * rec > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("dataset too large: " + (long) n * rec + " bytes");
        byte[] out = new byte[n * rec];
        int[] where = layout(cfg);
        Parallel.forChunks((n + CHUNK - 1) / CHUNK, threads, c -> chunk(cfg, where, key, out, c * CHUNK, Math.min(n, (c + 1) * CHUNK)));
        return new PatchDataset(out, n, cfg.patches(), cfg.patchDim());
    }

    /** Float index, in the patch-major record, of raster pixel r * S + c. */
    static int[] layout(PatchImageConfig cfg) {
        int sz = cfg.imageSize(), ps = cfg.patchSize(), side = sz / ps;
        int[] where = new int[sz * sz];
        for (int r = 0; r < sz; r++) {
            for (int c = 0; c < sz; c++) {
                int patch = (r / ps) * side + c / ps;
                where[r * sz + c] = patch * ps * ps + (r % ps) * ps + c % ps;
            }
        }
        return where;
    }

    /** Class, row and column of example i's bar, from its first two draws (shared with the theory's sampler). */
    static int[] object(PatchImageConfig cfg, long draw1, long draw2) {
        int cls = draw1 < 0 ? 1 : 0;
        int span = cfg.imageSize() - cfg.barLength() + 1;
        int k = (int) Math.multiplyHigh(draw2 >>> 2, (long) cfg.placements() << 2);
        int row = cls == 0 ? k / span : k % span;
        int col = cls == 0 ? k % span : k / span;
        return new int[] {cls, row, col};
    }

    private static void chunk(PatchImageConfig cfg, int[] where, long key, byte[] out, int from, int to) {
        final long g = Streams.GAMMA;
        final long[] ki = Normal.KI;
        final double[] wi = Normal.WI;
        final int sz = cfg.imageSize(), len = cfg.barLength();
        final double sigma = cfg.noiseStd();
        final int rec = PatchDataset.recordBytes(cfg.patches(), cfg.patchDim());
        long[] ctr = new long[1];
        double[] img = new double[sz * sz];
        for (int i = from; i < to; i++) {
            long c = Streams.itemCounter(key, i);
            c += g;
            long d1 = Streams.mix64(c);
            c += g;
            long d2 = Streams.mix64(c);
            int[] obj = object(cfg, d1, d2);
            for (int px = 0; px < img.length; px++) {
                c += g;
                long r = Streams.mix64(c);
                long rabs = (r >>> 9) & 0x000fffffffffffffL;
                int idx = (int) (r & 0xff);
                double x;
                if (rabs < ki[idx]) {
                    x = rabs * wi[idx];
                    if ((r & 0x100) != 0) x = -x;
                } else {
                    ctr[0] = c;
                    x = Normal.afterReject(r, ctr);
                    c = ctr[0];
                }
                img[px] = x * sigma;
            }
            for (int j = 0; j < len; j++) {
                int r = obj[0] == 0 ? obj[1] : obj[1] + j;
                int col = obj[0] == 0 ? obj[2] + j : obj[2];
                img[r * sz + col] += cfg.signal();
            }
            int off = i * rec;
            out[off] = (byte) obj[0];
            out[off + 1] = (byte) obj[0];
            out[off + 2] = (byte) obj[1];
            out[off + 3] = (byte) obj[2];
            int x0 = off + PatchDataset.HEADER_BYTES;
            for (int px = 0; px < img.length; px++) PatchDataset.FLOAT_LE.set(out, x0 + 4 * where[px], (float) img[px]);
        }
    }
}
