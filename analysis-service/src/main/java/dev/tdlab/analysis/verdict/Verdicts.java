package dev.tdlab.analysis.verdict;

import dev.tdlab.contracts.events.Verdict;

/**
 * The first verdict rule, a pure function. A run is GLOBAL when its final eval loss is within
 * {@code tol} above the entropy rate H, LOCAL when within {@code tol} of the unigram entropy U,
 * DIVERGED when the loss is NaN or infinite, NOT_CONVERGED otherwise, where
 * {@code tol = max(z · stderr, gapFraction · (U − H))}: the sampling error of the eval loss, but
 * never narrower than a fixed share of the distance between the two minima.
 */
public final class Verdicts {

    private Verdicts() {
    }

    public record Decision(Verdict verdict, double tolerance) {
    }

    public static double tolerance(double stdErr, double entropyRate, double unigram, double z, double gapFraction) {
        double se = Double.isFinite(stdErr) ? Math.max(0, stdErr) : 0;
        return Math.max(z * se, gapFraction * Math.max(0, unigram - entropyRate));
    }

    public static Decision decide(double finalEvalLoss, double stdErr, double entropyRate, double unigram, double z,
                                  double gapFraction) {
        return decide(finalEvalLoss, stdErr, entropyRate, new double[]{unigram}, z, gapFraction);
    }

    /**
     * The same rule with several known suboptimal plateaus (the unigram entropy, and for an order-k chain the
     * losses of the best predictors that see fewer than k tokens): LOCAL when the loss sits at any of them.
     * The band's floor is a share of the distance from the optimum to the nearest plateau above it.
     */
    public static Decision decide(double finalEvalLoss, double stdErr, double optimum, double[] plateaus, double z,
                                  double gapFraction) {
        double nearest = Double.POSITIVE_INFINITY;
        for (double p : plateaus) {
            if (Double.isFinite(p) && p > optimum) {
                nearest = Math.min(nearest, p);
            }
        }
        double tol = tolerance(stdErr, optimum, Double.isFinite(nearest) ? nearest : optimum, z, gapFraction);
        if (!Double.isFinite(finalEvalLoss)) {
            return new Decision(Verdict.DIVERGED, tol);
        }
        if (finalEvalLoss <= optimum + tol) {
            return new Decision(Verdict.GLOBAL, tol);
        }
        for (double p : plateaus) {
            if (Double.isFinite(p) && Math.abs(finalEvalLoss - p) <= tol) {
                return new Decision(Verdict.LOCAL, tol);
            }
        }
        return new Decision(Verdict.NOT_CONVERGED, tol);
    }

    /**
     * First eval step after which every eval loss stays within {@code tol} of the optimum; null if the
     * last one is not within it. {@code steps} ascending, same length as {@code losses}.
     */
    public static Integer convergenceStep(int[] steps, double[] losses, double optimum, double tol) {
        Integer since = null;
        for (int i = 0; i < steps.length; i++) {
            boolean in = Double.isFinite(losses[i]) && losses[i] <= optimum + tol;
            if (in && since == null) {
                since = steps[i];
            } else if (!in) {
                since = null;
            }
        }
        return since;
    }
}
