package dev.tdlab.analysis.verdict;

import dev.tdlab.contracts.events.Verdict;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void theStatisticalBandComesFromTheEvalSetSizeAndThePerTokenVariance() {
        // 256 eval sequences of 64 tokens, per-token loss sd 0.497 at the optimum of the p=0.2, q=0.3 chain
        // (tokens of a first-order chain given their predecessor are uncorrelated): se = 0.497 / √(256·64)
        double se = 0.497 / Math.sqrt(256 * 64);
        Verdicts.Tolerance t = Verdicts.band(3, se, 0, 0, H, U, 0);
        assertEquals(3 * se, t.value(), 1e-15);
        assertEquals("statistical", t.source());
        // four times the eval set halves the band
        assertEquals(t.value() / 2, Verdicts.band(3, 0.497 / Math.sqrt(1024 * 64), 0, 0, H, U, 0).value(), 1e-15);
        // independent errors add in quadrature: the eval set's, the optimum's (Monte Carlo), the run's fluctuation
        assertEquals(3 * Math.sqrt(0.003 * 0.003 + 0.004 * 0.004), Verdicts.band(3, 0.003, 0.004, 0, H, U, 0).value(), 1e-15);
        assertEquals(3 * Math.sqrt(0.003 * 0.003 + 0.004 * 0.004 + 0.012 * 0.012),
                Verdicts.band(3, 0.003, 0.004, 0.012, H, U, 0).value(), 1e-15);
    }

    @Test
    void withoutAnyMeasurableErrorTheFloat32FloorKeepsTheBandOpen() {
        Verdicts.Tolerance t = Verdicts.band(3, Double.NaN, 0, 0, H, U, 0);
        assertEquals(Verdicts.FLOAT_FLOOR, t.value(), 0);
        assertEquals("float32", t.source());
        assertEquals(Verdicts.FLOAT_FLOOR * 2.5, Verdicts.band(3, 0, 0, 0, 2.5, 3.0, 0).value(), 0);
        // the float32 floor is far below any eval set's sampling error: 256 × 64 tokens give ~1e-2
        assertTrue(Verdicts.FLOAT_FLOOR < 1e-5);
    }

    @Test
    void theGapShareIsAnOptInFloorOnly() {
        assertEquals(3 * 0.0001, Verdicts.band(3, 0.0001, 0, 0, H, U, 0).value(), 1e-15);
        Verdicts.Tolerance t = Verdicts.band(3, 0.0001, 0, 0, H, U, 0.05);
        assertEquals(0.05 * (U - H), t.value(), 1e-15);
        assertEquals("gapFraction", t.source());
    }

    @Test
    void withTheDefaultBandTheVerdictFollowsTheSamplingError() {
        // gapFraction 0 (the default now): the band is 3 · 0.001 = 0.003
        double[] u = {U};
        assertEquals(Verdict.GLOBAL, Verdicts.decide(0.5475, 0.001, H, u, 3, 0).verdict());
        assertEquals(Verdict.NOT_CONVERGED, Verdicts.decide(0.5485, 0.001, H, u, 3, 0).verdict());
        assertEquals(Verdict.LOCAL, Verdicts.decide(0.6705, 0.001, H, u, 3, 0).verdict());
        // 0.670 is 3.012 standard errors below U: no longer LOCAL once the 0.0064 gap-share floor is off
        assertEquals(Verdict.NOT_CONVERGED, Verdicts.decide(0.670, 0.001, H, u, 3, 0).verdict());
        // a small eval set widens the band: 16 × 32 tokens, se ≈ 0.022; 2 · 3 · 0.022 = 0.132 > U − H = 0.128: the
        // optimum's band reaches the plateau's, so 0.60 can be neither GLOBAL nor LOCAL
        assertEquals(Verdict.UNRESOLVED, Verdicts.decide(0.60, 0.022, H, u, 3, 0).verdict());
    }

    /** Issue 14: a loss between H and U with a band wider than their gap is never GLOBAL. */
    @Test
    void aBandWiderThanTheGapIsNeverGlobal() {
        double[] u = {U};
        for (double se : new double[] {0.022, 0.03, 0.1}) {
            for (double loss = H - 0.05; loss <= U + 3 * se; loss += 0.005) {
                Verdict v = Verdicts.decide(loss, se, H, u, 3, 0).verdict();
                assertEquals(Verdict.UNRESOLVED, v, "loss " + loss + " se " + se);
            }
            assertEquals(Verdict.NOT_CONVERGED, Verdicts.decide(U + 3 * se + 0.01, se, H, u, 3, 0).verdict());
        }
        // the same loss with a band that separates H from U is decided as before
        assertEquals(Verdict.GLOBAL, Verdicts.decide(0.546, 0.001, H, u, 3, 0).verdict());
        assertEquals(Verdict.NOT_CONVERGED, Verdicts.decide(0.60, 0.001, H, u, 3, 0).verdict());
        // the band's edge: separable exactly when U − H > 2 · tol
        double tol = (U - H) / 2;
        assertEquals(Verdict.UNRESOLVED, Verdicts.classify(H, tol, H, u));
        assertEquals(Verdict.GLOBAL, Verdicts.classify(H, tol * 0.999, H, u));
    }

    /** p + q = 1: the chain is i.i.d., H = U, and no run of it can say anything about escaping the plateau. */
    @Test
    void optimumAtAPlateauIsUninformativeAndUnresolved() {
        double h = 0.6730116670092565; // p = 0.4, q = 0.6: H = U = h(0.4)
        assertTrue(Verdicts.uninformative(h, new double[] {h + 1e-16}));
        assertTrue(!Verdicts.uninformative(H, new double[] {U}));
        assertEquals(Verdict.UNRESOLVED, Verdicts.decide(h + 1e-5, 0.001, h, new double[] {h}, 3, 0).verdict());
        assertEquals(Verdict.NOT_CONVERGED, Verdicts.decide(h + 0.1, 0.001, h, new double[] {h}, 3, 0).verdict());
    }

    @Test
    void fluctuationIsTheNoiseAboutTheTrendAtTheEnd() {
        Random rnd = new Random(1);
        double[] l = new double[400];
        for (int i = 0; i < l.length; i++) {
            l[i] = 0.6 - 0.0001 * i + 0.002 * rnd.nextGaussian(); // a linear trend does not count
        }
        assertEquals(0.002, Verdicts.fluctuation(l), 0.0003);
        // a single late drop is not noise
        double[] drop = {0.67, 0.67, 0.67, 0.67, 0.67, 0.67, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55};
        assertEquals(0, Verdicts.fluctuation(drop), 1e-12);
        assertEquals(0, Verdicts.fluctuation(new double[]{0.6, 0.5}), 0);
    }

    @Test
    void assessmentReportsTheGapWithItsIntervalAndTheApproach() {
        int[] steps = new int[41];
        double[] losses = new double[41];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = 50 * i;
            losses[i] = steps[i] <= 300 ? U : H + (U - H) * Math.exp(-0.01 * (steps[i] - 300));
        }
        double se = 0.002;
        Verdicts.Assessment a = Verdicts.assess(losses[40], se, H, 0, List.of(new Convergence.Level("unigram", U)),
                steps, losses, 3, 0);
        assertEquals(Verdict.GLOBAL, a.verdict());
        assertEquals(0.006, a.tolerance().value(), 1e-9); // the curve is smooth: no fluctuation
        assertEquals(losses[40] - H, a.gap(), 1e-15);
        assertEquals(a.gap() - 1.959964 * se, a.gapLow(), 1e-12);
        assertEquals(a.gap() + 1.959964 * se, a.gapHigh(), 1e-12);
        // 0.128 · e^(−0.01 (t − 300)) ≤ 0.006 from t = 606: the first eval step after it is 650
        assertEquals(650, a.convergenceStep());
        assertEquals(1, a.convergence().plateaus().size());
        assertEquals(300, a.convergence().stepsNearSaddle());
        assertNotNull(a.convergence().rate());
        assertEquals("exponential", a.convergence().rate().better());
        assertEquals(0.01, a.convergence().rate().exponential().rate(), 1e-9);
    }
}
