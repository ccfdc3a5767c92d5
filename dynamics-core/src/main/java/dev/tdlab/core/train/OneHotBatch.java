package dev.tdlab.core.train;

import dev.tdlab.core.data.TokenDataset;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reusable one-hot input/target arrays [B,T,V] for a fixed B: inputs are tokens 0..T-1 of each sequence, targets
 * tokens 1..T. Filled in Java and copied into the ND4J buffers, so a training run allocates them once.
 */
final class OneHotBatch {
    final int b, t, v;
    final INDArray x, y;
    private final DataType dtype;
    private final float[] xf, yf;
    private final double[] xd, yd;

    OneHotBatch(int b, int t, int v, DataType dtype) {
        this.b = b;
        this.t = t;
        this.v = v;
        this.dtype = dtype;
        this.x = Nd4j.create(dtype, b, t, v);
        this.y = Nd4j.create(dtype, b, t, v);
        int n = b * t * v;
        boolean f = dtype == DataType.FLOAT;
        xf = f ? new float[n] : null;
        yf = f ? new float[n] : null;
        xd = f ? null : new double[n];
        yd = f ? null : new double[n];
    }

    /** Fills the arrays with the sequences {@code seqs[from..from+b-1]} of {@code ds}. */
    void fill(TokenDataset ds, int[] seqs, int from) {
        if (xf != null) {
            Arrays.fill(xf, 0f);
            Arrays.fill(yf, 0f);
        } else {
            Arrays.fill(xd, 0.0);
            Arrays.fill(yd, 0.0);
        }
        for (int i = 0; i < b; i++) {
            int s = seqs[from + i];
            for (int p = 0; p < t; p++) {
                int base = (i * t + p) * v;
                int in = ds.token(s, p), out = ds.token(s, p + 1);
                if (xf != null) {
                    xf[base + in] = 1f;
                    yf[base + out] = 1f;
                } else {
                    xd[base + in] = 1.0;
                    yd[base + out] = 1.0;
                }
            }
        }
        if (xf != null) {
            x.data().setData(xf);
            y.data().setData(yf);
        } else {
            x.data().setData(xd);
            y.data().setData(yd);
        }
    }
}
