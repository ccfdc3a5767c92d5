package dev.tdlab.datagen.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.core.data.Dirichlet;
import dev.tdlab.core.data.Streams;
import org.junit.jupiter.api.Test;

/**
 * Pins the recipe of a random (dirichlet) table that the trainer's exact-conditional evaluation rebuilds
 * ({@code trainer-service DataLaws}): {@code Dirichlet.table(order, vocab, α, Streams.key(seed, "table"))}, seed = the
 * run's seed. If data-gen draws its table another way, this fails before the trainer scores against a wrong chain.
 */
class DirichletRecipeTest {

    @Test
    void theDrawnTableIsTheOneTheTrainerRebuilds() {
        DataSpec d = DatasetService.checked(new DataSpec("markov", 2, 3, null, null, null, 0.5, 16, 8, 8));
        for (long seed : new long[] {0, 7, 123}) {
            Generated g = Families.generate(d, seed, 1);
            double[][] rows = (double[][]) g.theory().get("transition");
            double[] flat = new double[rows.length * 3];
            for (int s = 0; s < rows.length; s++) System.arraycopy(rows[s], 0, flat, s * 3, 3);
            assertArrayEquals(Dirichlet.table(2, 3, 0.5, Streams.key(seed, "table")), flat, 1e-12);
        }
    }
}
