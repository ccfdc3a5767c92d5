package dev.tdlab.core.data;

/**
 * Token sequences with one binary class label each: the sequence-classification family
 * ({@link MarkovSampler#sampleLabeled}, label = index of the source chain, 0 or 1). Sequence {@code i} is the
 * {@code seqLen + 1} stored tokens of row {@code i} of {@link #tokens()}; a classifier reads all of them (as the Bayes
 * classifier of {@code SequenceClassificationTheory} does).
 */
public final class LabeledSequences implements Dataset {

    private final byte[] labels;
    private final TokenDataset tokens;

    /**
     * @param labels one class per sequence, 0 or 1 (copied)
     * @param tokens the sequences, {@code labels.length} of them
     */
    public LabeledSequences(byte[] labels, TokenDataset tokens) {
        if (labels == null || tokens == null) throw new IllegalArgumentException("labels and tokens must not be null");
        if (labels.length != tokens.numSequences()) {
            throw new IllegalArgumentException("labels has " + labels.length + " entries for " + tokens.numSequences()
                    + " sequences");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0 && labels[i] != 1) {
                throw new IllegalArgumentException("label " + labels[i] + " of sequence " + i + " is not 0 or 1");
            }
        }
        this.labels = labels.clone();
        this.tokens = tokens;
    }

    /**
     * The output of {@link MarkovSampler#sampleLabeled} for two sources ({@code n} sequences of {@code seqLen + 1}
     * tokens of a {@code vocab}-valued chain, in the storage encoding of {@link TokenCodec}), decoded.
     */
    public static LabeledSequences of(MarkovSampler.Labeled sample, int n, int seqLen, int vocab) {
        if (sample == null) throw new IllegalArgumentException("sample is null");
        byte[] t = vocab == 2 ? TokenCodec.decode(sample.tokens(), 2, n * (seqLen + 1)) : sample.tokens();
        return new LabeledSequences(sample.labels(), new TokenDataset(t, n, seqLen, vocab));
    }

    @Override
    public int size() {
        return labels.length;
    }

    /** Class of sequence {@code i}, 0 or 1. */
    public int label(int i) {
        return labels[i];
    }

    /** A copy of the labels. */
    public byte[] labels() {
        return labels.clone();
    }

    /** The sequences (immutable). */
    public TokenDataset tokens() {
        return tokens;
    }

    /** Stored tokens per sequence minus one (the sequences hold {@code seqLen + 1} tokens). */
    public int seqLen() {
        return tokens.seqLen();
    }

    public int vocab() {
        return tokens.vocab();
    }
}
