package dev.tdlab.core.optim;

/**
 * (Stochastic) gradient descent, as PyTorch's SGD: g' = g + wd p (L2); with momentum beta1 > 0 a heavy-ball buffer
 * b = beta1 b + g' (b = g' at the first step) replaces g'; p -= lr g'. "gd" uses the same update on full-batch
 * gradients (the trainer's job).
 */
final class Sgd implements Optimizer {
    private final double mu, wd;
    private final boolean[] decay;
    private final double[][] buf;
    private int t;

    Sgd(OptimizerConfig c, int[] sizes, boolean[] decay) {
        this.mu = c.beta1();
        this.wd = c.weightDecay();
        this.decay = decay;
        this.buf = new double[sizes.length][];
        for (int i = 0; i < sizes.length; i++) buf[i] = new double[mu > 0 ? sizes[i] : 0];
    }

    @Override
    public void step(double[][] params, double[][] grads, double lr) {
        t++;
        for (int i = 0; i < params.length; i++) {
            double[] p = params[i], g = grads[i], b = buf[i];
            double l2 = decay[i] ? wd : 0.0;
            for (int j = 0; j < p.length; j++) {
                double gj = g[j] + l2 * p[j];
                if (mu > 0) {
                    b[j] = t == 1 ? gj : mu * b[j] + gj;
                    gj = b[j];
                }
                p[j] -= lr * gj;
            }
        }
    }

    @Override
    public int steps() {
        return t;
    }

    @Override
    public double[][] state() {
        return StateArrays.copy(buf);
    }

    @Override
    public void restore(double[][] state, int steps) {
        StateArrays.restore(state, buf);
        this.t = steps;
    }
}
