package dev.tdlab.core.train;

import dev.tdlab.core.data.TokenDataset;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reusable input/target arrays for a fixed B: inputs are tokens 0..T-1 of each sequence, targets tokens 1..T.
 * One-hot [B,T,V], or (scalar models) the token values as floats [B,T]. Filled in Java and copied into the ND4J
 * buffers, so a training run allocates them once.
 */
final class OneHotBatch implements Feed {
    final int b, t, v;
    final boolean scalar;
    final INDArray x, y;
    private final float[] xf, yf;
    private final double[] xd, yd;

    OneHotBatch(int b, int t, int v, DataType dtype, boolean scalar) {
        this.b = b;
        this.t = t;
        this.v = v;
        this.scalar = scalar;
        this.x = scalar ? Nd4j.create(dtype, b, t) : Nd4j.create(dtype, b, t, v);
        this.y = scalar ? Nd4j.create(dtype, b, t) : Nd4j.create(dtype, b, t, v);
        int n = scalar ? b * t : b * t * v;
        boolean f = dtype == DataType.FLOAT;
        xf = f ? new float[n] : null;
        yf = f ? new float[n] : null;
        xd = f ? null : new double[n];
        yd = f ? null : new double[n];
    }

    @Override
    public INDArray x() {
        return x;
    }

    @Override
    public INDArray y() {
        return y;
    }

    OneHotBatch(int b, int t, int v, DataType dtype) {
        this(b, t, v, dtype, false);
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
                int in = ds.token(s, p), out = ds.token(s, p + 1);
                int xi, yi;
                double xv, yv;
                if (scalar) {
                    xi = yi = i * t + p;
                    xv = in;
                    yv = out;
                } else {
                    int base = (i * t + p) * v;
                    xi = base + in;
                    yi = base + out;
                    xv = yv = 1.0;
                }
                if (xf != null) {
                    xf[xi] = (float) xv;
                    yf[yi] = (float) yv;
                } else {
                    xd[xi] = xv;
                    yd[yi] = yv;
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
