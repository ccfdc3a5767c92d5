package dev.tdlab.core.metrics;

/**
 * The rank-collapse measure of Noci et al. 2022 (arXiv 2206.03126), as a pure function: for a token matrix X (T rows,
 * one per position, of width d) with mean row x̄,
 * <pre>
 *   ρ(X) = ‖X − 1 x̄ᵀ‖_F / ‖X‖_F ∈ [0, 1]
 * </pre>
 * 1 x̄ᵀ is the best approximation of X (in Frobenius norm) whose rows are all equal, so ρ is the relative distance of X
 * from the "collapsed" rank-one matrices 1 xᵀ: 0 when every token carries the same vector, near 1 when the tokens are
 * centred (as many directions as tokens). With C = Σ_{i,j} ⟨x_i, x_j⟩ (the sum of all token inner products, Noci's
 * correlation numerator), ρ² = 1 − C / (T · ‖X‖_F²), so ρ → 0 is the same as the mean token correlation → 1.
 * The graph computes the same quantity per sequence and averages it over the batch
 * ({@code DeepTransformer.rankCollapse}).
 */
public final class RankCollapse {

    private RankCollapse() {
    }

    /**
     * ρ(X) = ‖X − 1 x̄ᵀ‖_F / ‖X‖_F for X given as rows x[t][j]; NaN when X is all zeros.
     *
     * @throws IllegalArgumentException for no rows or rows of different widths
     */
    public static double relativeResidual(double[][] x) {
        if (x == null || x.length == 0) throw new IllegalArgumentException("x needs at least one row");
        int t = x.length, d = x[0].length;
        double[] mean = new double[d];
        for (double[] row : x) {
            if (row.length != d) throw new IllegalArgumentException("rows of x must have the same width " + d);
            for (int j = 0; j < d; j++) mean[j] += row[j] / t;
        }
        double num = 0, den = 0;
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                double c = row[j] - mean[j];
                num += c * c;
                den += row[j] * row[j];
            }
        }
        return Math.sqrt(num / den);
    }

    /**
     * The batch mean of {@link #relativeResidual} over the B sequences of a row-major [B,T,d] array (the graph's
     * layout of a block output [B*T,d]).
     */
    public static double batchMean(double[] h, int t, int d) {
        if (t < 1 || d < 1 || h.length == 0 || h.length % (t * d) != 0) {
            throw new IllegalArgumentException("h must hold B*T*d values with T=" + t + ", d=" + d + ", got "
                    + h.length);
        }
        int b = h.length / (t * d);
        double s = 0;
        double[][] x = new double[t][d];
        for (int i = 0; i < b; i++) {
            for (int p = 0; p < t; p++) System.arraycopy(h, (i * t + p) * d, x[p], 0, d);
            s += relativeResidual(x);
        }
        return s / b;
    }
}
