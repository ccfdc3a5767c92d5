package dev.tdlab.core.optim;

/**
 * Adam (Kingma and Ba) with bias correction, as PyTorch: m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2,
 * p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps). "adam": weight decay as L2 (g += wd p);
 * "adamw": decoupled (p -= lr wd p before the Adam step, Loshchilov and Hutter).
 */
final class Adam implements Optimizer {
    private final double b1, b2, eps, wd;
    private final boolean decoupled;
    private final boolean[] decay;
    private final double[][] m, v;
    private int t;

    Adam(OptimizerConfig c, int[] sizes, boolean[] decay) {
        this.b1 = c.beta1();
        this.b2 = c.beta2();
        this.eps = c.eps();
        this.wd = c.weightDecay();
        this.decoupled = c.name().equals("adamw");
        this.decay = decay;
        this.m = new double[sizes.length][];
        this.v = new double[sizes.length][];
        for (int i = 0; i < sizes.length; i++) {
            m[i] = new double[sizes[i]];
            v[i] = new double[sizes[i]];
        }
    }

    @Override
    public void step(double[][] params, double[][] grads, double lr) {
        t++;
        double bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
        for (int i = 0; i < params.length; i++) {
            double[] p = params[i], g = grads[i], mi = m[i], vi = v[i];
            double l2 = decay[i] && !decoupled ? wd : 0.0;
            double shrink = decay[i] && decoupled ? 1.0 - lr * wd : 1.0;
            for (int j = 0; j < p.length; j++) {
                double gj = g[j] + l2 * p[j];
                mi[j] = b1 * mi[j] + (1 - b1) * gj;
                vi[j] = b2 * vi[j] + (1 - b2) * gj * gj;
                double pj = p[j] * shrink;
                p[j] = pj - lr * (mi[j] / bc1) / (Math.sqrt(vi[j] / bc2) + eps);
            }
        }
    }

    @Override
    public int steps() {
        return t;
    }

    @Override
    public double[][] state() {
        return StateArrays.copy(m, v);
    }

    @Override
    public void restore(double[][] state, int steps) {
        StateArrays.restore(state, m, v);
        this.t = steps;
    }
}
