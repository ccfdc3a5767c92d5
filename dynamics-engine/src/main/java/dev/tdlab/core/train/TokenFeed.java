package dev.tdlab.core.train;

import dev.tdlab.core.data.TokenDataset;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A batch as the hand-written kernels read it (dev.tdlab.core.fast): the sequences {@code idx[from..from+count)} of a
 * token set, no arrays. One per training run, refilled every step.
 */
final class TokenFeed implements Feed {
    TokenDataset ds;
    int[] idx;
    int from, count;

    TokenFeed set(TokenDataset ds, int[] idx, int from, int count) {
        this.ds = ds;
        this.idx = idx;
        this.from = from;
        this.count = count;
        return this;
    }

    @Override
    public INDArray x() {
        throw new UnsupportedOperationException("a TokenFeed has no placeholder arrays (fast engine)");
    }

    @Override
    public INDArray y() {
        throw new UnsupportedOperationException("a TokenFeed has no placeholder arrays (fast engine)");
    }
}
