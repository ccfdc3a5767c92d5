package dev.tdlab.core.optim;

/** Flattening of optimizer buffers (each a double[parameter][element]) for checkpoints. */
final class StateArrays {
    private StateArrays() {
    }

    static double[][] copy(double[][]... buffers) {
        int n = 0;
        for (double[][] b : buffers) n += b.length;
        double[][] out = new double[n][];
        int k = 0;
        for (double[][] b : buffers) for (double[] a : b) out[k++] = a.clone();
        return out;
    }

    static void restore(double[][] state, double[][]... buffers) {
        int n = 0;
        for (double[][] b : buffers) n += b.length;
        if (state == null || state.length != n) {
            throw new IllegalArgumentException("optimizer state has " + (state == null ? 0 : state.length)
                    + " arrays, expected " + n);
        }
        int k = 0;
        for (double[][] b : buffers) {
            for (double[] a : b) {
                double[] s = state[k++];
                if (s.length != a.length) {
                    throw new IllegalArgumentException("optimizer state array " + (k - 1) + " has " + s.length
                            + " values, expected " + a.length);
                }
                System.arraycopy(s, 0, a, 0, a.length);
            }
        }
    }
}
