package dev.tdlab.core.data;

/**
 * A set the trainer reads ({@code dev.tdlab.core.train.Trainer}), one of:
 * <ul>
 *   <li>{@link TokenDataset}: token sequences for next-token prediction (markov, in-context families);</li>
 *   <li>{@link PatchDataset}: labeled examples of patches of real numbers for binary classification (noisy-patch:
 *       label ±1, patch-image: class 0/1);</li>
 *   <li>{@link LabeledSequences}: token sequences with one class label each (sequence-classification).</li>
 * </ul>
 * The trainer draws example indices uniformly from {@code [0, size())}. For the two classification kinds the class
 * the model predicts is {@code label > 0 ? 1 : 0} (noisy-patch: y = +1 → 1, y = −1 → 0; the others as stored).
 */
public sealed interface Dataset permits TokenDataset, PatchDataset, LabeledSequences {

    /** Examples (sequences) in the set. */
    int size();
}
