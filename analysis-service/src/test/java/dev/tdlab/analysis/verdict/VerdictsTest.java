package dev.tdlab.analysis.verdict;

import dev.tdlab.contracts.events.Verdict;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class VerdictsTest {

    static final double H = 0.544587;
    static final double U = 0.673012;

    @Test
    void toleranceIsTheLargerOfSamplingErrorAndGapShare() {
        assertEquals(0.03, Verdicts.tolerance(0.01, H, U, 3, 0.05), 1e-12);
        assertEquals(0.05 * (U - H), Verdicts.tolerance(0.0001, H, U, 3, 0.05), 1e-12);
        assertEquals(0.05 * (U - H), Verdicts.tolerance(Double.NaN, H, U, 3, 0.05), 1e-12);
    }

    @Test
    void decides() {
        assertEquals(Verdict.GLOBAL, Verdicts.decide(0.546, 0.001, H, U, 3, 0.05).verdict());
        assertEquals(Verdict.GLOBAL, Verdicts.decide(0.540, 0.001, H, U, 3, 0.05).verdict());
        assertEquals(Verdict.LOCAL, Verdicts.decide(0.670, 0.001, H, U, 3, 0.05).verdict());
        assertEquals(Verdict.LOCAL, Verdicts.decide(0.676, 0.001, H, U, 3, 0.05).verdict());
        assertEquals(Verdict.NOT_CONVERGED, Verdicts.decide(0.60, 0.001, H, U, 3, 0.05).verdict());
        assertEquals(Verdict.NOT_CONVERGED, Verdicts.decide(0.80, 0.001, H, U, 3, 0.05).verdict());
        assertEquals(Verdict.DIVERGED, Verdicts.decide(Double.NaN, 0.001, H, U, 3, 0.05).verdict());
        assertEquals(Verdict.DIVERGED, Verdicts.decide(Double.POSITIVE_INFINITY, 0.001, H, U, 3, 0.05).verdict());
    }

    @Test
    void convergenceStepIsTheStartOfTheFinalStayInBand() {
        int[] steps = {0, 50, 100, 150, 200};
        assertEquals(150, Verdicts.convergenceStep(steps, new double[]{0.69, 0.55, 0.60, 0.55, 0.546}, H, 0.01));
        assertEquals(50, Verdicts.convergenceStep(steps, new double[]{0.69, 0.55, 0.549, 0.55, 0.546}, H, 0.01));
        assertNull(Verdicts.convergenceStep(steps, new double[]{0.69, 0.55, 0.549, 0.55, 0.6}, H, 0.01));
        assertNull(Verdicts.convergenceStep(steps, new double[]{0.69, 0.55, 0.549, 0.55, Double.NaN}, H, 0.01));
    }

    @Test
    void lowerOrderPredictorLossesAreLocalPlateaus() {
        // an order-2 chain: optimum 0.40, best order-1 predictor 0.55, unigram 0.69
        double[] plateaus = {0.69, 0.55};
        assertEquals(Verdict.GLOBAL, Verdicts.decide(0.405, 0.001, 0.40, plateaus, 3, 0.05).verdict());
        assertEquals(Verdict.LOCAL, Verdicts.decide(0.553, 0.001, 0.40, plateaus, 3, 0.05).verdict());
        assertEquals(Verdict.LOCAL, Verdicts.decide(0.688, 0.001, 0.40, plateaus, 3, 0.05).verdict());
        assertEquals(Verdict.NOT_CONVERGED, Verdicts.decide(0.62, 0.001, 0.40, plateaus, 3, 0.05).verdict());
        // the band's floor comes from the nearest plateau: 0.05 · (0.55 − 0.40)
        assertEquals(0.0075, Verdicts.decide(0.405, 0.001, 0.40, plateaus, 3, 0.05).tolerance(), 1e-12);
    }
}
