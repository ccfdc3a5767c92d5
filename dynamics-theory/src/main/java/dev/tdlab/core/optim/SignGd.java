package dev.tdlab.core.optim;

/**
 * Sign gradient descent: p -= lr (sign(u) + wd p) with u = g, or with beta1 > 0 the momentum EMA
 * u = beta1 u + (1-beta1) g (Signum); sign(0) = 0; weight decay decoupled.
 */
final class SignGd implements Optimizer {
    private final double b1, wd;
    private final boolean[] decay;
    private final double[][] ema;
    private int t;

    SignGd(OptimizerConfig c, int[] sizes, boolean[] decay) {
        this.b1 = c.beta1();
        this.wd = c.weightDecay();
        this.decay = decay;
        this.ema = new double[sizes.length][];
        for (int i = 0; i < sizes.length; i++) ema[i] = new double[b1 > 0 ? sizes[i] : 0];
    }

    @Override
    public void step(double[][] params, double[][] grads, double lr) {
        t++;
        for (int i = 0; i < params.length; i++) {
            double[] p = params[i], g = grads[i], e = ema[i];
            double dec = decay[i] ? wd : 0.0;
            for (int j = 0; j < p.length; j++) {
                double u = g[j];
                if (b1 > 0) {
                    e[j] = b1 * e[j] + (1 - b1) * u;
                    u = e[j];
                }
                p[j] -= lr * (Math.signum(u) + dec * p[j]);
            }
        }
    }

    @Override
    public int steps() {
        return t;
    }

    @Override
    public double[][] state() {
        return StateArrays.copy(ema);
    }

    @Override
    public void restore(double[][] state, int steps) {
        StateArrays.restore(state, ema);
        this.t = steps;
    }
}
