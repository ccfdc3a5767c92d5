package dev.tdlab.trainer.runner;

import dev.tdlab.contracts.events.Baselines;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.core.data.Dirichlet;
import dev.tdlab.core.data.Streams;
import dev.tdlab.core.theory.OrderKChain;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The trainer rebuilds the data's law from the spec and the seed (and refuses one that disagrees with data-gen). */
class DataLawsTest {

    static DataSpec markov(Double p, Double q, Double dirichlet, Boolean inContext, int order, int vocab) {
        return new DataSpec("markov", order, vocab, p, q, null, dirichlet, 16, 8, 8, inContext, null, null, null, null,
                null, null, null, null, null, null).withDefaults();
    }

    @Test
    void rebuildsTheBinaryChainAndTheDrawnDirichletTable() {
        OrderKChain pq = DataLaws.chain(markov(0.2, 0.3, null, null, 1, 2), 0);
        assertArrayEquals(new double[] {0.8, 0.2, 0.3, 0.7}, pq.table(), 1e-15);
        OrderKChain drawn = DataLaws.chain(markov(null, null, 0.5, null, 2, 3), 7);
        assertArrayEquals(Dirichlet.table(2, 3, 0.5, Streams.key(7, "table")), drawn.table(), 1e-15);
        assertNotNull(DataLaws.of(markov(null, null, 1.0, true, 1, 2), 0, null));
    }

    @Test
    void aLawThatDisagreesWithDataGensBaselinesIsDropped() {
        DataSpec d = markov(0.2, 0.3, null, null, 1, 2);
        OrderKChain c = DataLaws.chain(d, 0);
        assertNotNull(DataLaws.of(d, 0, new Baselines(c.entropyRate(), c.unigramEntropy(), List.of())));
        assertNull(DataLaws.of(d, 0, new Baselines(c.entropyRate() + 1e-6, c.unigramEntropy(), List.of())));
        assertNull(DataLaws.of(new DataSpec("noisy-patch", null, null, null, null, null, null, null, 8, 8, null, null, 16,
                4, 1.0, 0.1, null, 0.0, null, null, null), 0, null));
    }
}
