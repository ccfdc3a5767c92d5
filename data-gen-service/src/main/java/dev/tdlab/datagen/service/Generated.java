package dev.tdlab.datagen.service;

import dev.tdlab.contracts.events.Baselines;
import dev.tdlab.contracts.shards.ShardEncoding;

import java.util.Map;

/**
 * A generated dataset, in its storage encoding, with its theory.
 *
 * @param family    the data family
 * @param encoding  the storage encoding of every shard body (see {@link ShardEncoding})
 * @param vocab     V (token families), else null
 * @param seqLen    T (token families: each sequence holds T+1 tokens), else null
 * @param patches   P (patch families), else null
 * @param dim       values per patch (patch families), else null
 * @param train     the train split
 * @param eval      the eval split
 * @param baselines the theory sent on {@code datasets.ready}
 * @param theory    the full theory for the dataset's metadata (curves, tables, methods)
 */
record Generated(String family, ShardEncoding encoding, Integer vocab, Integer seqLen, Integer patches, Integer dim,
                        Split train, Split eval, Baselines baselines, Map<String, Object> theory) {

    /**
     * One split: {@code items} sequences or examples; {@code labels} one byte per item (sequence-classification only,
     * else null); {@code body} the encoded tokens or records of all items.
     */
    record Split(int items, byte[] labels, byte[] body) {
    }

    boolean isTokenFamily() {
        return vocab != null;
    }

    /** Stored bytes of both splits. */
    long bytes() {
        return size(train) + size(eval);
    }

    private static long size(Split s) {
        return s.body().length + (s.labels() == null ? 0 : s.labels().length);
    }
}
