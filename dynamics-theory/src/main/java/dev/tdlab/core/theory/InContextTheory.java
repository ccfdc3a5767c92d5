package dev.tdlab.core.theory;

import dev.tdlab.core.data.Dirichlet;
import dev.tdlab.core.data.Streams;
import java.util.SplittableRandom;

/**
 * Theory of the in-context Markov family ({@code InContextMarkovSampler}): each sequence has its own order-k chain on
 * V tokens whose rows are drawn from the symmetric Dirichlet(α) prior, and its first k tokens are i.i.d. uniform.
 *
 * <p><b>Bayes-optimal predictor.</b> Given x_0..x_{t-1}, the rows are independent Dirichlet posteriors, so the
 * Bayes-optimal prediction of x_t is the add-α counting estimator {@code (n(s,y) + α) / (n(s) + Vα)}, s = the last k
 * tokens and n the transitions out of s seen so far; for t < k it is uniform (loss ln V). Under the prior, x_t given the
 * past follows exactly that predictive law, so the expected loss at position t is E[H(predictive at t)].
 *
 * <p><b>How it is computed.</b> For V = 2, k = 1 and seqLen ≤ {@value #EXACT_MAX_SEQLEN}: <em>exactly</em>, by
 * dynamic programming over (last token, n00, n01) — the other two counts follow from t and the first token, which can be
 * fixed to 0 by the 0↔1 symmetry of the model — in O(T³) time. Otherwise: a <em>seeded Monte Carlo</em> over N
 * sequences drawn from the mixture by the equivalent Pólya-urn scheme (x_t drawn from the add-α predictive itself),
 * Rao-Blackwellized (each position contributes the exact entropy of its predictive, not the log-loss of one draw),
 * with the standard error of the mean over the N independent sequences; N = clamp(2^22 / seqLen, 2048, 65536).
 *
 * <p>Also reported: the unigram entropy (ln V exactly: the model is symmetric in the token labels, so every token is
 * marginally uniform) and the entropy rate of the mixture, E_P[H(P)] (the loss of an oracle that knows the sequence's
 * chain; the add-α loss tends to it as t grows), by Monte Carlo over chains drawn from the prior, each solved exactly
 * with {@link OrderKChain}; only when V^k ≤ 256 (the solves are O(V^3k)), null otherwise or when a drawn chain has no
 * unique stationary law (possible only through underflow at tiny α).
 */
public final class InContextTheory {

    /** Longest context solved exactly (V = 2, k = 1). */
    public static final int EXACT_MAX_SEQLEN = 1024;

    /**
     * @param optimalLoss    Bayes-optimal loss averaged over the targets 1..T
     * @param positionLoss   Bayes-optimal expected loss at target t = 1..T (index t-1)
     * @param positionStdErr its standard error (all 0 when exact)
     * @param entropyRate    E_P[H(P)] or null when not computed (see the class comment)
     * @param unigramEntropy ln V
     */
    public record Result(Estimate optimalLoss, double[] positionLoss, double[] positionStdErr, Estimate entropyRate,
                         double unigramEntropy) {
    }

    private InContextTheory() {
    }

    public static Result compute(int order, int vocab, double alpha, int seqLen, long seed) {
        if (order < 1 || vocab < 2 || !(alpha > 0) || Double.isInfinite(alpha) || seqLen < 1) {
            throw new IllegalArgumentException("bad in-context parameters: order " + order + ", vocab " + vocab
                    + ", alpha " + alpha + ", seqLen " + seqLen);
        }
        Result bayes = vocab == 2 && order == 1 && seqLen <= EXACT_MAX_SEQLEN
                ? exactBinary(alpha, seqLen) : monteCarlo(order, vocab, alpha, seqLen, seed);
        return new Result(bayes.optimalLoss(), bayes.positionLoss(), bayes.positionStdErr(),
                entropyRate(order, vocab, alpha, seed), Math.log(vocab));
    }

    /** Exact DP for V = 2, k = 1; package-private for the tests. */
    static Result exactBinary(double alpha, int seqLen) {
        int n = seqLen + 1;
        // hTab[a * n + b] = h((b + α) / (a + b + 2α)): the predictive entropy after a zeros and b ones from a context
        double[] hTab = new double[n * n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; a + b < n; b++) hTab[a * n + b] = Entropies.h((b + alpha) / (a + b + 2 * alpha));
        }
        // m0[n00 * n + n01]: mass with last token 0; m1: last token 1. First token fixed to 0 (symmetry).
        double[] m0 = new double[n * n], m1 = new double[n * n], q0 = new double[n * n], q1 = new double[n * n];
        m0[0] = 1.0;
        double[] pos = new double[seqLen];
        for (int t = 1; t <= seqLen; t++) {
            // t-1 transitions seen; counts out of 0: (n00, n01); out of 1: n10 = n01 - [c = 1], n11 = t-1-n00-n01-n10
            for (int a = 0; a <= t; a++) { // the states reachable after t transitions: a + b <= t
                java.util.Arrays.fill(q0, a * n, a * n + (t - a) + 1, 0);
                java.util.Arrays.fill(q1, a * n, a * n + (t - a) + 1, 0);
            }
            double loss = 0;
            for (int a = 0; a < t; a++) {
                for (int b = 0; a + b < t; b++) {
                    int ix = a * n + b;
                    double w = m0[ix];
                    if (w != 0) {
                        double p1 = (b + alpha) / (a + b + 2 * alpha);
                        loss += w * hTab[ix];
                        q0[ix + n] += w * (1 - p1);     // 0 -> 0: n00 + 1
                        q1[ix + 1] += w * p1;           // 0 -> 1: n01 + 1
                    }
                    w = m1[ix];
                    if (w != 0) {
                        int n10 = b - 1;
                        int n11 = (t - 1) - a - b - n10;
                        double p1 = (n11 + alpha) / (n10 + n11 + 2 * alpha);
                        loss += w * hTab[n10 * n + n11];
                        q0[ix] += w * (1 - p1);         // 1 -> 0: n10 + 1 (implied)
                        q1[ix] += w * p1;               // 1 -> 1: n11 + 1 (implied)
                    }
                }
            }
            pos[t - 1] = loss;
            double[] sw = m0; m0 = q0; q0 = sw;
            sw = m1; m1 = q1; q1 = sw;
        }
        double mean = 0;
        for (double x : pos) mean += x;
        mean /= seqLen;
        return new Result(Estimate.exact(mean, "exact dynamic programming over transition counts (V=2, k=1)"), pos,
                new double[seqLen], null, Math.log(2));
    }

    /** Rao-Blackwellized Monte Carlo over Pólya-urn sequences; package-private for the tests. */
    static Result monteCarlo(int order, int vocab, double alpha, int seqLen, long seed) {
        int sequences = (int) Math.max(2048, Math.min(65536, (1L << 22) / seqLen));
        return monteCarlo(order, vocab, alpha, seqLen, seed, sequences);
    }

    static Result monteCarlo(int order, int vocab, double alpha, int seqLen, long seed, int sequences) {
        int states = 1;
        for (int i = 0; i < order; i++) states *= vocab;
        int t1 = seqLen + 1;
        double[] g = new double[t1 + 1]; // (m + α) ln(m + α)
        for (int m = 0; m <= t1; m++) g[m] = (m + alpha) * Math.log(m + alpha);
        double lnAlpha = Math.log(alpha), lnV = Math.log(vocab), va = vocab * alpha;
        int[] counts = new int[states * vocab];
        int[] total = new int[states];
        int[] nonzero = new int[states];
        double[] sTerm = new double[states];
        int[] touched = new int[t1];
        int[] seq = new int[t1];
        double[] sum = new double[seqLen], sumSq = new double[seqLen], perSeq = new double[sequences];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int q = 0; q < sequences; q++) {
            int nt = 0;
            int s = 0;
            double seqLoss = 0;
            for (int t = 0; t < t1; t++) {
                int y;
                if (t < order) {
                    y = rnd.nextInt(vocab);
                    if (t >= 1) {
                        sum[t - 1] += lnV;
                        sumSq[t - 1] += lnV * lnV;
                        seqLoss += lnV;
                    }
                    s = s * vocab + y;
                    seq[t] = y;
                    continue;
                }
                int n = total[s];
                double denom = n + va;
                double h = Math.log(denom) - (sTerm[s] + (vocab - nonzero[s]) * alpha * lnAlpha) / denom;
                sum[t - 1] += h;
                sumSq[t - 1] += h * h;
                seqLoss += h;
                double u = rnd.nextDouble() * denom;
                int row = s * vocab;
                y = vocab - 1;
                double acc = 0;
                for (int j = 0; j < vocab; j++) {
                    acc += counts[row + j] + alpha;
                    if (u < acc) {
                        y = j;
                        break;
                    }
                }
                int m = counts[row + y];
                sTerm[s] += g[m + 1] - (m > 0 ? g[m] : 0);
                if (m == 0) nonzero[s]++;
                if (n == 0) touched[nt++] = s;
                counts[row + y] = m + 1;
                total[s] = n + 1;
                seq[t] = y;
                s = (s - seq[t - order] * (states / vocab)) * vocab + y;
            }
            perSeq[q] = seqLoss / seqLen;
            for (int i = 0; i < nt; i++) {
                int c = touched[i];
                java.util.Arrays.fill(counts, c * vocab, (c + 1) * vocab, 0);
                total[c] = 0;
                nonzero[c] = 0;
                sTerm[c] = 0;
            }
        }
        double[] pos = new double[seqLen], se = new double[seqLen];
        for (int t = 0; t < seqLen; t++) {
            double mean = sum[t] / sequences;
            double var = Math.max(0, (sumSq[t] - sequences * mean * mean) / (sequences - 1));
            pos[t] = mean;
            se[t] = Math.sqrt(var / sequences);
        }
        double[] ms = Entropies.meanAndStdErr(perSeq);
        return new Result(new Estimate(ms[0], ms[1], "Rao-Blackwellized Monte Carlo over " + sequences
                + " Polya-urn sequences (SplittableRandom seed " + seed + "), standard error of the mean"), pos, se,
                null, Math.log(vocab));
    }

    /** E_P[H(P)] over chains from the prior, or null (see the class comment). */
    static Estimate entropyRate(int order, int vocab, double alpha, long seed) {
        long m = 1;
        for (int i = 0; i < order; i++) m *= vocab;
        if (m > 256) return null;
        long cost = m * m * m / 3 + 100 * m * vocab;
        int chains = (int) Math.max(256, Math.min(1 << 16, 200_000_000L / cost));
        long key = Streams.key(seed, "incontext-entropy-rate");
        long[] ctr = new long[1];
        double[] table = new double[(int) m * vocab];
        double[] h = new double[chains];
        for (int c = 0; c < chains; c++) {
            ctr[0] = Streams.itemCounter(key, c);
            for (int s = 0; s < m; s++) Dirichlet.row(alpha, vocab, ctr, table, s * vocab);
            try {
                h[c] = OrderKChain.ofFlat(order, vocab, table).entropyRate();
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        double[] ms = Entropies.meanAndStdErr(h);
        return new Estimate(ms[0], ms[1], "Monte Carlo over " + chains + " chains drawn from the prior (seed " + seed
                + "), each solved exactly; standard error of the mean");
    }
}
