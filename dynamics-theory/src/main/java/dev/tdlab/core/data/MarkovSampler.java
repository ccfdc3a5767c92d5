package dev.tdlab.core.data;

import dev.tdlab.core.theory.OrderKChain;

/**
 * Fast, exact and deterministic sampling of Markov sequences of any order, straight into the storage encoding of
 * {@link TokenCodec} (one bit per token for V = 2, one byte otherwise).
 *
 * <p>Sequence {@code i} uses its own counter stream under {@code key} ({@link Streams}): its first k tokens are one
 * k-gram drawn from the chain's stationary law, then every token is one 62-bit uniform {@code u} turned into a token
 * by the inverse CDF of its row ({@code #{j : u >= thr[j]}}, thresholds from {@link Streams#thresholds}). So the
 * output depends only on (chain, n, seqLen, key) — not on the thread count — and n sequences are a prefix of n + m.
 * A sequence shorter than k tokens ({@code seqLen + 1 < k}) is the first {@code seqLen + 1} tokens of its k-gram.
 *
 * <p>For sequence classification ({@link #sampleLabeled}) the first draw of a sequence picks its source uniformly
 * among the chains, the rest is as above with that chain.
 */
public final class MarkovSampler {

    /** Sequences per parallel chunk: a multiple of 8, so every chunk of a bit stream starts on a byte. */
    static final int CHUNK = 256;

    private MarkovSampler() {
    }

    /** Tokens and labels of a labeled sample; tokens in the storage encoding of the vocabulary. */
    public record Labeled(byte[] labels, byte[] tokens) {
    }

    /** n sequences of seqLen + 1 tokens in the storage encoding of the chain's vocabulary. */
    public static byte[] sampleEncoded(OrderKChain chain, int n, int seqLen, long key, int threads) {
        return run(new OrderKChain[] {chain}, null, n, seqLen, key, threads);
    }

    /** Same as {@link #sampleEncoded}, decoded to one byte per token. */
    public static TokenDataset sample(OrderKChain chain, int n, int seqLen, long key, int threads) {
        byte[] enc = sampleEncoded(chain, n, seqLen, key, threads);
        return TokenDataset.wrap(chain.vocab() == 2 ? TokenCodec.decode(enc, 2, n * (seqLen + 1)) : enc, n, seqLen,
                chain.vocab());
    }

    /** n sequences, each from a source drawn uniformly among {@code sources} (same order and vocab); label = index. */
    public static Labeled sampleLabeled(OrderKChain[] sources, int n, int seqLen, long key, int threads) {
        if (sources == null || sources.length < 2) throw new IllegalArgumentException("at least two sources are needed");
        for (OrderKChain c : sources) {
            if (c.vocab() != sources[0].vocab() || c.order() != sources[0].order()) {
                throw new IllegalArgumentException("all sources must have the same vocab and order");
            }
        }
        byte[] labels = new byte[n];
        byte[] tokens = run(sources, labels, n, seqLen, key, threads);
        return new Labeled(labels, tokens);
    }

    static void checkSizes(int n, int seqLen, int vocab) {
        if (n < 1) throw new IllegalArgumentException("numSequences must be >= 1, got " + n);
        if (seqLen < 1) throw new IllegalArgumentException("seqLen must be >= 1, got " + seqLen);
        long bytes = TokenCodec.encodedBytes(TokenCodec.forVocab(vocab), (long) n * (seqLen + 1));
        if (bytes > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("dataset too large: " + bytes + " bytes");
    }

    /** A chain compiled to sampling thresholds. */
    static final class Table {
        final int v;
        final int k;
        final int states;
        final int pow;      // V^(k-1)
        final long[] thr;   // states * (V-1)
        final long[] init;  // states - 1 cumulative thresholds of the stationary k-gram law

        Table(OrderKChain c) {
            v = c.vocab();
            k = c.order();
            states = c.states();
            pow = states / v;
            double[] p = c.table();
            thr = new long[states * (v - 1)];
            for (int s = 0; s < states; s++) Streams.thresholds(p, s * v, v, thr, s * (v - 1));
            init = new long[states - 1];
            Streams.thresholds(c.stationary(), 0, states, init, 0);
        }

        /** The k-gram of a 62-bit uniform under the stationary law: the number of thresholds at or below u. */
        int initState(long u) {
            int lo = 0, hi = init.length; // first index with init[idx] > u
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (init[mid] <= u) lo = mid + 1; else hi = mid;
            }
            return lo;
        }
    }

    private static byte[] run(OrderKChain[] chains, byte[] labels, int n, int seqLen, long key, int threads) {
        int v = chains[0].vocab();
        checkSizes(n, seqLen, v);
        Table[] tabs = new Table[chains.length];
        for (int i = 0; i < chains.length; i++) tabs[i] = new Table(chains[i]);
        int t1 = seqLen + 1;
        byte[] out = new byte[(int) TokenCodec.encodedBytes(TokenCodec.forVocab(v), (long) n * t1)];
        int chunks = (n + CHUNK - 1) / CHUNK;
        Parallel.forChunks(chunks, threads, c -> {
            int from = c * CHUNK;
            int to = Math.min(n, from + CHUNK);
            if (v == 2) bits(tabs, labels, t1, key, out, from, to);
            else bytes(tabs, labels, t1, key, out, from, to);
        });
        return out;
    }

    private static int label(long z, int classes) {
        return (int) Math.multiplyHigh(z >>> 2, (long) classes << 2);
    }

    /** V = 2: one bit per token, written 64 at a time. */
    private static void bits(Table[] tabs, byte[] labels, int t1, long key, byte[] out, int from, int to) {
        final long g = Streams.GAMMA;
        int bp = (int) ((long) from * t1 / 8);
        long acc = 0;
        int nacc = 0;
        for (int i = from; i < to; i++) {
            long c = Streams.itemCounter(key, i);
            Table tb = tabs[0];
            if (labels != null) {
                c += g;
                int lab = label(Streams.mix64(c), tabs.length);
                labels[i] = (byte) lab;
                tb = tabs[lab];
            }
            int k = tb.k;
            c += g;
            int s = tb.initState(Streams.mix64(c) >>> 2);
            int head = Math.min(k, t1);
            for (int j = 0; j < head; j++) {
                acc |= (long) ((s >>> (k - 1 - j)) & 1) << nacc;
                if (++nacc == 64) {
                    TokenCodec.LONG_LE.set(out, bp, acc);
                    bp += 8;
                    acc = 0;
                    nacc = 0;
                }
            }
            long[] thr = tb.thr;
            if (k == 1) {
                // both rows' decisions are computed from u alone; the state only selects one (no load on the chain)
                final long a0 = thr[0] - 1, a1 = thr[1] - 1;
                long x = s;
                for (int t = 1; t < t1; t++) {
                    c += g;
                    long u = Streams.mix64(c) >>> 2;
                    long b0 = (a0 - u) >>> 63;
                    long b1 = (a1 - u) >>> 63;
                    x = b0 ^ ((b0 ^ b1) & x);
                    acc |= x << nacc;
                    if (++nacc == 64) {
                        TokenCodec.LONG_LE.set(out, bp, acc);
                        bp += 8;
                        acc = 0;
                        nacc = 0;
                    }
                }
            } else {
                int mask = tb.states - 1;
                for (int t = k; t < t1; t++) {
                    c += g;
                    long u = Streams.mix64(c) >>> 2;
                    long y = (thr[s] - 1 - u) >>> 63;
                    s = ((s << 1) | (int) y) & mask;
                    acc |= y << nacc;
                    if (++nacc == 64) {
                        TokenCodec.LONG_LE.set(out, bp, acc);
                        bp += 8;
                        acc = 0;
                        nacc = 0;
                    }
                }
            }
        }
        for (int b = 0; nacc > 0; b++, nacc -= 8) out[bp + b] = (byte) (acc >>> (8 * b));
    }

    /** V > 2: one byte per token. */
    private static void bytes(Table[] tabs, byte[] labels, int t1, long key, byte[] out, int from, int to) {
        final long g = Streams.GAMMA;
        for (int i = from; i < to; i++) {
            long c = Streams.itemCounter(key, i);
            Table tb = tabs[0];
            if (labels != null) {
                c += g;
                int lab = label(Streams.mix64(c), tabs.length);
                labels[i] = (byte) lab;
                tb = tabs[lab];
            }
            int k = tb.k, v = tb.v, vm1 = v - 1, pow = tb.pow;
            long[] thr = tb.thr;
            int base = i * t1;
            c += g;
            int s = tb.initState(Streams.mix64(c) >>> 2);
            int head = Math.min(k, t1);
            for (int j = 0, rest = s, div = pow; j < head; j++) {
                out[base + j] = (byte) (rest / div);
                rest %= div;
                div = Math.max(1, div / v);
            }
            if (vm1 <= 16 && (v & vm1) == 0) {
                // V a power of two: the state update is a shift and a mask
                int logV = Integer.numberOfTrailingZeros(v), mask = tb.states - 1;
                for (int t = k; t < t1; t++) {
                    c += g;
                    long u = Streams.mix64(c) >>> 2;
                    int row = s * vm1;
                    int y = 0;
                    for (int j = 0; j < vm1; j++) y += (int) ((thr[row + j] - 1 - u) >>> 63);
                    out[base + t] = (byte) y;
                    s = ((s << logV) | y) & mask;
                }
            } else if (vm1 <= 16) {
                for (int t = k; t < t1; t++) {
                    c += g;
                    long u = Streams.mix64(c) >>> 2;
                    int row = s * vm1;
                    int y = 0;
                    for (int j = 0; j < vm1; j++) y += (int) ((thr[row + j] - 1 - u) >>> 63);
                    out[base + t] = (byte) y;
                    s = (s - (out[base + t - k] & 0xff) * pow) * v + y;
                }
            } else {
                for (int t = k; t < t1; t++) {
                    c += g;
                    long u = Streams.mix64(c) >>> 2;
                    int row = s * vm1;
                    int lo = 0, hi = vm1;
                    while (lo < hi) {
                        int mid = (lo + hi) >>> 1;
                        if (thr[row + mid] <= u) lo = mid + 1; else hi = mid;
                    }
                    out[base + t] = (byte) lo;
                    s = (s - (out[base + t - k] & 0xff) * pow) * v + lo;
                }
            }
        }
    }
}
