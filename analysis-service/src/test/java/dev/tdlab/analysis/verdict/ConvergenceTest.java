package dev.tdlab.analysis.verdict;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.function.IntToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Synthetic eval curves with known answers. */
class ConvergenceTest {

    static final double H = 0.544587;   // entropy rate of the p=0.2, q=0.3 chain (the optimum)
    static final double U = 0.673012;   // its unigram entropy (the saddle)
    static final List<Convergence.Level> LEVELS = List.of(new Convergence.Level("unigram", U));

    static int[] steps(int to, int every) {
        int[] s = new int[to / every + 1];
        for (int i = 0; i < s.length; i++) {
            s[i] = i * every;
        }
        return s;
    }

    static double[] curve(int[] steps, IntToDoubleFunction f, double noise, long seed) {
        Random rnd = new Random(seed);
        double[] out = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            out[i] = f.applyAsDouble(steps[i]) + noise * rnd.nextGaussian();
        }
        return out;
    }

    @Test
    void exponentialApproachIsFittedAsExponential() {
        int[] s = steps(2000, 50);
        double[] l = curve(s, t -> H + 0.13 * Math.exp(-0.004 * t), 0, 0);
        Convergence.RateFits f = Convergence.fitRate(s, l, H, 1e-3, Integer.MIN_VALUE);
        assertNotNull(f);
        assertEquals("exponential", f.better());
        assertEquals(0.004, f.exponential().rate(), 1e-9);
        assertEquals(Math.log(0.13), f.exponential().intercept(), 1e-9);
        assertEquals(1.0, f.exponential().r2(), 1e-12);
        assertTrue(f.powerLaw().r2() < 0.95, "power law R² " + f.powerLaw().r2());
        // only the points above the noise band are fitted: 0.13·e^(−0.004 t) > 1e-3 ⇔ t < 1217; step 0 is skipped
        assertEquals(50, f.exponential().fromStep());
        assertEquals(1200, f.exponential().toStep());
        assertEquals(24, f.exponential().points());
    }

    @Test
    void powerLawApproachIsFittedAsPowerLaw() {
        int[] s = steps(5000, 50);
        double[] l = curve(s, t -> H + 0.5 * Math.pow(Math.max(t, 1), -0.8), 0, 0);
        Convergence.RateFits f = Convergence.fitRate(s, l, H, 1e-4, Integer.MIN_VALUE);
        assertNotNull(f);
        assertEquals("power", f.better());
        assertEquals(0.8, f.powerLaw().rate(), 1e-9);
        assertEquals(Math.log(0.5), f.powerLaw().intercept(), 1e-9);
        assertEquals(1.0, f.powerLaw().r2(), 1e-12);
        assertTrue(f.exponential().r2() < f.powerLaw().r2());
    }

    @Test
    void noisyCurvesStillGiveTheRightModelAndRate() {
        int[] s = steps(3000, 50);
        // multiplicative noise of 2 % on the gap, as a noisy eval of a shrinking gap looks in log space
        Random rnd = new Random(7);
        double[] l = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            l[i] = H + 0.12 * Math.exp(-0.002 * s[i]) * (1 + 0.02 * rnd.nextGaussian());
        }
        Convergence.RateFits f = Convergence.fitRate(s, l, H, 2e-3, Integer.MIN_VALUE);
        assertEquals("exponential", f.better());
        assertEquals(0.002, f.exponential().rate(), 0.0001);
        assertTrue(f.exponential().r2() > 0.99);

        double[] p = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            p[i] = H + 0.4 * Math.pow(Math.max(1, s[i]), -0.5) * (1 + 0.02 * rnd.nextGaussian());
        }
        Convergence.RateFits g = Convergence.fitRate(s, p, H, 2e-3, Integer.MIN_VALUE);
        assertEquals("power", g.better());
        assertEquals(0.5, g.powerLaw().rate(), 0.02);
    }

    @Test
    void tooFewPointsAboveTheNoiseGiveNoFit() {
        int[] s = {0, 50, 100, 150};
        assertNull(Convergence.fitRate(s, new double[]{0.69, 0.545, 0.544, 0.546}, H, 0.005, Integer.MIN_VALUE));
        assertNull(Convergence.fitRate(s, new double[]{0.69, 0.6, 0.58, 0.57}, H, 0.005, 100));
    }

    @Test
    void unigramPlateauThenEscapeIsFoundAndTheTailFittedAfterIt() {
        int[] s = steps(2000, 50);
        // sits at U (± tiny noise) until step 500, then approaches H exponentially at rate 0.01 per step
        double[] l = curve(s, t -> t < 500 ? U : H + (U - H) * Math.exp(-0.01 * (t - 500)), 2e-4, 3);
        double tol = 0.005;
        Convergence.Analysis a = Convergence.analyze(s, l, H, LEVELS, tol);
        assertEquals(1, a.plateaus().size(), a.toString());
        Convergence.Plateau p = a.plateaus().get(0);
        assertEquals("unigram", p.level());
        assertEquals(U, p.levelValue());
        assertEquals(0, p.fromStep());
        assertEquals(500, p.toStep()); // step 500 is still at U: the drop starts right after it
        assertEquals(11, p.points());
        assertEquals(500, a.stepsNearSaddle());
        assertEquals(U, p.meanLoss(), 1e-3);
        assertNotNull(a.rate());
        assertEquals("exponential", a.rate().better());
        assertEquals(500, a.rate().exponential().fromStep());
        assertEquals(0.01, a.rate().exponential().rate(), 0.0005);
    }

    @Test
    void stagesAtSeveralKnownLevelsAndAFlatStretchAreSeparatePlateaus() {
        // an order-2 chain: optimum 0.40, order-1 predictor 0.55, unigram 0.69; the curve starts flat at
        // 0.80 (a symmetric initialization), drops to the unigram, then to order-1, then to the optimum
        List<Convergence.Level> levels = List.of(new Convergence.Level("unigram", 0.69),
                new Convergence.Level("order-1", 0.55));
        int[] s = steps(1500, 50);
        double[] l = curve(s, t -> t <= 200 ? 0.80 : t <= 300 ? 0.75 : t <= 600 ? 0.69 : t <= 700 ? 0.62
                : t <= 1000 ? 0.55 : t <= 1100 ? 0.47 : 0.40 + 0.001 * Math.exp(-(t - 1100) / 100.0), 0, 0);
        Convergence.Analysis a = Convergence.analyze(s, l, 0.40, levels, 0.005);
        assertEquals(List.of("flat", "unigram", "order-1"), a.plateaus().stream().map(Convergence.Plateau::level).toList(),
                a.toString());
        assertEquals(0, a.plateaus().get(0).fromStep());
        assertEquals(150, a.plateaus().get(0).toStep()); // 200 is next to the drop at 250: not flat
        assertEquals(350, a.plateaus().get(1).fromStep());
        assertEquals(600, a.plateaus().get(1).toStep());
        assertEquals(750, a.plateaus().get(2).fromStep());
        assertEquals(1000, a.plateaus().get(2).toStep());
        assertEquals(150 + 250 + 250, a.stepsNearSaddle());
    }

    @Test
    void convergedStretchAtTheOptimumIsNotASaddleAndBlipsAreNotPlateaus() {
        int[] s = steps(1000, 50);
        double[] l = curve(s, t -> H + 0.2 * Math.exp(-0.01 * t), 0, 0);
        Convergence.Analysis a = Convergence.analyze(s, l, H, LEVELS, 0.003);
        assertTrue(a.plateaus().isEmpty(), a.toString());
        assertEquals(0, a.stepsNearSaddle());

        // two points at the unigram level on the way down are a pass, not a plateau
        int[] t = {0, 50, 100, 150, 200, 250};
        double[] pass = {0.70, U + 0.001, U - 0.002, 0.62, 0.58, 0.55};
        assertTrue(Convergence.plateaus(t, pass, H, LEVELS, 0.003, 3).isEmpty());
    }

    @Test
    void nonFiniteLossesBreakPlateaus() {
        int[] s = {0, 50, 100, 150, 200, 250, 300};
        double[] l = {U, U, Double.NaN, U, U, U, U};
        List<Convergence.Plateau> p = Convergence.plateaus(s, l, H, LEVELS, 0.003, 3);
        assertEquals(1, p.size());
        assertEquals(150, p.get(0).fromStep());
        assertEquals(300, p.get(0).toStep());
    }
}
