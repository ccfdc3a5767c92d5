package dev.tdlab.analysis.verdict;

import dev.tdlab.core.metrics.ChangePoints;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's family-specific findings, read off its stored metric series: pure functions. They are what the templates'
 * claims are judged on (see {@link Claims}), next to the GLOBAL/LOCAL verdict that every run gets.
 *
 * <ul>
 *   <li><b>deep</b> (Noci et al.; Bordelon et al.): see {@link DeepFindings} for the definitions:
 *       {@code rankCollapseInit} / {@code rankCollapseFinal} (ρ = ‖X − 1x̄ᵀ‖_F / ‖X‖_F of the last layer's tokens, 0 =
 *       rank one) and per layer; {@code collapsed}; {@code qkOverVGradInit} (median over layers of
 *       (‖∇W_Q‖ + ‖∇W_K‖) / (2‖∇W_V‖) at init) and per layer; the attention entropy at init; the eval-loss curve.</li>
 *   <li><b>two-layer-classifier</b> (Li et al., Song et al.): {@code finalTrainError}, {@code finalEvalError},
 *       {@code initialTrainLoss}, {@code finalTrainLoss}; {@code trainConverged}: the train loss ends at or under
 *       {@code convergedFraction} × its initial value; {@code trainConvergenceStep}: the first step after which it
 *       stays there; {@code generalizationGap}: final eval error − Bayes error; {@code stages}: the segments of a
 *       piecewise-linear fit of ln(train loss) (BIC-chosen count, at most four: Li et al.'s stages) and, on noisy
 *       patches, {@code probeStages}: the same fit of the attention of noise queries on the signal patch.</li>
 * </ul>
 */
public final class Findings {

    /** One stored series: steps ascending, values (NaN kept). */
    public record Series(int[] steps, double[] values) {
        public Series {
            if (steps.length != values.length) {
                throw new IllegalArgumentException("steps and values differ in length");
            }
        }

        boolean isEmpty() {
            return steps.length == 0;
        }

        double first() {
            return values[0];
        }

        double last() {
            return values[values.length - 1];
        }
    }

    /** The thresholds that define the findings. */
    public record Thresholds(double collapseThreshold, double convergedFraction) {
    }

    private Findings() {
    }

    /** The metric names whose series {@link #of} reads for a model family with {@code depth} layers. */
    public static List<String> metricNames(String family, int depth) {
        List<String> out = new ArrayList<>();
        if ("deep".equals(family)) {
            out.addAll(DeepFindings.metricNames(depth));
        } else if ("two-layer-classifier".equals(family)) {
            out.addAll(List.of("train_loss", "train_error", "eval_error", STAGE_PROBE));
            LiStages.QUANTITIES.stream().filter(q -> !out.contains(q)).forEach(out::add);
            out.addAll(SongClaims.SV_METRICS);
        }
        return out;
    }

    /** The findings of one run of {@code family}; empty for families without any. */
    public static Map<String, Object> of(String family, int depth, Map<String, Series> series, Double bayesError,
                                         Thresholds t) {
        Map<String, Object> out = new LinkedHashMap<>();
        if ("deep".equals(family)) {
            out.putAll(DeepFindings.of(depth, series, t));
        } else if ("two-layer-classifier".equals(family)) {
            Series loss = series.get("train_loss");
            Series err = series.get("train_error");
            Series eval = series.get("eval_error");
            if (err != null && !err.isEmpty()) {
                out.put("finalTrainError", err.last());
            }
            if (eval != null && !eval.isEmpty()) {
                out.put("finalEvalError", eval.last());
                if (bayesError != null) {
                    out.put("generalizationGap", eval.last() - bayesError);
                }
            }
            if (loss != null && !loss.isEmpty()) {
                double target = t.convergedFraction() * loss.first();
                out.put("initialTrainLoss", loss.first());
                out.put("finalTrainLoss", loss.last());
                Integer step = staysAtOrBelow(loss, target);
                out.put("trainConverged", step != null);
                out.put("trainConvergenceStep", step);
                out.put("stages", stages(loss, true));
                out.put("trainLossStalled", SongClaims.stalled(loss));
            }
            out.putAll(SongClaims.initConditions(series));
            Map<String, Object> liStages = LiStages.of(series);
            if (!liStages.isEmpty()) {
                out.put("liStages", liStages);
                out.put("stageTrajectories", LiStages.trajectories(series));
            }
            Series probe = series.get(STAGE_PROBE);
            if (probe != null && probe.steps().length >= 2 * MIN_STAGE_POINTS) {
                out.put("probeStages", stages(probe, false));
            }
        }
        return out;
    }

    /** Li et al.'s stage-IV marker (attention of noise queries on the signal patch), present on noisy-patch data. */
    static final String STAGE_PROBE = "probe/attn_signal_from_noise";
    /** At most Li et al.'s four stages; a stage spans at least this many stored points. */
    static final int MAX_STAGES = 4, MIN_STAGE_POINTS = 3;

    /**
     * The stages of a curve: a piecewise-linear fit (of ln value when {@code log}) with the number of segments chosen
     * by BIC ({@code ChangePoints} of dynamics-theory), as [{fromStep, toStep, slope}] in step order. Non-finite points
     * are left out; fewer than two stages' worth of points give one stage.
     */
    static List<Map<String, Object>> stages(Series s, boolean log) {
        int n = 0;
        double[] x = new double[s.steps().length], y = new double[s.steps().length];
        for (int i = 0; i < x.length; i++) {
            double v = s.values()[i];
            if (Double.isFinite(v) && (!log || v > 0)) {
                x[n] = s.steps()[i];
                y[n++] = log ? Math.log(v) : v;
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        if (n == 0) {
            return out;
        }
        x = java.util.Arrays.copyOf(x, n);
        y = java.util.Arrays.copyOf(y, n);
        if (n < 2 * MIN_STAGE_POINTS) { // too short to cut: one stage, its chord
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("fromStep", (int) x[0]);
            m.put("toStep", (int) x[n - 1]);
            m.put("slope", n < 2 ? 0.0 : (y[n - 1] - y[0]) / (x[n - 1] - x[0]));
            out.add(m);
            return out;
        }
        int minLength = Math.max(MIN_STAGE_POINTS, n / 20);
        int k = Math.max(1, Math.min(MAX_STAGES, n / minLength));
        ChangePoints.Result r = ChangePoints.fit(x, y, k, minLength);
        for (ChangePoints.Segment seg : r.segments()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("fromStep", (int) x[seg.from()]);
            m.put("toStep", (int) x[seg.to() - 1]);
            m.put("slope", seg.slope());
            out.add(m);
        }
        return out;
    }

    /** The first step from which every later value is ≤ target (NaN counts as above); null if the last is above. */
    static Integer staysAtOrBelow(Series s, double target) {
        Integer from = null;
        for (int i = s.values().length - 1; i >= 0; i--) {
            if (s.values()[i] <= target) {
                from = s.steps()[i];
            } else {
                break;
            }
        }
        return from;
    }
}
