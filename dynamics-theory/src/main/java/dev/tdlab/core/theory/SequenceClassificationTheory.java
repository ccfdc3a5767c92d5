package dev.tdlab.core.theory;

import java.util.SplittableRandom;

/**
 * Bayes error and Bayes cross-entropy of sequence classification: the label is uniform over C sources (chains of the
 * same order and vocab), the input is one whole stored sequence of seqLen + 1 tokens from that source, started from
 * its stationary law (as {@code MarkovSampler.sampleLabeled} does). The Bayes classifier picks the source of largest
 * likelihood; its error is E[1 - max posterior] and its cross-entropy E[H(posterior)].
 *
 * <p><b>Exact</b> for two binary first-order sources and seqLen ≤ {@value #EXACT_MAX_SEQLEN}: the likelihood of a
 * sequence under either source depends only on (first token, last token, n00, n01) — n10 and n11 follow — so a dynamic
 * program carries, for each such class, its probability under each source (O(T³)), and the sums are exact:
 * error = ½ Σ min(P_A, P_B), cross-entropy = ½ Σ [P_A ln((P_A+P_B)/P_A) + P_B ln((P_A+P_B)/P_B)].
 * <b>Otherwise</b> a seeded Monte Carlo over N labeled sequences with the exact posterior of each (Rao-Blackwellized),
 * with the standard error of the mean; N = clamp(2^23 / (seqLen + 1), 2048, 65536).
 */
public final class SequenceClassificationTheory {

    public static final int EXACT_MAX_SEQLEN = 512;

    /** Bayes 0-1 error and Bayes cross-entropy (nats) of the label. */
    public record Result(Estimate bayesError, Estimate bayesLogLoss) {
    }

    private SequenceClassificationTheory() {
    }

    public static Result compute(OrderKChain[] sources, int seqLen, long seed) {
        if (sources == null || sources.length < 2) throw new IllegalArgumentException("at least two sources are needed");
        for (OrderKChain c : sources) {
            if (c.vocab() != sources[0].vocab() || c.order() != sources[0].order()) {
                throw new IllegalArgumentException("all sources must have the same vocab and order");
            }
        }
        if (seqLen < 1) throw new IllegalArgumentException("seqLen must be >= 1, got " + seqLen);
        if (sources.length == 2 && sources[0].vocab() == 2 && sources[0].order() == 1 && seqLen <= EXACT_MAX_SEQLEN) {
            return exactBinary(sources[0], sources[1], seqLen);
        }
        int n = (int) Math.max(2048, Math.min(65536, (1L << 23) / (seqLen + 1)));
        return monteCarlo(sources, seqLen, seed, n);
    }

    static Result exactBinary(OrderKChain a, OrderKChain b, int seqLen) {
        int n = seqLen + 2;
        double[][] pa = {{a.probability(0, 0), a.probability(0, 1)}, {a.probability(1, 0), a.probability(1, 1)}};
        double[][] pb = {{b.probability(0, 0), b.probability(0, 1)}, {b.probability(1, 0), b.probability(1, 1)}};
        // index [x0][c][n00 * n + n01]; two sources
        double[][][] ma = new double[2][2][n * n], mb = new double[2][2][n * n];
        double[][][] qa = new double[2][2][n * n], qb = new double[2][2][n * n];
        for (int x0 = 0; x0 < 2; x0++) {
            ma[x0][x0][0] = a.stationary()[x0];
            mb[x0][x0][0] = b.stationary()[x0];
        }
        for (int t = 0; t < seqLen; t++) { // t transitions done; states have n00 + n01 <= t
            for (int x0 = 0; x0 < 2; x0++) {
                for (int c = 0; c < 2; c++) {
                    for (int i = 0; i <= t + 1; i++) {
                        java.util.Arrays.fill(qa[x0][c], i * n, i * n + (t + 1 - i) + 1, 0);
                        java.util.Arrays.fill(qb[x0][c], i * n, i * n + (t + 1 - i) + 1, 0);
                    }
                }
            }
            for (int x0 = 0; x0 < 2; x0++) {
                for (int i = 0; i <= t; i++) {
                    for (int j = 0; i + j <= t; j++) {
                        int ix = i * n + j;
                        double wa = ma[x0][0][ix], wb = mb[x0][0][ix];
                        if (wa != 0 || wb != 0) { // last token 0: 0->0 bumps n00, 0->1 bumps n01
                            qa[x0][0][ix + n] += wa * pa[0][0];
                            qb[x0][0][ix + n] += wb * pb[0][0];
                            qa[x0][1][ix + 1] += wa * pa[0][1];
                            qb[x0][1][ix + 1] += wb * pb[0][1];
                        }
                        wa = ma[x0][1][ix];
                        wb = mb[x0][1][ix];
                        if (wa != 0 || wb != 0) { // last token 1: n10 and n11 are implied
                            qa[x0][0][ix] += wa * pa[1][0];
                            qb[x0][0][ix] += wb * pb[1][0];
                            qa[x0][1][ix] += wa * pa[1][1];
                            qb[x0][1][ix] += wb * pb[1][1];
                        }
                    }
                }
            }
            double[][][] sw = ma; ma = qa; qa = sw;
            sw = mb; mb = qb; qb = sw;
        }
        double err = 0, xent = 0;
        for (int x0 = 0; x0 < 2; x0++) {
            for (int c = 0; c < 2; c++) {
                for (int ix = 0; ix < n * n; ix++) {
                    double wa = ma[x0][c][ix], wb = mb[x0][c][ix];
                    if (wa == 0 && wb == 0) continue;
                    err += 0.5 * Math.min(wa, wb);
                    double tot = wa + wb;
                    if (wa > 0) xent += 0.5 * wa * Math.log(tot / wa);
                    if (wb > 0) xent += 0.5 * wb * Math.log(tot / wb);
                }
            }
        }
        String how = "exact dynamic programming over (first token, last token, n00, n01) for two binary first-order sources";
        return new Result(Estimate.exact(err, how), Estimate.exact(xent, how));
    }

    static Result monteCarlo(OrderKChain[] src, int seqLen, long seed, int samples) {
        int cn = src.length, v = src[0].vocab(), k = src[0].order(), states = src[0].states();
        double[][] lnP = new double[cn][], lnPi = new double[cn][], cdf = new double[cn][], init = new double[cn][];
        for (int c = 0; c < cn; c++) {
            double[] tab = src[c].table();
            lnP[c] = new double[tab.length];
            cdf[c] = new double[tab.length];
            for (int s = 0; s < states; s++) {
                double acc = 0;
                for (int y = 0; y < v; y++) {
                    double p = tab[s * v + y];
                    lnP[c][s * v + y] = p > 0 ? Math.log(p) : Double.NEGATIVE_INFINITY;
                    acc += p;
                    cdf[c][s * v + y] = acc;
                }
            }
            double[] pi = src[c].stationary();
            lnPi[c] = new double[states];
            init[c] = new double[states];
            double acc = 0;
            for (int s = 0; s < states; s++) {
                lnPi[c][s] = pi[s] > 0 ? Math.log(pi[s]) : Double.NEGATIVE_INFINITY;
                acc += pi[s];
                init[c][s] = acc;
            }
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] errs = new double[samples], xents = new double[samples], ll = new double[cn];
        int t1 = seqLen + 1, pow = states / v;
        int[] seq = new int[t1 + k];
        for (int q = 0; q < samples; q++) {
            int lab = rnd.nextInt(cn);
            int s = draw(init[lab], 0, states, rnd.nextDouble());
            for (int c = 0; c < cn; c++) ll[c] = lnPi[c][s];
            for (int j = k - 1, r = s; j >= 0; j--, r /= v) seq[j] = r % v;
            for (int t = k; t < t1; t++) {
                int y = draw(cdf[lab], s * v, v, rnd.nextDouble());
                for (int c = 0; c < cn; c++) ll[c] += lnP[c][s * v + y];
                seq[t] = y;
                s = (s - seq[t - k] * pow) * v + y;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (double x : ll) max = Math.max(max, x);
            double z = 0;
            for (double x : ll) z += Math.exp(x - max);
            double best = 0, h = 0;
            for (double x : ll) {
                double post = Math.exp(x - max) / z;
                best = Math.max(best, post);
                if (post > 0) h -= post * Math.log(post);
            }
            errs[q] = 1 - best;
            xents[q] = h;
        }
        double[] e = Entropies.meanAndStdErr(errs), x = Entropies.meanAndStdErr(xents);
        String how = "Monte Carlo over " + samples + " labeled sequences with exact posteriors (SplittableRandom seed "
                + seed + "), standard error of the mean";
        return new Result(new Estimate(e[0], e[1], how), new Estimate(x[0], x[1], how));
    }

    private static int draw(double[] cdf, int from, int n, double u) {
        for (int i = 0; i < n - 1; i++) if (u < cdf[from + i]) return i;
        int last = n - 1;
        while (last > 0 && cdf[from + last] == cdf[from + last - 1]) last--;
        return last;
    }
}
