package dev.tdlab.core.theory;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * An immutable first-order Markov chain on {@code V} states with its exact theory: stationary law, entropy rate
 * (the global minimum of the per-token next-token cross-entropy) and unigram entropy (the loss of a model that
 * ignores the past). All entropies are in nats.
 *
 * <p>Construction validates the matrix (square, {@code 2 <= V <= 256}, finite entries in [0,1], rows summing to 1
 * within {@value #ROW_SUM_TOLERANCE}) and requires a <em>unique</em> stationary law on an <em>aperiodic</em>
 * recurrent class; otherwise the theory is not defined and an {@link IllegalArgumentException} says why.
 * Transient states are allowed (e.g. {@code binary(0, q)} with its absorbing state 0): what matters for the
 * entropy rate is that the stationary law is unique.
 */
public final class MarkovChain {

    /** Largest allowed deviation of a row sum from 1. */
    public static final double ROW_SUM_TOLERANCE = 1e-9;
    /** Tokens are stored as unsigned bytes. */
    public static final int MAX_VOCAB = 256;

    private static final double SINGULAR_PIVOT = 1e-12;

    private final double[][] p;
    private final double[] pi;

    private MarkovChain(double[][] p) {
        this.p = p;
        this.pi = solveStationary(p);
        int period = period(p, pi);
        if (period != 1) {
            throw new IllegalArgumentException(
                    "periodic chain (period " + period + "): the stationary law is not the limit law; "
                            + "an aperiodic chain is required");
        }
    }

    /** Binary chain with {@code P[0][1] = p} and {@code P[1][0] = q}. */
    public static MarkovChain binary(double p, double q) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("p must be in [0,1], got " + p);
        if (!(q >= 0 && q <= 1)) throw new IllegalArgumentException("q must be in [0,1], got " + q);
        return new MarkovChain(new double[][] {{1 - p, p}, {q, 1 - q}});
    }

    /** Chain with the given transition matrix (row i = law of the next state given state i); the matrix is copied. */
    public static MarkovChain of(double[][] transition) {
        if (transition == null) throw new IllegalArgumentException("transition matrix is null");
        int v = transition.length;
        if (v < 2 || v > MAX_VOCAB) {
            throw new IllegalArgumentException("vocab (number of rows) must be in [2," + MAX_VOCAB + "], got " + v);
        }
        double[][] copy = new double[v][];
        for (int i = 0; i < v; i++) {
            double[] row = transition[i];
            if (row == null || row.length != v) {
                throw new IllegalArgumentException("row " + i + " must have " + v + " entries (square matrix), got "
                        + (row == null ? "null" : String.valueOf(row.length)));
            }
            double sum = 0;
            for (int j = 0; j < v; j++) {
                double x = row[j];
                if (!Double.isFinite(x) || x < 0 || x > 1) {
                    throw new IllegalArgumentException("entry P[" + i + "][" + j + "] must be a probability in [0,1], got " + x);
                }
                sum += x;
            }
            if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) {
                throw new IllegalArgumentException("row " + i + " must sum to 1, sums to " + sum);
            }
            copy[i] = row.clone();
        }
        return new MarkovChain(copy);
    }

    public int vocab() {
        return p.length;
    }

    /** A copy of the transition matrix. */
    public double[][] transition() {
        double[][] c = new double[p.length][];
        for (int i = 0; i < p.length; i++) c[i] = p[i].clone();
        return c;
    }

    /** The stationary law pi (pi P = pi, sum 1), solved exactly by Gaussian elimination; a copy. */
    public double[] stationary() {
        return pi.clone();
    }

    /** Entropy rate in nats: {@code -sum_i pi_i sum_j P_ij ln P_ij}. */
    public double entropyRate() {
        double h = 0;
        for (int i = 0; i < p.length; i++) {
            double row = 0;
            for (double x : p[i]) row += xlnx(x);
            h -= pi[i] * row;
        }
        return h;
    }

    /** Entropy of the stationary law in nats: {@code -sum_i pi_i ln pi_i}. */
    public double unigramEntropy() {
        double h = 0;
        for (double x : pi) h -= xlnx(x);
        return h;
    }

    @Override
    public String toString() {
        return "MarkovChain" + Arrays.deepToString(p);
    }

    private static double xlnx(double x) {
        return x > 0 ? x * Math.log(x) : 0.0;
    }

    /**
     * Solves pi (P - I) = 0 with sum(pi) = 1: the system A x = b with A = (P^T - I) whose last row is replaced by ones,
     * b = e_last. The rows of P^T - I sum to zero, so when the stationary law is unique (rank V-1) any V-1 of them
     * span the row space and the ones row completes it to a regular system; a singular pivot means it is not unique.
     */
    static double[] solveStationary(double[][] p) {
        int n = p.length;
        double[][] a = new double[n][n + 1];
        for (int i = 0; i < n - 1; i++) {
            for (int j = 0; j < n; j++) a[i][j] = p[j][i] - (i == j ? 1.0 : 0.0);
        }
        Arrays.fill(a[n - 1], 0, n, 1.0);
        a[n - 1][n] = 1.0;
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) piv = r;
            if (Math.abs(a[piv][col]) < SINGULAR_PIVOT) {
                throw new IllegalArgumentException(
                        "reducible chain: the stationary law is not unique (more than one closed class of states)");
            }
            double[] t = a[piv]; a[piv] = a[col]; a[col] = t;
            for (int r = 0; r < n; r++) {
                if (r == col) continue;
                double f = a[r][col] / a[col][col];
                if (f == 0) continue;
                for (int c = col; c <= n; c++) a[r][c] -= f * a[col][c];
            }
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            double v = a[i][n] / a[i][i];
            x[i] = Math.abs(v) < 1e-15 ? 0.0 : v; // rounding noise on transient states
        }
        return x;
    }

    /**
     * Period of the recurrent class (the support of pi): the gcd over its edges u->v of level(u) + 1 - level(v),
     * with levels from a breadth-first search inside the class.
     */
    static int period(double[][] p, double[] pi) {
        int n = p.length;
        int start = -1;
        for (int i = 0; i < n; i++) if (pi[i] > 0) { start = i; break; }
        int[] level = new int[n];
        Arrays.fill(level, -1);
        level[start] = 0;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        queue.add(start);
        int g = 0;
        while (!queue.isEmpty()) {
            int u = queue.poll();
            for (int v = 0; v < n; v++) {
                if (p[u][v] <= 0 || pi[v] <= 0) continue;
                if (level[v] < 0) {
                    level[v] = level[u] + 1;
                    queue.add(v);
                } else {
                    g = gcd(g, Math.abs(level[u] + 1 - level[v]));
                }
            }
        }
        return g;
    }

    private static int gcd(int a, int b) {
        while (b != 0) { int t = a % b; a = b; b = t; }
        return a;
    }
}
