package dev.tdlab.analysis.verdict;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NociClaimsTest {

    static final Set<String> AXES = Set.of("model.depth", "model.residualScaling");

    /** Findings of one run: collapsed (rho 0.02) or not (0.8), a gradient ratio, an entropy ratio (null: absent). */
    static Map<String, Object> findings(boolean collapsed, Double qk, Double entropyRatio) {
        Map<String, Object> f = new HashMap<>();
        f.put("rankCollapseInit", collapsed ? 0.02 : 0.8);
        f.put("collapsed", collapsed);
        if (qk != null) f.put("qkOverVGradInit", qk);
        if (entropyRatio != null) f.put("attnEntropyRatioInitMin", entropyRatio);
        return f;
    }

    /** Depths 2 and 16 × the three scalings × {@code seeds} seeds; the deepest unscaled runs as given. */
    static List<Claims.Run> sweep(int seeds, boolean unscaledCollapses, boolean scaledCollapses, double qkUnscaled,
                                  Double entropyRatio) {
        List<Claims.Run> runs = new ArrayList<>();
        for (int depth : new int[] {2, 16}) {
            for (String sc : List.of("none", "inv-sqrt-depth", "beta-over-depth")) {
                for (int s = 0; s < seeds; s++) {
                    boolean deep = depth == 16;
                    boolean none = sc.equals("none");
                    boolean collapsed = deep && (none ? unscaledCollapses : scaledCollapses);
                    double qk = (deep && none ? qkUnscaled : 0.5) * (1 + 0.1 * s);
                    runs.add(new Claims.Run(Map.of("model.depth", depth, "model.residualScaling", sc), s, 0.6, 0.6,
                            findings(collapsed, qk, entropyRatio)));
                }
            }
        }
        return runs;
    }

    @Test
    void confirmedWithFiveSeedsPerGroupAndIntervalsInTheEvidence() {
        List<Claims.Claim> cs = Claims.judge("deep", Map.of(), AXES, sweep(5, true, false, 1e-3, 0.9));
        assertEquals(List.of("rank-collapse", "qk-gradients-vanish"), cs.stream().map(Claims.Claim::id).toList());
        cs.forEach(c -> assertEquals(Claims.Outcome.CONFIRMED, c.outcome(), c.id() + " " + c.evidence()));
        Map<String, Object> ev = cs.get(0).evidence();
        assertEquals(16, ev.get("depth"));
        @SuppressWarnings("unchecked")
        Map<String, Object> share = (Map<String, Object>) ev.get("collapsed none");
        assertEquals("5/5", share.get("count"));
        assertTrue(((List<?>) share.get("wilson95")).size() == 2);
        @SuppressWarnings("unchecked")
        Map<String, Object> rho = (Map<String, Object>) ev.get("rho at init none");
        assertEquals(0.02, rho.get("median"));
        assertTrue(cs.get(1).evidence().containsKey("log10 ratio, inv-sqrt-depth minus none"));
    }

    @Test
    void refutedWhenTheScaledStackCollapsesOrTheGradientsDoNotFallBehind() {
        assertEquals(Claims.Outcome.REFUTED,
                NociClaims.rankCollapse(Map.of(), sweep(5, true, true, 1e-3, 0.9)).outcome());
        assertEquals(Claims.Outcome.REFUTED,
                NociClaims.rankCollapse(Map.of(), sweep(5, false, false, 1e-3, 0.9)).outcome());
        // unscaled ratio 100 times the scaled one: the Q/K gradients are not the ones that vanish
        assertEquals(Claims.Outcome.REFUTED,
                NociClaims.qkGradients(Map.of(), sweep(5, true, false, 50, 0.9)).outcome());
    }

    @Test
    void inconclusiveOnMissingDataTooFewSeedsOrASaturatedSoftmax() {
        // fewer than five seeds per group
        Claims.Claim few = NociClaims.rankCollapse(Map.of(), sweep(4, true, false, 1e-3, 0.9));
        assertEquals(Claims.Outcome.INCONCLUSIVE, few.outcome());
        assertTrue(String.valueOf(few.evidence().get("reason")).contains("at least 5"), few.evidence().toString());
        // gradient data missing: never a pass
        List<Claims.Run> noGrad = new ArrayList<>(sweep(5, true, false, 1e-3, 0.9));
        noGrad.replaceAll(r -> new Claims.Run(r.cell(), r.seed(), 0.6, 0.6,
                findings(Boolean.TRUE.equals(r.findings().get("collapsed")), null, 0.9)));
        Claims.Claim g = NociClaims.qkGradients(Map.of(), noGrad);
        assertEquals(Claims.Outcome.INCONCLUSIVE, g.outcome(), g.evidence().toString());
        // entropy not measured, or the unscaled softmax saturated: collapse cannot be told from saturation
        Claims.Claim noEntropy = NociClaims.rankCollapse(Map.of(), sweep(5, true, false, 1e-3, null));
        assertEquals(Claims.Outcome.INCONCLUSIVE, noEntropy.outcome());
        Claims.Claim saturated = NociClaims.rankCollapse(Map.of(), sweep(5, true, false, 1e-3, 0.05));
        assertEquals(Claims.Outcome.INCONCLUSIVE, saturated.outcome());
        assertTrue(String.valueOf(saturated.evidence().get("reason")).contains("saturated"));
        assertEquals(Claims.Outcome.INCONCLUSIVE,
                NociClaims.qkGradients(Map.of(), sweep(5, true, false, 1e-3, 0.05)).outcome());
        // nothing at all
        assertEquals(Claims.Outcome.INCONCLUSIVE, NociClaims.rankCollapse(Map.of(), List.of()).outcome());
        assertEquals(Claims.Outcome.INCONCLUSIVE, NociClaims.qkGradients(Map.of(), List.of()).outcome());
    }

    @Test
    void mixedSeedsAreInconclusive() {
        List<Claims.Run> runs = new ArrayList<>(sweep(5, true, false, 1e-3, 0.9));
        // two of the five deepest unscaled runs do not collapse
        int[] flipped = {0};
        runs.replaceAll(r -> r.cell().get("model.depth").equals(16) && r.cell().get("model.residualScaling").equals("none")
                && flipped[0]++ < 2 ? new Claims.Run(r.cell(), r.seed(), 0.6, 0.6, findings(false, 1e-3, 0.9)) : r);
        Claims.Claim c = NociClaims.rankCollapse(Map.of(), runs);
        assertEquals(Claims.Outcome.INCONCLUSIVE, c.outcome(), c.evidence().toString());
        assertFalse(c.evidence().get("reason").toString().isEmpty());
    }

    @Test
    void deepFindingsStateOneRatioPerLayerTheEntropyAndTheLossCurve() {
        int[] st = {1, 50};
        Map<String, Findings.Series> m = new HashMap<>();
        m.put("rank_collapse/layer0", new Findings.Series(st, new double[] {0.5, 0.4}));
        m.put("rank_collapse/layer1", new Findings.Series(st, new double[] {0.01, 0.2}));
        m.put("grad_norm/layer0/q", new Findings.Series(st, new double[] {1, 1}));
        m.put("grad_norm/layer0/k", new Findings.Series(st, new double[] {3, 1}));
        m.put("grad_norm/layer0/v", new Findings.Series(st, new double[] {1, 1}));
        m.put("grad_norm/layer1/q", new Findings.Series(st, new double[] {0, 1}));
        m.put("grad_norm/layer1/k", new Findings.Series(st, new double[] {0, 1}));
        m.put("grad_norm/layer1/v", new Findings.Series(st, new double[] {0, 1}));  // 0/0: not finite, left out
        m.put("attn_entropy_ratio/layer0", new Findings.Series(st, new double[] {0.9, 0.5}));
        m.put("attn_entropy_ratio/layer1", new Findings.Series(st, new double[] {0.3, 0.5}));
        m.put("eval_loss", new Findings.Series(new int[] {10, 20}, new double[] {0.7, Double.NaN}));
        Map<String, Object> f = Findings.of("deep", 2, m, null, new Findings.Thresholds(0.1, 0.1));
        assertEquals(2.0, f.get("qkOverVGradInit"));
        assertEquals(java.util.Arrays.asList(2.0, null), f.get("qkOverVGradInitPerLayer"));
        assertEquals(List.of(0.5, 0.01), f.get("rankCollapseInitPerLayer"));
        assertEquals(0.3, f.get("attnEntropyRatioInitMin"));
        assertEquals(Map.of("steps", List.of(10, 20), "values", java.util.Arrays.asList(0.7, null)), f.get("evalLossCurve"));
        assertTrue(Findings.metricNames("deep", 2).containsAll(m.keySet()));
    }
}
