package dev.tdlab.analysis.verdict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Li et al.'s four stages (arXiv 2410.04870), found on the parameter-level quantities the paper defines them by, as the
 * trainer's {@code probe/*} metrics report them (dynamics-engine SignalProbe): pure functions. Each stage ends at the
 * first stored step where its marker has happened (our operational reading of the paper's description):
 *
 * <ul>
 *   <li>I, mean value noise grows fast, then linearly (key noise still near init): {@code probe/value_noise} grows at
 *       its linear rate from here on: the first stored step from which every later rate of growth is within a factor
 *       2 of the median rate over the run's second half;</li>
 *   <li>II, query and key noise align in sign: {@code probe/qk_noise_sign_agreement} has made 90 % of its way from ½
 *       to its final value (needs a final value ≥ 0.6);</li>
 *   <li>III, the query/key signal signs are settled by a majority vote over the noise:
 *       {@code probe/qk_signal_sign_agreement} is at its final value and stays there;</li>
 *   <li>IV, the attention of noise queries on the signal key decays: {@code probe/attn_signal_from_noise} is at or
 *       under 10 % of its initial value (the signal query's {@code attn_signal_from_signal} is reported beside).</li>
 * </ul>
 * A stage whose marker never happens is absent from the result.
 */
public final class LiStages {

    static final String VALUE_NOISE = "probe/value_noise";
    static final String VALUE_SIGNAL = "probe/value_signal";
    static final String QK_NOISE = "probe/qk_noise_sign_agreement";
    static final String QK_SIGNAL = "probe/qk_signal_sign_agreement";
    static final String ATTN_NOISE = "probe/attn_signal_from_noise";
    static final String ATTN_SIGNAL = "probe/attn_signal_from_signal";
    /** The stage quantities, as stored; their trajectories go into the findings. */
    public static final List<String> QUANTITIES = List.of(VALUE_NOISE, VALUE_SIGNAL, QK_NOISE, QK_SIGNAL, ATTN_NOISE,
            ATTN_SIGNAL);
    /** The paper's description of each stage, next to the step it ended at. */
    static final Map<String, String> PAPER = Map.of(
            "I", "mean value noise grows fast and then linearly; key noise stays near its initialization",
            "II", "query noise and key noise align in sign",
            "III", "the signs of the query and key signals are decided by a majority vote over the noise",
            "IV", "noise queries stop attending to the signal patch (s_21 decays exponentially, s_11 stays near 1/2); "
                    + "the loss converges by noise memorization");
    static final int MAX_POINTS = 60;

    private LiStages() {
    }

    /** {stage: {endStep, paper}} for the stages whose marker happened; empty without the probes. */
    public static Map<String, Object> of(Map<String, Findings.Series> series) {
        Map<String, Object> out = new LinkedHashMap<>();
        Findings.Series vn = series.get(VALUE_NOISE), qn = series.get(QK_NOISE), qs = series.get(QK_SIGNAL);
        Findings.Series an = series.get(ATTN_NOISE);
        if (vn != null) {
            put(out, "I", linearFrom(vn));
        }
        if (qn != null && qn.steps().length >= 2 && qn.last() >= 0.6) {
            put(out, "II", firstAtLeast(qn, 0.5 + 0.9 * (qn.last() - 0.5)));
        }
        if (qs != null && qs.steps().length >= 2) {
            put(out, "III", settledFrom(qs));
        }
        if (an != null && an.steps().length >= 2 && an.first() > 0) {
            put(out, "IV", firstAtMost(an, 0.1 * an.first()));
        }
        return out;
    }

    /** Whether stages I..IV all happened and in the paper's order (ties allowed: the stored grid is coarse). */
    static Boolean ordered(Map<String, Object> stages) {
        Integer prev = null;
        for (String s : List.of("I", "II", "III", "IV")) {
            Integer t = endStep(stages, s);
            if (t == null) {
                return null;
            }
            if (prev != null && t < prev) {
                return false;
            }
            prev = t;
        }
        return true;
    }

    static Integer endStep(Map<String, Object> stages, String stage) {
        return stages.get(stage) instanceof Map<?, ?> m && m.get("endStep") instanceof Number n ? n.intValue() : null;
    }

    /** The stage quantities' curves, at most {@link #MAX_POINTS} points each: {quantity: {steps, values}}. */
    public static Map<String, Object> trajectories(Map<String, Findings.Series> series) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String q : QUANTITIES) {
            Findings.Series s = series.get(q);
            if (s == null || s.isEmpty()) {
                continue;
            }
            int n = s.steps().length, stride = Math.max(1, (int) Math.ceil(n / (double) MAX_POINTS));
            List<Integer> st = new ArrayList<>();
            List<Double> v = new ArrayList<>();
            for (int i = 0; i < n; i += stride) {
                st.add(s.steps()[i]);
                v.add(s.values()[i]);
            }
            if (st.get(st.size() - 1) != s.steps()[n - 1]) {
                st.add(s.steps()[n - 1]);
                v.add(s.last());
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("steps", st);
            m.put("values", v);
            out.put(q, m);
        }
        return out;
    }

    private static void put(Map<String, Object> out, String stage, Integer step) {
        if (step != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("endStep", step);
            m.put("paper", PAPER.get(stage));
            out.put(stage, m);
        }
    }

    /**
     * The step from which the curve grows linearly: with r_i the rate between stored points i and i+1 and m the median
     * rate over the second half, the end of the first interval from which every later r_i is in [m/2, 2m]; null when
     * m ≤ 0 or the last rate is out of that band, or with fewer than four points.
     */
    static Integer linearFrom(Findings.Series s) {
        int n = s.steps().length;
        if (n < 4) {
            return null;
        }
        double[] r = new double[n - 1];
        for (int i = 0; i < n - 1; i++) {
            r[i] = (s.values()[i + 1] - s.values()[i]) / (s.steps()[i + 1] - s.steps()[i]);
        }
        double m = CellStats.median(java.util.Arrays.copyOfRange(r, (n - 1) / 2, n - 1));
        if (!(m > 0)) {
            return null;
        }
        int from = n - 1;
        for (int i = n - 2; i >= 0; i--) {
            if (r[i] >= m / 2 && r[i] <= 2 * m) {
                from = i;
            } else {
                break;
            }
        }
        return from == n - 1 ? null : s.steps()[from + 1];
    }

    private static Integer firstAtLeast(Findings.Series s, double target) {
        for (int i = 0; i < s.steps().length; i++) {
            if (s.values()[i] >= target) {
                return s.steps()[i];
            }
        }
        return null;
    }

    private static Integer firstAtMost(Findings.Series s, double target) {
        for (int i = 0; i < s.steps().length; i++) {
            if (s.values()[i] <= target) {
                return s.steps()[i];
            }
        }
        return null;
    }

    /** The first step from which the value equals the final one to the end. */
    private static Integer settledFrom(Findings.Series s) {
        double last = s.last();
        Integer from = null;
        for (int i = s.values().length - 1; i >= 0; i--) {
            if (Math.abs(s.values()[i] - last) <= 1e-9) {
                from = s.steps()[i];
            } else {
                break;
            }
        }
        return from;
    }
}
