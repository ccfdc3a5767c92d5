package dev.tdlab.trainer.runner;

import dev.tdlab.contracts.events.Baselines;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.core.data.Dirichlet;
import dev.tdlab.core.data.Streams;
import dev.tdlab.core.theory.ExactConditionals;
import dev.tdlab.core.theory.OrderKChain;

import java.util.List;

/**
 * The true next-token law of a run's data, rebuilt from its data spec and seed exactly as data-gen's
 * {@code Families.generate} builds it, for the trainer's exact-conditional evaluation: p/q as the binary table
 * [[1−p, p], [q, 1−q]]; a transition table as given; a Dirichlet table as {@code Dirichlet.table(order, vocab, α,
 * Streams.key(seed, "table"))} (the run's seed is the data seed); the in-context family through its Bayes predictor.
 * Other families (sequence classification, patches): null.
 *
 * <p>A safety net: the rebuilt chain must reproduce the baselines data-gen computed (entropy rate, unigram entropy) to
 * 1e-9, otherwise the law is dropped (null) rather than scoring the model against a different chain.
 */
final class DataLaws {

    static final double AGREEMENT = 1e-9;

    private DataLaws() {
    }

    static ExactConditionals.Law of(DataSpec d, long seed, Baselines data) {
        if (d == null || !DataSpec.MARKOV.equals(d.family() == null ? DataSpec.MARKOV : d.family())) {
            return null;
        }
        int k = d.order() == null ? 1 : d.order(), v = d.vocab() == null ? 2 : d.vocab();
        if (Boolean.TRUE.equals(d.inContext())) {
            if (d.dirichlet() == null) {
                return null;
            }
            if (data != null && data.unigramEntropy() != null && Math.abs(data.unigramEntropy() - Math.log(v)) > AGREEMENT) {
                return null;
            }
            return ExactConditionals.inContext(k, v, d.dirichlet());
        }
        OrderKChain chain = chain(d, seed);
        if (chain == null) {
            return null;
        }
        if (data != null && (differs(data.entropyRate(), chain.entropyRate())
                || differs(data.unigramEntropy(), chain.unigramEntropy()))) {
            return null;
        }
        return ExactConditionals.of(chain);
    }

    /** The fixed or drawn chain of a markov spec (null when the spec names none). */
    static OrderKChain chain(DataSpec d, long seed) {
        int k = d.order() == null ? 1 : d.order(), v = d.vocab() == null ? 2 : d.vocab();
        if (d.dirichlet() != null) {
            return OrderKChain.ofFlat(k, v, Dirichlet.table(k, v, d.dirichlet(), Streams.key(seed, "table")));
        }
        if (d.p() != null && d.q() != null) {
            return OrderKChain.of(k, new double[][] {{1 - d.p(), d.p()}, {d.q(), 1 - d.q()}});
        }
        List<List<Double>> rows = d.transition();
        if (rows == null) {
            return null;
        }
        double[][] t = new double[rows.size()][];
        for (int i = 0; i < t.length; i++) t[i] = rows.get(i).stream().mapToDouble(Double::doubleValue).toArray();
        return OrderKChain.of(k, t);
    }

    private static boolean differs(Double reported, double rebuilt) {
        return reported != null && Math.abs(reported - rebuilt) > AGREEMENT;
    }
}
