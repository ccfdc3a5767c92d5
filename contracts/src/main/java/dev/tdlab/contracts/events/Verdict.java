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
    DIVERGED,
    /**
     * the data cannot separate the optimum from the nearest plateau: the band around the optimum reaches the band
     * around the plateau (too small an eval set, or the two coincide), and the loss lies within them. Never counted as
     * GLOBAL. Clients must tolerate verdicts they do not know.
     */
    UNRESOLVED
}
