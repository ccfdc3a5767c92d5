package dev.tdlab.core.theory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ChainGraphTest {

    @Test
    void anIrreducibleAperiodicChainHasNoProblem() {
        assertNull(ChainGraph.structureProblem(1, 2, new double[] {0.5, 0.5, 0.3, 0.7}));
    }

    @Test
    void transientStatesAreAllowedAndLeftOutOfTheClosedClass() {
        // state 0 leaves for good: the closed class is {1, 2}
        double[] p = {0, 0.5, 0.5, 0, 0.5, 0.5, 0, 0.5, 0.5};
        assertNull(ChainGraph.structureProblem(1, 3, p));
        assertArrayEquals(new int[] {1, 2}, ChainGraph.closedClass(1, 3, p));
    }

    @Test
    void twoClosedClassesAreReducible() {
        String problem = ChainGraph.structureProblem(1, 2, new double[] {1, 0, 0, 1});
        assertTrue(problem.contains("reducible") && problem.contains("2 closed classes of states"), problem);
    }

    @Test
    void aCycleIsPeriodic() {
        String problem = ChainGraph.structureProblem(1, 2, new double[] {0, 1, 1, 0});
        assertTrue(problem.contains("periodic chain (period 2)"), problem);
    }

    @Test
    void unnormalizedRowsAreReadOnlyForWhichEntriesArePositive() {
        assertNull(ChainGraph.structureProblem(2, 2, new double[] {2, 1, 1, 1, 1, 1, 1, 3}));
    }
}
