package dev.tdlab.analysis.verdict;

import java.util.ArrayList;
import java.util.List;

/**
 * How a run approached its optimum, as pure functions of its eval-loss curve: the plateaus it sat on (at
 * a known suboptimal level such as the unigram entropy or a lower-order predictor's loss, or anywhere the
 * curve is flat), the steps spent near those saddles, and the rate of the final approach, fitted both as
 * an exponential and as a power law.
 *
 * <p>Every threshold is the verdict's tolerance {@code tol} (see {@link Verdicts#band}): a point is
 * <em>at a level</em> when it is within {@code tol} of it, <em>flat</em> when the loss moves less than
 * {@code tol} over the three eval points centred on it, and <em>at the optimum</em> (converged, not a
 * saddle) when it is at most {@code optimum + tol}.
 */
public final class Convergence {

    /** Fewest consecutive eval points that make a plateau (two intervals between evals). */
    public static final int MIN_PLATEAU_POINTS = 3;
    /** Fewest points a rate fit is made from (two parameters, so at least one degree of freedom left). */
    public static final int MIN_FIT_POINTS = 3;

    static final String FLAT = "flat";

    private Convergence() {
    }

    /** A known suboptimal loss level, e.g. {@code unigram} = the unigram entropy. */
    public record Level(String name, double value) {
    }

    /**
     * A maximal run of consecutive eval points on one plateau.
     *
     * @param fromStep   first eval step on it
     * @param toStep     last eval step on it
     * @param points     eval points on it
     * @param meanLoss   mean eval loss over it
     * @param level      the known level it sits at ({@code unigram}, {@code order-1} …) or {@code flat}
     * @param levelValue that level's loss; null for {@code flat}
     */
    public record Plateau(int fromStep, int toStep, int points, double meanLoss, String level, Double levelValue) {
        /** Steps spent on it: {@code toStep − fromStep}. */
        public int steps() {
            return toStep - fromStep;
        }
    }

    /**
     * A least-squares fit of log(gap) on the tail, gap = loss − optimum.
     *
     * @param model     {@code exponential}: log gap = a − rate·t (gap halves every ln2/rate steps);
     *                  {@code power}: log gap = a − rate·log t (gap ∝ t^−rate)
     * @param rate      the decay rate (per step for exponential; the exponent for power)
     * @param intercept a
     * @param r2        coefficient of determination of log gap (1 = perfect; both models explain the same
     *                  values with two parameters, so the higher R² is the better model)
     * @param rmse      root mean square residual of log gap
     * @param points    points fitted
     * @param fromStep  first step fitted
     * @param toStep    last step fitted
     */
    public record Fit(String model, double rate, double intercept, double r2, double rmse, int points, int fromStep,
                      int toStep) {
    }

    /** Both fits on the same points, and the name of the better one (higher R²; exponential on a tie). */
    public record RateFits(Fit exponential, Fit powerLaw, String better) {
        public Fit best() {
            return "power".equals(better) ? powerLaw : exponential;
        }
    }

    /**
     * Plateaus, total steps on them (time near saddles), and the rate fits of the tail after the last
     * plateau (null when fewer than {@link #MIN_FIT_POINTS} tail points are above the noise band).
     */
    public record Analysis(List<Plateau> plateaus, int stepsNearSaddle, RateFits rate) {
    }

    /** Plateaus, time near saddles and the rate of approach, all with the band {@code tol}. */
    public static Analysis analyze(int[] steps, double[] losses, double optimum, List<Level> levels, double tol) {
        List<Plateau> plateaus = plateaus(steps, losses, optimum, levels, tol, MIN_PLATEAU_POINTS);
        int near = 0;
        for (Plateau p : plateaus) {
            near += p.steps();
        }
        int from = plateaus.isEmpty() ? Integer.MIN_VALUE : plateaus.get(plateaus.size() - 1).toStep();
        return new Analysis(plateaus, near, fitRate(steps, losses, optimum, tol, from));
    }

    /**
     * Maximal intervals of at least {@code minPoints} consecutive eval points that sit within {@code band}
     * of one known level, or are flat (the loss moves less than {@code band} across the point and its two
     * neighbours) above the optimum band. Points at the optimum ({@code ≤ optimum + band}) are convergence,
     * never a plateau; non-finite points break intervals. An interval is cut where one known level gives way
     * to another; flat points next to a level's points belong to that level's interval, and an interval
     * with no point at a known level is labelled {@code flat}. {@code steps} ascending, same length as
     * {@code losses}.
     */
    public static List<Plateau> plateaus(int[] steps, double[] losses, double optimum, List<Level> levels, double band,
                                         int minPoints) {
        int n = steps.length;
        String[] label = new String[n];
        for (int i = 0; i < n; i++) {
            double x = losses[i];
            if (!Double.isFinite(x) || x <= optimum + band) {
                continue;
            }
            Level nearest = null;
            for (Level l : levels) {
                if (Double.isFinite(l.value()) && l.value() > optimum && Math.abs(x - l.value()) <= band
                        && (nearest == null || Math.abs(x - l.value()) < Math.abs(x - nearest.value()))) {
                    nearest = l;
                }
            }
            if (nearest != null) {
                label[i] = nearest.name();
            } else if (flat(losses, i, band)) {
                label[i] = FLAT;
            }
        }
        List<Plateau> out = new ArrayList<>();
        int i = 0;
        while (i < n) {
            if (label[i] == null) {
                i++;
                continue;
            }
            // a piece: consecutive flagged points, cut where one known level gives way to another; flat
            // points inside it belong to the level they sit next to
            int j = i;
            String level = null;
            double sum = 0;
            while (j < n && label[j] != null) {
                boolean known = !FLAT.equals(label[j]);
                if (known && level != null && !level.equals(label[j])) {
                    break;
                }
                if (known) {
                    level = label[j];
                }
                sum += losses[j];
                j++;
            }
            int count = j - i;
            if (count >= minPoints) {
                Double value = null;
                for (Level l : levels) {
                    if (l.name().equals(level)) {
                        value = l.value();
                    }
                }
                out.add(new Plateau(steps[i], steps[j - 1], count, sum / count, level == null ? FLAT : level, value));
            }
            i = j;
        }
        return out;
    }

    /** The loss moves less than {@code band} over points i−1, i, i+1 (the ends use the two points there are). */
    static boolean flat(double[] losses, int i, double band) {
        int a = Math.max(0, i - 1);
        int b = Math.min(losses.length - 1, i + 1);
        if (b - a < 1) {
            return false;
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int k = a; k <= b; k++) {
            if (!Double.isFinite(losses[k])) {
                return false;
            }
            lo = Math.min(lo, losses[k]);
            hi = Math.max(hi, losses[k]);
        }
        return hi - lo < band;
    }

    /**
     * Fits gap(t) = loss(t) − optimum on the points with {@code step ≥ fromStep}, {@code step > 0} and
     * {@code gap > noise} (below the noise band the gap's logarithm measures the eval set's sampling error,
     * not the approach), as an exponential (log gap linear in t) and as a power law (log gap linear in
     * log t), by ordinary least squares on log gap. Null when fewer than {@link #MIN_FIT_POINTS} points
     * qualify or the steps do not vary.
     */
    public static RateFits fitRate(int[] steps, double[] losses, double optimum, double noise, int fromStep) {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < steps.length; i++) {
            double gap = losses[i] - optimum;
            if (steps[i] >= fromStep && steps[i] > 0 && Double.isFinite(gap) && gap > Math.max(0, noise)) {
                pts.add(new double[]{steps[i], Math.log(gap)});
            }
        }
        if (pts.size() < MIN_FIT_POINTS) {
            return null;
        }
        int n = pts.size();
        double[] t = new double[n];
        double[] logT = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = pts.get(i)[0];
            logT[i] = Math.log(t[i]);
            y[i] = pts.get(i)[1];
        }
        int from = (int) t[0];
        int to = (int) t[n - 1];
        Fit exp = line("exponential", t, y, from, to);
        Fit pow = line("power", logT, y, from, to);
        if (exp == null || pow == null) {
            return null;
        }
        return new RateFits(exp, pow, pow.r2() > exp.r2() ? "power" : "exponential");
    }

    /** Least squares y = a + b·x, reported as rate = −b; null if x does not vary. */
    static Fit line(String model, double[] x, double[] y, int from, int to) {
        int n = x.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxx = 0;
        double sxy = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
            syy += (y[i] - my) * (y[i] - my);
        }
        if (sxx <= 0) {
            return null;
        }
        double b = sxy / sxx;
        double a = my - b * mx;
        double rss = 0;
        for (int i = 0; i < n; i++) {
            double r = y[i] - (a + b * x[i]);
            rss += r * r;
        }
        double r2 = syy > 0 ? 1 - rss / syy : (rss == 0 ? 1 : 0);
        return new Fit(model, -b, a, r2, Math.sqrt(rss / n), n, from, to);
    }
}
