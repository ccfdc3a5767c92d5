package dev.tdlab.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** One or two updates computed by hand. */
class OptimizerTest {

    static double[][] p(double... xs) {
        return new double[][] {xs};
    }

    @Test
    void adamFirstStepIsLrTimesSign() {
        // t=1: m = 0.1 g, v = 0.001 g^2, mhat = g, vhat = g^2 -> p -= lr * g / (|g| + eps)
        Optimizer o = Optimizer.create(OptimizerConfig.of("adam", 0.1), new int[] {3}, null);
        double[][] params = p(1.0, -2.0, 0.5);
        o.step(params, p(0.5, -4.0, 0.0), 0.1);
        assertEquals(1.0 - 0.1 * 0.5 / (0.5 + 1e-8), params[0][0], 1e-15);
        assertEquals(-2.0 + 0.1 * 4.0 / (4.0 + 1e-8), params[0][1], 1e-15);
        assertEquals(0.5, params[0][2], 0);
        assertEquals(1, o.steps());
    }

    @Test
    void adamSecondStepByHand() {
        OptimizerConfig c = new OptimizerConfig("adam", 0.01, 0.9, 0.999, 1e-8, 0.0, "constant", 0);
        Optimizer o = Optimizer.create(c, new int[] {1}, null);
        double[][] x = p(1.0);
        o.step(x, p(1.0), 0.01);
        o.step(x, p(-3.0), 0.01);
        // after step 1: x = 1 - 0.01 * 1/(1+1e-8); m1 = 0.1, v1 = 0.001
        // step 2: m2 = 0.09 - 0.3 = -0.21, v2 = 0.000999 + 0.009 = 0.009999
        // mhat = -0.21 / 0.19, vhat = 0.009999 / 0.001999
        double x1 = 1 - 0.01 * 1 / (1 + 1e-8);
        double mhat = -0.21 / (1 - 0.81), vhat = 0.009999 / (1 - 0.998001);
        assertEquals(x1 - 0.01 * mhat / (Math.sqrt(vhat) + 1e-8), x[0][0], 1e-14);
    }

    @Test
    void adamL2VersusAdamWDecoupled() {
        // adam: g' = g + wd p enters the moments; adamw: p *= 1 - lr wd, then the plain Adam step
        OptimizerConfig adam = new OptimizerConfig("adam", 0.1, 0.9, 0.999, 1e-8, 0.5, "constant", 0);
        OptimizerConfig adamw = new OptimizerConfig("adamw", 0.1, 0.9, 0.999, 1e-8, 0.5, "constant", 0);
        double[][] a = p(2.0), w = p(2.0);
        Optimizer.create(adam, new int[] {1}, null).step(a, p(-0.5), 0.1);
        Optimizer.create(adamw, new int[] {1}, null).step(w, p(-0.5), 0.1);
        double g = -0.5 + 0.5 * 2.0; // = 0.5
        assertEquals(2.0 - 0.1 * g / (Math.abs(g) + 1e-8), a[0][0], 1e-15);
        assertEquals(2.0 * (1 - 0.1 * 0.5) + 0.1 * 0.5 / (0.5 + 1e-8), w[0][0], 1e-15);
        // no decay where the mask says so
        double[][] n = p(2.0);
        Optimizer.create(adamw, new int[] {1}, new boolean[] {false}).step(n, p(-0.5), 0.1);
        assertEquals(2.0 + 0.1 * 0.5 / (0.5 + 1e-8), n[0][0], 1e-15);
    }

    @Test
    void signGdStep() {
        Optimizer o = Optimizer.create(OptimizerConfig.of("signgd", 0.05), new int[] {4}, null);
        double[][] x = p(1.0, 1.0, 1.0, 1.0);
        o.step(x, p(3.0, -1e-9, 0.0, -7.0), 0.05);
        assertEquals(0.95, x[0][0], 1e-15);
        assertEquals(1.05, x[0][1], 1e-15);
        assertEquals(1.0, x[0][2], 0);   // sign(0) = 0
        assertEquals(1.05, x[0][3], 1e-15);
        // decoupled weight decay: p -= lr (sign(g) + wd p)
        OptimizerConfig wd = new OptimizerConfig("signgd", 0.1, 0, 0, 0, 0.5, "constant", 0);
        double[][] y = p(2.0);
        Optimizer.create(wd, new int[] {1}, null).step(y, p(-1.0), 0.1);
        assertEquals(2.0 - 0.1 * (-1 + 0.5 * 2.0), y[0][0], 1e-15);
    }

    @Test
    void sgdPlainAndWithMomentum() {
        double[][] x = p(1.0, -1.0);
        Optimizer.create(OptimizerConfig.of("sgd", 0.1), new int[] {2}, null).step(x, p(2.0, -3.0), 0.1);
        assertEquals(0.8, x[0][0], 1e-15);
        assertEquals(-0.7, x[0][1], 1e-15);

        OptimizerConfig mom = new OptimizerConfig("gd", 0.1, 0.9, 0, 0, 0.0, "constant", 0);
        Optimizer o = Optimizer.create(mom, new int[] {1}, null);
        double[][] y = p(0.0);
        o.step(y, p(1.0), 0.1);   // buf = 1          -> y = -0.1
        o.step(y, p(1.0), 0.1);   // buf = 0.9 + 1    -> y = -0.1 - 0.19
        assertEquals(-0.29, y[0][0], 1e-15);
    }
}
