package dev.tdlab.core.fast;

/**
 * Causal softmax attention of one head of one sequence as blocked products ({@link Rows#gemm}), shared by the kernels
 * of this package. The sequence's rows are row-major with row length {@code d}; the head is the column slice
 * [c0, c0 + dh); the queries are already multiplied by the score scale.
 *
 * <p>Forward: blocks of {@link #BLOCK} query rows, each a register-tiled product over the keys: scores of the block
 * (keys up to its last row; the few above the diagonal are computed and then zeroed), the softmax of each row, the
 * context of the block. Row i of the head's weights holds a(i,u) for u ≤ i and zeros up to the block's end, which the
 * backward's column products rely on.
 *
 * <p>Backward: dP = dctx vᵀ and dS = a ⊙ (dP − rowdot) by query blocks (into a [T,T] scratch); dv = aᵀ dctx and
 * dk = dSᵀ q by key blocks (key u needs queries i ≥ u, whose rows are zero above the diagonal); dq = dS k by query
 * blocks, times the score scale.
 */
final class BlockedAttention {

    /** Query rows per block (the register tile's height in {@link VectorRows#gemm}). */
    static final int BLOCK = 4;

    private BlockedAttention() {
    }

    /**
     * The weights of the head into {@code p[pb..pb+T·T)} and its context into the columns [c0, c0+dh) of ctx.
     *
     * @param q  scaled queries [T,d]
     * @param kT keys transposed [d,T]
     * @param v  values [T,d]
     */
    static void forward(double[] q, double[] kT, double[] v, double[] p, int pb, double[] ctx, int t, int d, int c0,
                        int dh) {
        for (int i0 = 0; i0 < t; i0 += BLOCK) {
            int m = Math.min(BLOCK, t - i0), end = i0 + m;
            Rows.gemm(q, i0 * d + c0, d, 1, kT, c0 * t, t, p, pb + i0 * t, t, m, end, 0, dh, false);  // q kᵀ
            for (int i = i0; i < end; i++) {
                int row = pb + i * t, n = i + 1;
                double max = Rows.max(p, row, n);
                double sum = Rows.expShiftSum(p, row, n, max);
                Rows.scale(p, row, n, 1.0 / sum);
                for (int u = n; u < end; u++) p[row + u] = 0.0;
            }
            Rows.gemm(p, pb + i0 * t, t, 1, v, c0, d, ctx, i0 * d + c0, d, m, dh, 0, end, false);       // a v
        }
    }

    /**
     * The head's gradients: the columns [c0, c0+dh) of dq (times {@code scale}, the gradient of the unscaled
     * queries), dk and dv, from dctx and the weights {@code p[pb..]} of {@link #forward}; dS is a [T,T] scratch.
     */
    static void backward(double[] p, int pb, double[] dctx, double[] vT, double[] q, double[] k, double[] dS,
                         double[] dq, double[] dk, double[] dv, int t, int d, int c0, int dh, double scale) {
        for (int i0 = 0; i0 < t; i0 += BLOCK) {
            int m = Math.min(BLOCK, t - i0), end = i0 + m;
            Rows.gemm(dctx, i0 * d + c0, d, 1, vT, c0 * t, t, dS, i0 * t, t, m, end, 0, dh, false);  // dctx vᵀ
            for (int i = i0; i < end; i++) {
                double rowdot = Rows.dot(p, pb + i * t, dS, i * t, i + 1);
                Rows.softmaxBackInPlace(p, pb + i * t, dS, i * t, end, rowdot);     // zero above the diagonal
            }
        }
        for (int u0 = 0; u0 < t; u0 += BLOCK) {
            int m = Math.min(BLOCK, t - u0);
            Rows.gemm(p, pb + u0, 1, t, dctx, c0, d, dv, u0 * d + c0, d, m, dh, u0, t, false);  // aᵀ dctx
            Rows.gemm(dS, u0, 1, t, q, c0, d, dk, u0 * d + c0, d, m, dh, u0, t, false);          // dSᵀ q
        }
        for (int i0 = 0; i0 < t; i0 += BLOCK) {
            int m = Math.min(BLOCK, t - i0), end = i0 + m;
            Rows.gemm(dS, i0 * t, t, 1, k, c0, d, dq, i0 * d + c0, d, m, dh, 0, end, false);     // dS k
            for (int i = i0; i < end; i++) {
                for (int j = c0; j < c0 + dh; j++) dq[i * d + j] *= scale;                      // q = (h Wq)·scale
            }
        }
    }

    /** Σ over the T queries of −Σ_u a log(a + 1e-30) of the head's weights {@code p[pb..]}. */
    static double entropySum(double[] p, int pb, int t) {
        double s = 0;
        for (int i = 0; i < t; i++) {
            int row = pb + i * t;
            for (int u = 0; u <= i; u++) {
                double a = p[row + u];
                s -= a * Math.log(a + 1e-30);
            }
        }
        return s;
    }
}
