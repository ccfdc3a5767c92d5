package dev.tdlab.contracts.events;

/** Where a run ended relative to the theory. */
public enum Verdict {
    /** eval loss at the optimum (entropy rate) within tolerance */
    GLOBAL,
    /** eval loss at a known suboptimal plateau (unigram entropy) */
    LOCAL,
    /** neither */
    NOT_CONVERGED,
    /** loss NaN or infinite */
    DIVERGED
}
