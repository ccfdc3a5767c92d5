package dev.tdlab.contracts.events;

import java.util.List;

/**
 * The theory of a dataset's source (losses in nats per token or per example). Exact unless a standard error says
 * otherwise; fields that do not apply to the family are null.
 *
 * @param entropyRate       the entropy rate of the source: for a stationary chain the global optimum of next-token
 *                          cross-entropy once k tokens are in view (in-context markov: E over the prior of each
 *                          chain's entropy rate, the limit of the Bayes loss as the context grows)
 * @param unigramEntropy    the loss of the best predictor that ignores the past (Makkuva's local minimum)
 * @param stationary        the stationary distribution (over k-grams for order k, index = the k-gram in base V, oldest
 *                          token first)
 * @param optimalLoss       the lowest expected loss any predictor can reach on this data as the model sees it: the
 *                          Bayes-optimal next-token loss averaged over the targets 1..seqLen (markov; for order k > 1
 *                          the first k−1 targets see fewer than k tokens), or the Bayes cross-entropy of the label
 *                          (classification families). Compare the eval loss against this.
 * @param optimalLossStdErr standard error of optimalLoss (0 when exact, else a seeded Monte Carlo; see method)
 * @param orderLosses       markov (fixed chain): the loss of the best predictor that sees only the last k' tokens,
 *                          k' = 0..k (k' = 0: unigramEntropy, k' = k: entropyRate)
 * @param marginal          the stationary law of one token (markov)
 * @param bayesError        classification families: the Bayes 0-1 error of the label
 * @param bayesErrorStdErr  its standard error (0 when exact)
 * @param method            how the theory was computed (exact linear algebra, dynamic programming, Monte Carlo …)
 */
public record Baselines(
        Double entropyRate,
        Double unigramEntropy,
        List<Double> stationary,
        Double optimalLoss,
        Double optimalLossStdErr,
        List<Double> orderLosses,
        List<Double> marginal,
        Double bayesError,
        Double bayesErrorStdErr,
        String method) {

    /** The fields of the first version; the others null. */
    public Baselines(Double entropyRate, Double unigramEntropy, List<Double> stationary) {
        this(entropyRate, unigramEntropy, stationary, null, null, null, null, null, null, null);
    }
}
