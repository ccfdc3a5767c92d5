package dev.tdlab.analysis.verdict;

import dev.tdlab.contracts.events.Verdict;

import java.util.List;

/**
 * The verdict rule, a pure function. A run is DIVERGED when its final eval loss is NaN or infinite,
 * GLOBAL when the loss is at most {@code optimum + tol}, LOCAL when within {@code tol} of a known
 * suboptimal plateau (the unigram entropy, a lower-order predictor's loss), NOT_CONVERGED otherwise.
 *
 * <p>The half-width {@code tol} is statistical first ({@link #band}):
 * {@code tol = max(z · √(se² + seOpt² + sθ²), εfloat · max(1, optimum), gapFraction · (nearest plateau − optimum))}
 * <ul>
 * <li>{@code se}: the standard error of the final eval loss, the standard deviation of the per-sequence
 *     mean token loss over the eval set divided by √(eval sequences) — so it follows from the eval-set
 *     size and the per-token loss variance (within-sequence correlation included: for independent tokens
 *     it is σ_token / √(sequences · tokens per sequence));</li>
 * <li>{@code seOpt}: the standard error of the optimum itself (0 when the theory is exact, the Monte
 *     Carlo error otherwise);</li>
 * <li>{@code sθ}: the run's own fluctuation at the end of training ({@link #fluctuation}): a stochastic
 *     optimizer does not stop at the bottom of the basin but keeps moving around it, and the eval loss
 *     (on the same, fixed eval set) moves with it; an excess of that size is still in the basin;</li>
 * <li>{@code εfloat = 2⁻²⁰} (16 float32 ulps): the per-token losses are computed in float32, where the
 *     few operations of a log-softmax carry a relative error of a few units of 2⁻²⁴; this floor only
 *     matters when the statistical part is 0 (a single eval sequence, or no fluctuation measurable);</li>
 * <li>{@code gapFraction}: an optional practical-equivalence margin (a share of the distance from the
 *     optimum to the nearest plateau), 0 by default: not statistical, so off unless configured.</li>
 * </ul>
 * The gap to the optimum is reported with a 95 % interval {@code gap ± 1.96 · √(se² + seOpt²)}.
 *
 * <p><b>Never overclaim.</b> When the band around the optimum reaches the band around the nearest plateau above it
 * ({@code nearest plateau − optimum ≤ 2 · tol}), the data cannot tell the two apart: a loss below the plateau's band's
 * top is {@code UNRESOLVED}, never GLOBAL (nor LOCAL). A run whose optimum and a plateau coincide
 * ({@link #uninformative}: p + q = 1 for a binary chain, where H = U) is uninformative by construction: its cell is
 * flagged and left out of claims.
 *
 * <p>Where the trainer reports the exact-conditional metrics ({@code eval_excess}: KL from the true next-token law to
 * the model's, no token-sampling noise), the service judges {@code optimum + eval_excess} with the excess's standard
 * error instead of the sampled-token loss (see {@code RunEvents}).
 */
public final class Verdicts {

    /**
     * Optimum and plateau closer than this (nats) coincide: no eval set can separate them (a band of 1e-4 nats needs
     * far more eval tokens than any template uses), so the run is uninformative.
     */
    public static final double UNINFORMATIVE_GAP = 1e-4;
    /** Relative float32 floor of the band: 16 units of 2⁻²⁴. */
    public static final double FLOAT_FLOOR = 0x1p-20;
    /** Normal quantile of a two-sided 95 % interval. */
    public static final double Z95 = 1.959964;

    private Verdicts() {
    }

    public record Decision(Verdict verdict, double tolerance) {
    }

    /**
     * The band and what it is made of.
     *
     * @param value        the half-width used for GLOBAL / LOCAL, the convergence step and the plateaus
     * @param z            standard errors spanned
     * @param evalStdErr   se of the final eval loss (0 when unknown)
     * @param optimumStdErr se of the optimum (0 when exact)
     * @param fluctuation  sθ, the run's end-of-training fluctuation (0 when not measurable)
     * @param statistical  z · √(se² + seOpt² + sθ²)
     * @param floatFloor   εfloat · max(1, |optimum|)
     * @param gapFloor     gapFraction · (nearest plateau − optimum); 0 when off
     */
    public record Tolerance(double value, double z, double evalStdErr, double optimumStdErr, double fluctuation,
                            double statistical, double floatFloor, double gapFloor) {
        /** Which part set the band: {@code statistical}, {@code float32} or {@code gapFraction}. */
        public String source() {
            return value == statistical ? "statistical" : value == gapFloor ? "gapFraction" : "float32";
        }
    }

    /**
     * Everything the service stores about a finished run's approach to its optimum.
     *
     * @param gap             final eval loss − optimum
     * @param gapLow          95 % interval of the gap, low end
     * @param gapHigh         95 % interval of the gap, high end
     * @param convergenceStep first eval step after which the loss stays within the band; null if never
     * @param convergence     plateaus, steps near saddles, rate fits
     */
    public record Assessment(Verdict verdict, Tolerance tolerance, double gap, double gapLow, double gapHigh,
                             Integer convergenceStep, Convergence.Analysis convergence) {
    }

    /** The half-width of the bands; see the class comment. NaN or negative inputs count as 0. */
    public static Tolerance band(double z, double evalStdErr, double optimumStdErr, double fluctuation, double optimum,
                                 double nearestPlateau, double gapFraction) {
        double se = nonNegative(evalStdErr);
        double seOpt = nonNegative(optimumStdErr);
        double fl = nonNegative(fluctuation);
        double statistical = z * Math.sqrt(se * se + seOpt * seOpt + fl * fl);
        double floatFloor = FLOAT_FLOOR * Math.max(1, Double.isFinite(optimum) ? Math.abs(optimum) : 1);
        double gapFloor = Double.isFinite(nearestPlateau) && gapFraction > 0
                ? gapFraction * Math.max(0, nearestPlateau - optimum) : 0;
        double value = Math.max(statistical, Math.max(floatFloor, gapFloor));
        return new Tolerance(value, z, se, seOpt, fl, statistical, floatFloor, gapFloor);
    }

    /** The band from the eval loss's standard error alone: {@code max(z · se, float floor, gapFraction · (U − H))}. */
    public static double tolerance(double stdErr, double entropyRate, double unigram, double z, double gapFraction) {
        return band(z, stdErr, 0, 0, entropyRate, unigram, gapFraction).value();
    }

    public static Decision decide(double finalEvalLoss, double stdErr, double entropyRate, double unigram, double z,
                                  double gapFraction) {
        return decide(finalEvalLoss, stdErr, entropyRate, new double[]{unigram}, z, gapFraction);
    }

    /**
     * The rule with several known suboptimal plateaus (the unigram entropy, and for an order-k chain the
     * losses of the best predictors that see fewer than k tokens): LOCAL when the loss sits at any of them.
     * The band's optional {@code gapFraction} floor is a share of the distance from the optimum to the
     * nearest plateau above it.
     */
    public static Decision decide(double finalEvalLoss, double stdErr, double optimum, double[] plateaus, double z,
                                  double gapFraction) {
        double tol = band(z, stdErr, 0, 0, optimum, nearestAbove(optimum, plateaus), gapFraction).value();
        return new Decision(classify(finalEvalLoss, tol, optimum, plateaus), tol);
    }

    /** GLOBAL / LOCAL / NOT_CONVERGED / DIVERGED / UNRESOLVED for a given band. */
    public static Verdict classify(double finalEvalLoss, double tol, double optimum, double[] plateaus) {
        if (!Double.isFinite(finalEvalLoss)) {
            return Verdict.DIVERGED;
        }
        double nearest = nearestAbove(optimum, plateaus);
        if (Double.isFinite(nearest) && nearest - optimum <= 2 * tol && finalEvalLoss <= nearest + tol) {
            return Verdict.UNRESOLVED; // the optimum's band reaches the plateau's: the data cannot separate them
        }
        for (double p : plateaus) { // a plateau at (or within the band of) the optimum but below it
            if (Double.isFinite(p) && p <= optimum && optimum - p <= 2 * tol && finalEvalLoss <= optimum + tol) {
                return Verdict.UNRESOLVED;
            }
        }
        if (finalEvalLoss <= optimum + tol) {
            return Verdict.GLOBAL;
        }
        for (double p : plateaus) {
            if (Double.isFinite(p) && Math.abs(finalEvalLoss - p) <= tol) {
                return Verdict.LOCAL;
            }
        }
        return Verdict.NOT_CONVERGED;
    }

    /**
     * The whole assessment of a finished run: the band (with the run's fluctuation from its eval curve),
     * the verdict, the gap with its 95 % interval, the convergence step, and the plateau / rate analysis.
     *
     * @param steps  eval steps, ascending
     * @param losses eval losses, same length
     * @param levels known suboptimal plateaus, named
     */
    public static Assessment assess(double finalEvalLoss, double evalStdErr, double optimum, double optimumStdErr,
                                    List<Convergence.Level> levels, int[] steps, double[] losses, double z,
                                    double gapFraction) {
        double[] plateaus = levels.stream().mapToDouble(Convergence.Level::value).toArray();
        Tolerance tol = band(z, evalStdErr, optimumStdErr, fluctuation(losses), optimum,
                nearestAbove(optimum, plateaus), gapFraction);
        Verdict v = classify(finalEvalLoss, tol.value(), optimum, plateaus);
        double gap = finalEvalLoss - optimum;
        double se = Math.sqrt(tol.evalStdErr() * tol.evalStdErr() + tol.optimumStdErr() * tol.optimumStdErr());
        Integer conv = convergenceStep(steps, losses, optimum, tol.value());
        Convergence.Analysis a = Convergence.analyze(steps, losses, optimum, levels, tol.value());
        return new Assessment(v, tol, gap, gap - Z95 * se, gap + Z95 * se, conv, a);
    }

    /**
     * sθ, the fluctuation of the eval loss about its trend at the end of training: from the second
     * differences d = x₍ᵢ₊₁₎ − 2xᵢ + x₍ᵢ₋₁₎ of the last quarter of the eval points (at least 5; all if
     * fewer), which cancel a linear trend and have standard deviation √6·σ for independent fluctuations of
     * size σ. The median of |d| is used (a late drop off a plateau is one outlier, not noise):
     * {@code sθ = median|d| / (0.6745 · √6)}. 0 with fewer than 3 finite points.
     */
    public static double fluctuation(double[] losses) {
        int n = losses.length;
        int window = Math.min(n, Math.max(5, (n + 3) / 4));
        double[] d = new double[Math.max(0, window - 2)];
        int m = 0;
        for (int i = n - window + 1; i < n - 1; i++) {
            double a = losses[i - 1];
            double b = losses[i];
            double c = losses[i + 1];
            if (Double.isFinite(a) && Double.isFinite(b) && Double.isFinite(c)) {
                d[m++] = Math.abs(c - 2 * b + a);
            }
        }
        if (m == 0) {
            return 0;
        }
        return CellStats.median(java.util.Arrays.copyOf(d, m)) / (0.674490 * Math.sqrt(6));
    }

    /**
     * Whether the optimum coincides with a known plateau (|plateau − optimum| &lt; {@link #UNINFORMATIVE_GAP}): then
     * reaching the optimum says nothing about escaping the plateau. NaN optimum: false.
     */
    public static boolean uninformative(double optimum, double[] plateaus) {
        if (!Double.isFinite(optimum)) {
            return false;
        }
        for (double p : plateaus) {
            if (Double.isFinite(p) && Math.abs(p - optimum) < UNINFORMATIVE_GAP) {
                return true;
            }
        }
        return false;
    }

    private static double nearestAbove(double optimum, double[] plateaus) {
        double nearest = Double.POSITIVE_INFINITY;
        for (double p : plateaus) {
            if (Double.isFinite(p) && p > optimum) {
                nearest = Math.min(nearest, p);
            }
        }
        return nearest;
    }

    private static double nonNegative(double x) {
        return Double.isFinite(x) ? Math.max(0, x) : 0;
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
