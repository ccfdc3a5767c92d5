package dev.tdlab.core.optim;

/**
 * A stateful first-order optimizer over a fixed list of parameter arrays (row-major doubles), updated in place.
 * Implementations are pure Java in double precision: deterministic, and free of ND4J so that updates of frozen
 * subsets or per-group rates stay a matter of which arrays are passed.
 */
public interface Optimizer {

    /**
     * One update with learning rate {@code lr}: {@code params[i]} moves along {@code grads[i]} (same lengths as at
     * creation). {@code decay[i]} (given at creation) says whether weight decay applies to parameter i.
     */
    void step(double[][] params, double[][] grads, double lr);

    /** Number of updates done. */
    int steps();

    /**
     * A deep copy of the internal state (Adam: the m arrays then the v arrays; SGD: the momentum buffers; SignGD: the
     * EMA buffers; one array per parameter and buffer), for checkpoints.
     */
    double[][] state();

    /** Restores a {@link #state()} copy and the update count, so the next step continues bit-identically. */
    void restore(double[][] state, int steps);

    /**
     * An optimizer for parameters of the given sizes.
     *
     * @param decay per parameter, whether weight decay applies (null: all)
     */
    static Optimizer create(OptimizerConfig c, int[] sizes, boolean[] decay) {
        boolean[] d = decay != null ? decay.clone() : filled(sizes.length);
        if (d.length != sizes.length) throw new IllegalArgumentException("decay and sizes differ in length");
        return switch (c.name()) {
            case "adam", "adamw" -> new Adam(c, sizes, d);
            case "sgd", "gd" -> new Sgd(c, sizes, d);
            case "signgd" -> new SignGd(c, sizes, d);
            default -> throw new IllegalArgumentException("unknown optimizer " + c.name());
        };
    }

    private static boolean[] filled(int n) {
        boolean[] b = new boolean[n];
        java.util.Arrays.fill(b, true);
        return b;
    }
}
