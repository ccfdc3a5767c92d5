package dev.tdlab.datagen.generate;

import dev.tdlab.core.data.PatchDataset;
import dev.tdlab.core.data.TokenCodec;

import java.util.Arrays;

/**
 * The shard formats. A shard holds whole items (sequences or examples) of one split, in item order:
 * <ul>
 *   <li>{@code bits1} (V = 2): the shard's tokens (items × (seqLen+1), row-major) as one bit stream, least significant
 *       bit first ({@code numpy.packbits(x, bitorder='little')}), zero padding in the last byte;</li>
 *   <li>{@code u8} (3 ≤ V ≤ 256): one byte per token, row-major;</li>
 *   <li>{@code labeled-bits1} / {@code labeled-u8} (sequence-classification): one label byte per sequence, then the
 *       tokens as in bits1 / u8;</li>
 *   <li>{@code patch-f32} (noisy-patch, patch-image): one record per example, {@link PatchDataset}'s layout: int8
 *       label, int8 clean label, uint8 aux0, uint8 aux1, then patches × dim float32 little-endian.</li>
 * </ul>
 * Items per shard: as many as fit in the configured shard size, and for bit streams a multiple of 8, so that every
 * shard starts on a byte of its split's stream and a shard is a plain slice of it.
 */
public final class Encodings {

    public static final String BITS1 = "bits1";
    public static final String U8 = "u8";
    public static final String LABELED_PREFIX = "labeled-";
    public static final String PATCH_F32 = "patch-f32";

    private Encodings() {
    }

    public static String tokens(int vocab) {
        return TokenCodec.forVocab(vocab).id();
    }

    /** Items per shard for a target shard size in bytes. */
    public static int itemsPerShard(Generated g, int shardBytes) {
        if (!g.isTokenFamily()) {
            return Math.max(1, shardBytes / PatchDataset.recordBytes(g.patches(), g.dim()));
        }
        int t1 = g.seqLen() + 1;
        boolean labeled = g.encoding().startsWith(LABELED_PREFIX);
        if (g.vocab() == 2) {
            // bits per item: t1 (+ 8 for a label byte); a multiple of 8 items keeps shards byte-aligned
            long per = (8L * shardBytes) / (t1 + (labeled ? 8 : 0));
            return (int) Math.max(8, per - per % 8);
        }
        return Math.max(1, shardBytes / (t1 + (labeled ? 1 : 0)));
    }

    /** The shard body of items [from, to) of a split. */
    public static byte[] shard(Generated g, Generated.Split s, int from, int to) {
        byte[] body;
        if (!g.isTokenFamily()) {
            int r = PatchDataset.recordBytes(g.patches(), g.dim());
            body = Arrays.copyOfRange(s.body(), from * r, to * r);
        } else if (g.vocab() == 2) {
            long t1 = g.seqLen() + 1;
            body = Arrays.copyOfRange(s.body(), (int) (from * t1 / 8), (int) ((to * t1 + 7) / 8));
        } else {
            int t1 = g.seqLen() + 1;
            body = Arrays.copyOfRange(s.body(), from * t1, to * t1);
        }
        if (s.labels() == null) {
            return body;
        }
        byte[] out = new byte[(to - from) + body.length];
        System.arraycopy(s.labels(), from, out, 0, to - from);
        System.arraycopy(body, 0, out, to - from, body.length);
        return out;
    }
}
