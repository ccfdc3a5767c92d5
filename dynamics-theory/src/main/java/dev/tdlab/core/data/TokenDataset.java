package dev.tdlab.core.data;

/**
 * An immutable set of {@code numSequences} token sequences of {@code seqLen + 1} tokens each, stored row-major as
 * unsigned bytes (so {@code vocab <= 256}). The model context is {@code seqLen}: for sequence {@code s} the inputs are
 * tokens {@code 0..seqLen-1} and the targets tokens {@code 1..seqLen}.
 */
public final class TokenDataset implements Dataset {

    private final byte[] tokens;
    private final int numSequences;
    private final int seqLen;
    private final int vocab;

    /** Validates sizes and that every token is below {@code vocab}; the array is copied. */
    public TokenDataset(byte[] tokens, int numSequences, int seqLen, int vocab) {
        if (tokens == null) throw new IllegalArgumentException("tokens is null");
        if (numSequences < 1) throw new IllegalArgumentException("numSequences must be >= 1, got " + numSequences);
        if (seqLen < 1) throw new IllegalArgumentException("seqLen must be >= 1, got " + seqLen);
        if (vocab < 2 || vocab > 256) throw new IllegalArgumentException("vocab must be in [2,256], got " + vocab);
        long expected = (long) numSequences * (seqLen + 1);
        if (tokens.length != expected) {
            throw new IllegalArgumentException("tokens.length must be numSequences*(seqLen+1) = " + expected
                    + ", got " + tokens.length);
        }
        for (int i = 0; i < tokens.length; i++) {
            if ((tokens[i] & 0xFF) >= vocab) {
                throw new IllegalArgumentException("token " + (tokens[i] & 0xFF) + " at index " + i
                        + " is not below vocab " + vocab);
            }
        }
        this.tokens = tokens.clone();
        this.numSequences = numSequences;
        this.seqLen = seqLen;
        this.vocab = vocab;
    }

    /** Package-private: wraps an array this package built itself and will not touch again (no copy, no scan). */
    static TokenDataset wrap(byte[] tokens, int numSequences, int seqLen, int vocab) {
        return new TokenDataset(numSequences, seqLen, vocab, tokens);
    }

    private TokenDataset(int numSequences, int seqLen, int vocab, byte[] tokens) {
        this.tokens = tokens;
        this.numSequences = numSequences;
        this.seqLen = seqLen;
        this.vocab = vocab;
    }

    /** A copy of all tokens, row-major, {@code numSequences * (seqLen + 1)} bytes. */
    public byte[] tokens() {
        return tokens.clone();
    }

    public int numSequences() {
        return numSequences;
    }

    /** {@link #numSequences()}. */
    @Override
    public int size() {
        return numSequences;
    }

    /** Model context length; each stored sequence has {@code seqLen + 1} tokens. */
    public int seqLen() {
        return seqLen;
    }

    public int vocab() {
        return vocab;
    }

    /** Token at position {@code pos} (0..seqLen inclusive) of sequence {@code seq}. */
    public int token(int seq, int pos) {
        if (seq < 0 || seq >= numSequences) throw new IndexOutOfBoundsException("seq " + seq);
        if (pos < 0 || pos > seqLen) throw new IndexOutOfBoundsException("pos " + pos);
        return tokens[seq * (seqLen + 1) + pos] & 0xFF;
    }
}
