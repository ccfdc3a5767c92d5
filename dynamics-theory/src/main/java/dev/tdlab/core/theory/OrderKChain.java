package dev.tdlab.core.theory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable Markov chain of order {@code k} on {@code V} tokens with its exact theory. Row {@code s} of the table
 * is the law of the next token given the previous {@code k} tokens read as a base-V number, oldest first
 * ({@code s = x_{t-k} V^{k-1} + ... + x_{t-1}}), so there are {@code V^k} rows of {@code V} probabilities.
 *
 * <p>The theory is that of the chain on k-grams (state {@code s}, successor {@code (s mod V^{k-1}) V + y}), stationary:
 * <ul>
 *   <li>{@link #stationary()}: the stationary law over k-grams, solved exactly (Gaussian elimination with partial
 *       pivoting on the recurrent class, πP = π, Σπ = 1), not simulated;</li>
 *   <li>{@link #orderLoss(int)}: the loss of the best predictor that sees only the last k' tokens, for k' = 0..k:
 *       the conditional entropy H(X_t | X_{t-k'} .. X_{t-1}) under the stationary (k+1)-gram law. k' = k is the
 *       entropy rate (the global optimum of next-token cross-entropy), k' = 0 the unigram entropy (the entropy of the
 *       stationary token law, Makkuva et al.'s local minimum);</li>
 *   <li>{@link #optimalLoss(int)}: the Bayes-optimal loss averaged over the targets 1..T of a sequence whose first k
 *       tokens are drawn from the stationary law (how {@code MarkovSampler} draws them): target t < k sees only t
 *       tokens, so it costs {@code orderLoss(t)}; the others cost the entropy rate.</li>
 * </ul>
 * All entropies are in nats, with 0 ln 0 = 0.
 *
 * <p>Construction validates the table (1 ≤ k ≤ {@value #MAX_ORDER}, 2 ≤ V ≤ {@value #MAX_VOCAB},
 * V^k ≤ {@value #MAX_STATES} rows, finite entries in [0,1], rows summing to 1 within {@value #ROW_SUM_TOLERANCE};
 * rows are then divided by their sum) and requires a unique stationary law on an aperiodic recurrent class. The check is
 * combinatorial, on the graph of positive transitions: exactly one closed communicating class (otherwise
 * <em>reducible</em>: the stationary law is not unique), and period 1 (otherwise <em>periodic</em>: the stationary
 * law is not the limit law and losses oscillate with the position). Transient k-grams are allowed; their stationary
 * probability is exactly 0. Every failure is an {@link IllegalArgumentException} that says what is wrong.
 */
public final class OrderKChain {

    /** Largest allowed deviation of a row sum from 1. */
    public static final double ROW_SUM_TOLERANCE = 1e-9;
    /** Tokens are stored as unsigned bytes (or bits). */
    public static final int MAX_VOCAB = 256;
    /** Most k-gram states V^k: the exact solve is a dense elimination of this size. */
    public static final int MAX_STATES = 4096;
    /** Largest order. */
    public static final int MAX_ORDER = 16;

    private static final double SINGULAR_PIVOT = 1e-13;

    private final int vocab;
    private final int order;
    private final int states;
    private final double[] p;
    private final double[] pi;
    private final double[] orderLosses;
    private final double[] marginal;

    private OrderKChain(int order, int vocab, double[] p) {
        this.order = order;
        this.vocab = vocab;
        this.states = p.length / vocab;
        this.p = p;
        int[] closed = ChainGraph.closedClass(order, vocab, p);
        this.pi = solveStationary(closed);
        this.orderLosses = new double[order + 1];
        for (int kk = 0; kk <= order; kk++) {
            orderLosses[kk] = conditionalEntropy(kk);
        }
        this.marginal = new double[vocab];
        for (int s = 0; s < states; s++) {
            for (int y = 0; y < vocab; y++) {
                marginal[y] += pi[s] * p[s * vocab + y];
            }
        }
    }

    /** Binary first-order chain with {@code P(1|0) = p} and {@code P(0|1) = q}. */
    public static OrderKChain binary(double p, double q) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("p must be in [0,1], got " + p);
        if (!(q >= 0 && q <= 1)) throw new IllegalArgumentException("q must be in [0,1], got " + q);
        return new OrderKChain(1, 2, new double[] {1 - p, p, q, 1 - q});
    }

    /** A chain of order {@code order} with the given rows (V^k rows of V probabilities each); the rows are copied. */
    public static OrderKChain of(int order, double[][] rows) {
        if (rows == null || rows.length == 0 || rows[0] == null) {
            throw new IllegalArgumentException("transition table is null or empty");
        }
        int v = rows[0].length;
        int n = checkShape(order, v);
        if (rows.length != n) {
            throw new IllegalArgumentException("transition table must have vocab^order = " + v + "^" + order + " = " + n
                    + " rows, has " + rows.length);
        }
        double[] flat = new double[n * v];
        for (int s = 0; s < n; s++) {
            if (rows[s] == null || rows[s].length != v) {
                throw new IllegalArgumentException("row " + s + " must have " + v + " entries, has "
                        + (rows[s] == null ? "none" : String.valueOf(rows[s].length)));
            }
            System.arraycopy(rows[s], 0, flat, s * v, v);
        }
        return ofFlat(order, v, flat);
    }

    /** A chain from a row-major table of {@code V^k * V} entries (copied). */
    public static OrderKChain ofFlat(int order, int vocab, double[] table) {
        int n = checkShape(order, vocab);
        if (table == null || table.length != (long) n * vocab) {
            throw new IllegalArgumentException("transition table must have vocab^order * vocab = " + ((long) n * vocab)
                    + " entries, has " + (table == null ? 0 : table.length));
        }
        double[] flat = table.clone();
        for (int s = 0; s < n; s++) {
            double sum = 0;
            for (int y = 0; y < vocab; y++) {
                double x = flat[s * vocab + y];
                if (!Double.isFinite(x) || x < 0 || x > 1) {
                    throw new IllegalArgumentException("entry P[" + s + "][" + y + "] (context " + context(s, order, vocab)
                            + ") must be a probability in [0,1], got " + x);
                }
                sum += x;
            }
            if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) {
                throw new IllegalArgumentException("row " + s + " (context " + context(s, order, vocab)
                        + ") must sum to 1, sums to " + sum);
            }
            for (int y = 0; y < vocab; y++) {
                flat[s * vocab + y] /= sum;
            }
        }
        return new OrderKChain(order, vocab, flat);
    }

    private static int checkShape(int order, int vocab) {
        if (order < 1 || order > MAX_ORDER) {
            throw new IllegalArgumentException("order must be in [1," + MAX_ORDER + "], got " + order);
        }
        if (vocab < 2 || vocab > MAX_VOCAB) {
            throw new IllegalArgumentException("vocab must be in [2," + MAX_VOCAB + "], got " + vocab);
        }
        long n = 1;
        for (int i = 0; i < order; i++) {
            n *= vocab;
            if (n > MAX_STATES) {
                throw new IllegalArgumentException("vocab^order = " + vocab + "^" + order + " exceeds " + MAX_STATES
                        + " k-gram states (the limit of the exact stationary solve)");
            }
        }
        return (int) n;
    }

    public int vocab() {
        return vocab;
    }

    public int order() {
        return order;
    }

    /** Number of k-gram states, V^k (= number of rows). */
    public int states() {
        return states;
    }

    /** P(next = y | context s). */
    public double probability(int s, int y) {
        return p[s * vocab + y];
    }

    /** A copy of the (normalized) table, row-major, V^k * V entries. */
    public double[] table() {
        return p.clone();
    }

    /** A copy of the table as V^k rows. */
    public double[][] transition() {
        double[][] t = new double[states][];
        for (int s = 0; s < states; s++) t[s] = Arrays.copyOfRange(p, s * vocab, (s + 1) * vocab);
        return t;
    }

    /** The stationary law over k-grams (index = k-gram as a base-V number, oldest token first); a copy. */
    public double[] stationary() {
        return pi.clone();
    }

    /** The stationary law of one token; a copy. */
    public double[] marginal() {
        return marginal.clone();
    }

    /** Entropy rate in nats: H(X_t | previous k tokens) under the stationary law. */
    public double entropyRate() {
        return orderLosses[order];
    }

    /** Entropy of the stationary token law in nats. */
    public double unigramEntropy() {
        return orderLosses[0];
    }

    /** Loss of the best predictor that sees the last {@code kk} tokens (kk >= k: the entropy rate). */
    public double orderLoss(int kk) {
        if (kk < 0) throw new IllegalArgumentException("order must be >= 0, got " + kk);
        return orderLosses[Math.min(kk, order)];
    }

    /** orderLoss(0..k); a copy. */
    public double[] orderLosses() {
        return orderLosses.clone();
    }

    /**
     * Bayes-optimal expected loss averaged over the targets 1..seqLen of a stationary sequence (inputs 0..T-1,
     * targets 1..T): {@code (sum_{t=1}^{min(k-1,T)} orderLoss(t) + max(0, T-k+1) entropyRate) / T}.
     */
    public double optimalLoss(int seqLen) {
        if (seqLen < 1) throw new IllegalArgumentException("seqLen must be >= 1, got " + seqLen);
        double sum = 0;
        for (int t = 1; t <= seqLen; t++) {
            sum += orderLoss(t);
        }
        return sum / seqLen;
    }

    /** The tokens of k-gram {@code s}, oldest first. */
    public int[] tokens(int s) {
        int[] t = new int[order];
        for (int i = order - 1; i >= 0; i--) {
            t[i] = s % vocab;
            s /= vocab;
        }
        return t;
    }

    @Override
    public String toString() {
        return "OrderKChain[k=" + order + ", V=" + vocab + ", H=" + entropyRate() + "]";
    }

    static String context(int s, int order, int vocab) {
        int[] t = new int[order];
        for (int i = order - 1; i >= 0; i--) {
            t[i] = s % vocab;
            s /= vocab;
        }
        return Arrays.toString(t);
    }

    private int successor(int s, int y) {
        return (s % (states / vocab)) * vocab + y;
    }

    // ---- the stationary law: dense elimination on the closed class ----

    /**
     * Solves π_C (P_CC - I) = 0, Σ π_C = 1 on the closed class C (m states): the m x m system whose row i is
     * Σ_j π_j P(j→i) - π_i = 0, with the last row replaced by ones (right-hand side 1). The class is irreducible, so
     * the system is regular; elimination with partial pivoting, skipping zero multipliers (the matrix starts with
     * V + 1 non-zeros per column). States outside C are transient: exactly 0.
     */
    private double[] solveStationary(int[] cls) {
        int m = cls.length;
        int[] pos = new int[states];
        Arrays.fill(pos, -1);
        for (int i = 0; i < m; i++) pos[cls[i]] = i;
        double[][] a = new double[m][m + 1];
        for (int j = 0; j < m; j++) {
            int s = cls[j];
            for (int y = 0; y < vocab; y++) {
                double pr = p[s * vocab + y];
                if (pr > 0) a[pos[successor(s, y)]][j] += pr;
            }
        }
        for (int i = 0; i < m; i++) a[i][i] -= 1.0;
        java.util.Arrays.fill(a[m - 1], 1.0);
        for (int col = 0; col < m; col++) {
            int piv = col;
            double best = Math.abs(a[col][col]);
            for (int r = col + 1; r < m; r++) {
                double x = Math.abs(a[r][col]);
                if (x > best) {
                    best = x;
                    piv = r;
                }
            }
            if (best < SINGULAR_PIVOT) {
                throw new IllegalArgumentException("the stationary law is numerically not unique (pivot " + best
                        + "): the chain is too close to reducible for an exact solve");
            }
            double[] rowC = a[piv];
            a[piv] = a[col];
            a[col] = rowC;
            double d = rowC[col];
            for (int r = col + 1; r < m; r++) {
                double[] rowR = a[r];
                double f = rowR[col];
                if (f == 0) continue;
                f /= d;
                rowR[col] = 0;
                // same index on both rows: the JIT vectorizes this
                for (int c = col + 1; c <= m; c++) rowR[c] -= f * rowC[c];
            }
        }
        double[] x = new double[m];
        for (int i = m - 1; i >= 0; i--) {
            double s = a[i][m];
            for (int c = i + 1; c < m; c++) s -= a[i][c] * x[c];
            x[i] = s / a[i][i];
        }
        double[] out = new double[states];
        double sum = 0;
        for (int i = 0; i < m; i++) {
            double v = x[i];
            if (v < 0) {
                if (v < -1e-12) {
                    throw new IllegalStateException("stationary solve gave " + v + " for state " + cls[i]);
                }
                v = 0; // rounding
            }
            out[cls[i]] = v;
            sum += v;
        }
        for (int s = 0; s < states; s++) out[s] /= sum;
        return out;
    }

    // ---- entropies ----

    /** H(X_t | last kk tokens) under the stationary law: from the joint law of (context mod V^kk, next token). */
    private double conditionalEntropy(int kk) {
        int contexts = 1;
        for (int i = 0; i < kk; i++) contexts *= vocab;
        double[] joint = new double[contexts * vocab];
        for (int s = 0; s < states; s++) {
            if (pi[s] == 0) continue;
            int c = s % contexts;
            for (int y = 0; y < vocab; y++) joint[c * vocab + y] += pi[s] * p[s * vocab + y];
        }
        double h = 0;
        for (int c = 0; c < contexts; c++) {
            double row = 0;
            for (int y = 0; y < vocab; y++) row += joint[c * vocab + y];
            if (row <= 0) continue;
            for (int y = 0; y < vocab; y++) {
                double j = joint[c * vocab + y];
                if (j > 0) h -= j * Math.log(j / row);
            }
        }
        return h;
    }
}
