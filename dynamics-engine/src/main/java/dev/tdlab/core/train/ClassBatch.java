package dev.tdlab.core.train;

import dev.tdlab.core.data.Dataset;
import dev.tdlab.core.data.LabeledSequences;
import dev.tdlab.core.data.PatchDataset;
import dev.tdlab.core.data.TokenDataset;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reusable arrays for a fixed B of classification examples: x [B,n,D] patches (PatchDataset) or [B,n,V] one-hot tokens
 * (LabeledSequences, all n = seqLen + 1 stored tokens), y [B] the class as 0/1 ({@code label > 0 ? 1 : 0}). Filled in
 * Java ({@code xd}, {@code yd}, read as they are by the hand-written kernels) and copied into the ND4J buffers (none
 * when {@code dtype} is null: the kernels' batches).
 */
final class ClassBatch implements Feed {
    final int b, n, width;
    final INDArray x, y;
    final double[] xd, yd;
    private final float[] xf, yf;

    ClassBatch(int b, int n, int width, DataType dtype) {
        this.b = b;
        this.n = n;
        this.width = width;
        this.x = dtype == null ? null : Nd4j.create(dtype, b, n, width);
        this.y = dtype == null ? null : Nd4j.create(dtype, b);
        this.xd = new double[b * n * width];
        this.yd = new double[b];
        boolean f = dtype == DataType.FLOAT;
        this.xf = f ? new float[xd.length] : null;
        this.yf = f ? new float[b] : null;
    }

    @Override
    public INDArray x() {
        return x;
    }

    @Override
    public INDArray y() {
        return y;
    }

    /** The class of example i as 0/1. */
    static int label01(Dataset ds, int i) {
        if (ds instanceof PatchDataset p) return p.label(i) > 0 ? 1 : 0;
        if (ds instanceof LabeledSequences s) return s.label(i) > 0 ? 1 : 0;
        throw new IllegalArgumentException("not a classification set: " + ds.getClass().getSimpleName());
    }

    /** Fills the arrays with examples {@code idx[from..from+b-1]} of {@code ds}. */
    void fill(Dataset ds, int[] idx, int from) {
        if (ds instanceof PatchDataset p) {
            for (int i = 0; i < b; i++) {
                int e = idx[from + i];
                int base = i * n * width;
                for (int q = 0; q < n; q++) {
                    for (int j = 0; j < width; j++) xd[base + q * width + j] = p.value(e, q, j);
                }
                yd[i] = label01(ds, e);
            }
        } else if (ds instanceof LabeledSequences s) {
            Arrays.fill(xd, 0.0);
            TokenDataset t = s.tokens();
            for (int i = 0; i < b; i++) {
                int e = idx[from + i];
                for (int q = 0; q < n; q++) xd[(i * n + q) * width + t.token(e, q)] = 1.0;
                yd[i] = label01(ds, e);
            }
        } else {
            throw new IllegalArgumentException("not a classification set: " + ds.getClass().getSimpleName());
        }
        if (x == null) return;
        if (xf != null) {
            for (int i = 0; i < xd.length; i++) xf[i] = (float) xd[i];
            for (int i = 0; i < b; i++) yf[i] = (float) yd[i];
            x.data().setData(xf);
            y.data().setData(yf);
        } else {
            x.data().setData(xd);
            y.data().setData(yd);
        }
    }
}
