package dev.tdlab.core.data;

/**
 * The in-context Markov family: every sequence has its own chain of order k on V tokens, each row drawn from the
 * symmetric Dirichlet(α) prior, and the model must infer it from the context. The first k tokens are i.i.d. uniform
 * (a start that carries no information about the chain, so that the Bayes-optimal predictor is exactly the add-α
 * counting estimator, see {@code InContextTheory}); then each token follows the sequence's chain.
 *
 * <p>Rows are drawn lazily, the first time a sequence needs a context; rows are independent under the prior, so this
 * is the same law as drawing the whole table first, at a cost of at most seqLen rows per sequence. Draws come from the
 * sequence's own counter stream ({@link Streams}) in the order they are needed, so the output depends only on
 * (order, vocab, α, n, seqLen, key). Output: the storage encoding of {@link TokenCodec}.
 */
public final class InContextMarkovSampler {

    private InContextMarkovSampler() {
    }

    public static byte[] sampleEncoded(int order, int vocab, double alpha, int n, int seqLen, long key, int threads) {
        if (order < 1 || order > 16) throw new IllegalArgumentException("order must be in [1,16], got " + order);
        if (vocab < 2 || vocab > 256) throw new IllegalArgumentException("vocab must be in [2,256], got " + vocab);
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("dirichlet alpha must be a positive finite number, got " + alpha);
        }
        long statesL = 1;
        for (int i = 0; i < order; i++) statesL *= vocab;
        if (statesL * (vocab - 1) > (1 << 24)) {
            throw new IllegalArgumentException("vocab^order * (vocab-1) = " + statesL * (vocab - 1) + " exceeds 2^24 table entries");
        }
        MarkovSampler.checkSizes(n, seqLen, vocab);
        int states = (int) statesL;
        int t1 = seqLen + 1;
        byte[] out = new byte[(int) TokenCodec.encodedBytes(TokenCodec.forVocab(vocab), (long) n * t1)];
        int chunks = (n + MarkovSampler.CHUNK - 1) / MarkovSampler.CHUNK;
        Parallel.forChunks(chunks, threads, c -> {
            int from = c * MarkovSampler.CHUNK;
            int to = Math.min(n, from + MarkovSampler.CHUNK);
            chunk(order, vocab, states, alpha, t1, key, out, from, to);
        });
        return out;
    }

    public static TokenDataset sample(int order, int vocab, double alpha, int n, int seqLen, long key, int threads) {
        byte[] enc = sampleEncoded(order, vocab, alpha, n, seqLen, key, threads);
        return TokenDataset.wrap(vocab == 2 ? TokenCodec.decode(enc, 2, n * (seqLen + 1)) : enc, n, seqLen, vocab);
    }

    private static void chunk(int k, int v, int states, double alpha, int t1, long key, byte[] out, int from, int to) {
        final long g = Streams.GAMMA;
        int vm1 = v - 1;
        int pow = states / v;
        int[] stamp = new int[states];
        long[] thr = new long[states * vm1];
        double[] row = new double[v];
        long[] ctr = new long[1];
        byte[] seq = new byte[t1];
        for (int i = from; i < to; i++) {
            long c = Streams.itemCounter(key, i);
            int s = 0;
            int head = Math.min(k, t1);
            for (int j = 0; j < head; j++) {
                c += g;
                int y = (int) Math.multiplyHigh(Streams.mix64(c) >>> 2, (long) v << 2);
                seq[j] = (byte) y;
                s = s * v + y;
            }
            for (int t = k; t < t1; t++) {
                if (stamp[s] != i + 1) {
                    ctr[0] = c;
                    Dirichlet.row(alpha, v, ctr, row, 0);
                    c = ctr[0];
                    Streams.thresholds(row, 0, v, thr, s * vm1);
                    stamp[s] = i + 1;
                }
                c += g;
                long u = Streams.mix64(c) >>> 2;
                int r = s * vm1;
                int y = 0;
                for (int j = 0; j < vm1; j++) y += (int) ((thr[r + j] - 1 - u) >>> 63);
                seq[t] = (byte) y;
                s = (s - (seq[t - k] & 0xff) * pow) * v + y;
            }
            if (v == 2) {
                // rows of a chunk start on a byte (CHUNK is a multiple of 8), and only this chunk writes them
                long bit0 = (long) i * t1;
                for (int t = 0; t < t1; t++) {
                    long b = bit0 + t;
                    int idx = (int) (b >>> 3);
                    if (seq[t] != 0) out[idx] |= (byte) (1 << (b & 7));
                }
            } else {
                System.arraycopy(seq, 0, out, i * t1, t1);
            }
        }
    }
}
