package dev.tdlab.contracts.spec;

import java.util.List;

/**
 * What data a run trains on. Absent fields (null) take the defaults of {@link #withDefaults()}.
 *
 * @param family         data family: {@code markov} (more in later versions)
 * @param order          Markov order k (only 1 is generated today)
 * @param vocab          vocabulary size V
 * @param p              binary first-order chain: P(x_{t+1}=1 | x_t=0)
 * @param q              binary first-order chain: P(x_{t+1}=0 | x_t=1)
 * @param transition     V^k rows of V probabilities (row index = previous tokens, base V, oldest first)
 * @param dirichlet      concentration of a random transition table drawn from the seed
 * @param seqLen         context length T; each stored sequence holds T+1 tokens (inputs and shifted targets)
 * @param trainSequences sequences in the training split
 * @param evalSequences  sequences in the held-out evaluation split
 */
public record DataSpec(
        String family,
        Integer order,
        Integer vocab,
        Double p,
        Double q,
        List<List<Double>> transition,
        Double dirichlet,
        Integer seqLen,
        Integer trainSequences,
        Integer evalSequences) {

    public DataSpec withDefaults() {
        return new DataSpec(
                family == null ? "markov" : family,
                order == null ? 1 : order,
                vocab == null ? (transition != null ? transition.get(0).size() : 2) : vocab,
                p, q, transition, dirichlet,
                seqLen == null ? 256 : seqLen,
                trainSequences == null ? 4096 : trainSequences,
                evalSequences == null ? 256 : evalSequences);
    }
}
