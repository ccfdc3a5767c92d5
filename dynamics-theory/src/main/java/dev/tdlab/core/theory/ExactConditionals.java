package dev.tdlab.core.theory;

/**
 * The true law of the next token given the past, for the next-token families whose conditional law is known: pure
 * functions, no sampling. A sequence is stored as {@code T + 1} tokens x_0..x_T (inputs x_0..x_{T-1}, targets
 * x_1..x_T); {@link Law#targets} writes, for every target t = 1..T, the law P(x_t = · | x_0..x_{t-1}).
 *
 * <ul>
 *   <li><b>Markov chain of order k</b> ({@link #of(OrderKChain)}; p/q, transition tables and Dirichlet-drawn tables
 *       alike, since a drawn table is an {@link OrderKChain} once drawn): the first k tokens are one k-gram from the
 *       stationary k-gram law (how {@code MarkovSampler} draws them), so a target t &lt; k has the conditional of that
 *       law given its prefix; every later target has the row of its last k tokens.</li>
 *   <li><b>In-context Dirichlet chains</b> ({@link #inContext}): each sequence has its own table, rows from a symmetric
 *       Dirichlet(α); its first k tokens are i.i.d. uniform. Given the past, the next token's law (the chain integrated
 *       over the posterior) is the posterior mean of the row: the add-α counting estimator (n(s,y) + α)/(n(s) + Vα).
 *       That is the Bayes predictor, and it is also the exact law of x_t given x_0..x_{t-1} under the prior.</li>
 *   <li><b>Noisy patches</b> ({@link #noisyPatchPositive}): a classification family, not next-token. Its noise
 *       patches are orthogonal to the signal direction, so the clean label is read off the input (the sign of the sum
 *       of the first coordinates); the observed label equals it with probability 1 − labelNoise. The posterior is that
 *       closed form (1/2 when signal = 0).</li>
 * </ul>
 *
 * <p>With the true law P and a model's predicted law Q at each target, the <em>exact-conditional loss</em> is the
 * cross-entropy CE(P, Q) = −Σ_y P(y) ln Q(y); its minimum over Q is the entropy H(P), reached at Q = P, and the excess
 * CE − H is the divergence KL(P ‖ Q) ≥ 0. Averaged over contexts they estimate the same expectations as the
 * sampled-token loss (E_y[−ln Q(y)] = CE(P, Q)) without the variance of the sampled token.
 */
public final class ExactConditionals {

    private ExactConditionals() {
    }

    /** A family's conditional law of the next token. */
    public interface Law {
        int vocab();

        /**
         * For targets t = 1..T of the sequence {@code seq[0..T]}: {@code out[(t-1)·V + y] = P(x_t = y | x_0..x_{t-1})}.
         * {@code out} holds at least T·V entries.
         */
        void targets(int[] seq, int seqLen, double[] out);
    }

    /** The fixed chain (p/q, a transition table or a drawn Dirichlet table). */
    public static Law of(OrderKChain chain) {
        return new ChainLaw(chain);
    }

    /** The in-context Dirichlet(α) family of order k on V tokens, through its Bayes predictor. */
    public static Law inContext(int order, int vocab, double alpha) {
        if (order < 1 || vocab < 2 || !(alpha > 0)) {
            throw new IllegalArgumentException("in-context law needs order >= 1, vocab >= 2, alpha > 0");
        }
        return new InContextLaw(order, vocab, alpha);
    }

    /**
     * Noisy patches: P(observed label = +1 | input), from the sum of the first coordinates of the patches (the signal
     * patch's ±signal; the noise patches contribute 0).
     */
    public static double noisyPatchPositive(double firstCoordinateSum, double signal, double labelNoise) {
        if (!(signal > 0) || firstCoordinateSum == 0) return 0.5;
        return firstCoordinateSum > 0 ? 1 - labelNoise : labelNoise;
    }

    /** −Σ P(y) ln Q(y) over {@code v} entries from offset {@code from}; terms with P(y) = 0 are 0. */
    public static double crossEntropy(double[] p, double[] q, int from, int v) {
        double s = 0;
        for (int y = 0; y < v; y++) {
            double py = p[from + y];
            if (py > 0) s -= py * Math.log(q[from + y]);
        }
        return s;
    }

    /** −Σ P(y) ln P(y) over {@code v} entries from offset {@code from}. */
    public static double entropy(double[] p, int from, int v) {
        double s = 0;
        for (int y = 0; y < v; y++) {
            double py = p[from + y];
            if (py > 0) s -= py * Math.log(py);
        }
        return s;
    }

    /** KL(P ‖ Q) = Σ P(y) ln(P(y)/Q(y)) over {@code v} entries from {@code from}; computed term by term (≥ 0 up to rounding). */
    public static double kl(double[] p, double[] q, int from, int v) {
        double s = 0;
        for (int y = 0; y < v; y++) {
            double py = p[from + y];
            if (py > 0) s += py * Math.log(py / q[from + y]);
        }
        return s;
    }

    private static final class ChainLaw implements Law {
        private final OrderKChain c;
        private final int k, v;
        private final double[] table, pi;

        ChainLaw(OrderKChain c) {
            this.c = c;
            this.k = c.order();
            this.v = c.vocab();
            this.table = c.table();
            this.pi = c.stationary();
        }

        @Override
        public int vocab() {
            return v;
        }

        @Override
        public void targets(int[] seq, int seqLen, double[] out) {
            int states = c.states();
            for (int t = 1; t <= seqLen; t++) {
                int o = (t - 1) * v;
                if (t >= k) {
                    int s = 0;
                    for (int i = t - k; i < t; i++) s = s * v + seq[i];
                    System.arraycopy(table, s * v, out, o, v);
                } else {
                    // inside the first k-gram: the stationary k-gram law given its first t tokens
                    java.util.Arrays.fill(out, o, o + v, 0.0);
                    int prefix = 0;
                    for (int i = 0; i < t; i++) prefix = prefix * v + seq[i];
                    int rest = 1;
                    for (int i = t + 1; i < k; i++) rest *= v;
                    double total = 0;
                    for (int y = 0; y < v; y++) {
                        int base = (prefix * v + y) * rest;
                        double m = 0;
                        for (int r = 0; r < rest && base + r < states; r++) m += pi[base + r];
                        out[o + y] = m;
                        total += m;
                    }
                    for (int y = 0; y < v; y++) out[o + y] = total > 0 ? out[o + y] / total : 1.0 / v;
                }
            }
        }
    }

    private static final class InContextLaw implements Law {
        private final int k, v;
        private final double alpha;

        InContextLaw(int k, int v, double alpha) {
            this.k = k;
            this.v = v;
            this.alpha = alpha;
        }

        @Override
        public int vocab() {
            return v;
        }

        @Override
        public void targets(int[] seq, int seqLen, double[] out) {
            // counts only of the states this sequence visits (at most seqLen of them)
            java.util.HashMap<Integer, int[]> counts = new java.util.HashMap<>();
            for (int t = 1; t <= seqLen; t++) {
                int o = (t - 1) * v;
                if (t < k) {
                    java.util.Arrays.fill(out, o, o + v, 1.0 / v);
                    continue;
                }
                if (t > k) { // record the transition into x_{t-1} from the k tokens before it
                    int prev = 0;
                    for (int i = t - 1 - k; i < t - 1; i++) prev = prev * v + seq[i];
                    int[] n = counts.computeIfAbsent(prev, key -> new int[v + 1]);
                    n[seq[t - 1]]++;
                    n[v]++;
                }
                int s = 0;
                for (int i = t - k; i < t; i++) s = s * v + seq[i];
                int[] n = counts.get(s);
                double denom = (n == null ? 0 : n[v]) + v * alpha;
                for (int y = 0; y < v; y++) out[o + y] = ((n == null ? 0 : n[y]) + alpha) / denom;
            }
        }
    }
}
