package dev.tdlab.contracts.events;

import java.util.List;

/**
 * Exact theory of a dataset's source, in nats per token.
 *
 * @param entropyRate    the global optimum of next-token cross-entropy
 * @param unigramEntropy the loss of the best predictor that ignores the past (Makkuva's local minimum)
 * @param stationary     the stationary distribution
 */
public record Baselines(Double entropyRate, Double unigramEntropy, List<Double> stationary) {
}
