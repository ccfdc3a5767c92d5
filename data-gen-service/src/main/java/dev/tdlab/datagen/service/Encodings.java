package dev.tdlab.datagen.service;

import dev.tdlab.contracts.shards.ShardEncoding;
import dev.tdlab.core.data.PatchDataset;

import java.util.Arrays;

/**
 * Cuts a generated split into shard bodies in its {@link ShardEncoding}. Items per shard: as many as fit in the
 * configured shard size, and for bit streams a multiple of 8, so that every shard starts on a byte of its split's
 * stream and a shard is a plain slice of it.
 */
final class Encodings {

    private Encodings() {
    }

    /** Items per shard for a target shard size in bytes. */
    static int itemsPerShard(Generated g, int shardBytes) {
        if (!g.isTokenFamily()) {
            return Math.max(1, shardBytes / PatchDataset.recordBytes(g.patches(), g.dim()));
        }
        int t1 = g.seqLen() + 1;
        boolean labeled = g.encoding().labeled();
        if (g.vocab() == 2) {
            // bits per item: t1 (+ 8 for a label byte); a multiple of 8 items keeps shards byte-aligned
            long per = (8L * shardBytes) / (t1 + (labeled ? 8 : 0));
            return (int) Math.max(8, per - per % 8);
        }
        return Math.max(1, shardBytes / (t1 + (labeled ? 1 : 0)));
    }

    /** The shard body of items [from, to) of a split. */
    static byte[] shard(Generated g, Generated.Split s, int from, int to) {
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
