package dev.tdlab.analysis.verdict;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SongClaimsTest {

    static final Map<String, Object> MATCHED = Map.of("train.steps", 400, "data.family", "noisy-patch",
            "data.matchNorms", true, "data.dim", 64, "data.patches", 4, "data.trainSequences", 16);

    /** One finished run: converged at {@code step}, or (step null) not, stalled or not. */
    static Claims.Run run(String kernel, String subset, long seed, Integer step, boolean stalled, Map<String, Object> extra) {
        Map<String, Object> cell = new HashMap<>(Map.of("model.attention", kernel, "train.trainable", List.of(subset)));
        cell.putAll(extra);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("trainConverged", step != null);
        f.put("trainConvergenceStep", step);
        f.put("trainLossStalled", step == null && stalled);
        return new Claims.Run(cell, seed, 0.3, step != null ? 0.01 : 0.4, f);
    }

    static List<Claims.Run> sweep(int seeds, Map<String, Integer> stepOf, Map<String, Boolean> stalledOf,
                                  Map<String, Object> extra) {
        List<Claims.Run> runs = new ArrayList<>();
        for (String k : List.of("softmax", "gaussian")) {
            for (String sub : List.of("all", "v", "q")) {
                for (long s = 0; s < seeds; s++) {
                    String key = k + " " + sub;
                    Integer step = stepOf.containsKey(key) ? stepOf.get(key) : Integer.valueOf(20);
                    runs.add(run(k, sub, s, step == null ? null : step + (int) s, stalledOf.getOrDefault(key, false), extra));
                }
            }
        }
        return runs;
    }

    static Claims.Claim byId(List<Claims.Claim> cs, String id) {
        return cs.stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void confirmedWhenEveryGroupConvergesAndGaussianIsFasterOnMatchedNorms() {
        Map<String, Integer> steps = new HashMap<>(Map.of("gaussian all", 10, "softmax all", 30));
        List<Claims.Claim> cs = SongClaims.judge(MATCHED, sweep(5, steps, Map.of(), Map.of("model.loss", "squared")));
        cs.forEach(c -> assertEquals(Claims.Outcome.CONFIRMED, c.outcome(), c.id() + " " + c.evidence()));
        assertTrue(byId(cs, "kernels-gaussian-faster").evidence().containsKey("median step difference gaussian − softmax, ci95"));
    }

    @Test
    void qOnlyWithTheLogisticLossIsInconclusiveByConstruction() {
        Map<String, Integer> steps = new HashMap<>();
        steps.put("gaussian q", null);
        steps.put("softmax q", null);
        Claims.Claim q = byId(SongClaims.judge(MATCHED, sweep(5, steps, Map.of("gaussian q", true, "softmax q", true),
                Map.of())), "kernels-q-only");
        assertEquals(Claims.Outcome.INCONCLUSIVE, q.outcome());
        assertTrue(String.valueOf(q.evidence().get("reason")).contains("bounded"), q.evidence().toString());
    }

    @Test
    void qOnlyWithTheSquaredLossIsConfirmedOrReportedButNeverRefuted() {
        Map<String, Integer> steps = new HashMap<>();
        steps.put("gaussian q", null);
        Map<String, Boolean> stalled = Map.of("gaussian q", true);
        Claims.Claim in = byId(SongClaims.judge(MATCHED, sweep(5, steps, stalled, Map.of("model.loss", "squared"))),
                "kernels-q-only");
        assertEquals(Claims.Outcome.INCONCLUSIVE, in.outcome(), in.evidence().toString()); // init conditions unverified
        assertTrue(String.valueOf(in.evidence().get("reason")).contains("initial conditions"));
        assertTrue(String.valueOf(in.evidence().get("value-path bound")).contains("floor"), in.evidence().toString());
        Claims.Claim ok = byId(SongClaims.judge(MATCHED, sweep(5, Map.of(), Map.of(), Map.of("model.loss", "squared"))),
                "kernels-q-only");
        assertEquals(Claims.Outcome.CONFIRMED, ok.outcome(), ok.evidence().toString());
        assertFalse(ok.evidence().containsKey("value-path bound"), ok.evidence().toString());
        Map<String, Object> small = new HashMap<>(MATCHED);
        small.put("data.dim", 16); // D = 16 < n·P = 64
        Claims.Claim out = byId(SongClaims.judge(small, sweep(5, steps, stalled, Map.of("model.loss", "squared"))),
                "kernels-q-only");
        assertEquals(Claims.Outcome.INCONCLUSIVE, out.outcome(), out.evidence().toString());
    }

    @Test
    void aRunThatHadNotConvergedWithinTheBudgetIsABudgetArtifactNotARefutation() {
        Map<String, Integer> steps = new HashMap<>();
        steps.put("softmax v", null);
        // still falling: inconclusive
        Claims.Claim falling = byId(SongClaims.judge(MATCHED, sweep(5, steps, Map.of(), Map.of())), "kernels-all-and-v");
        assertEquals(Claims.Outcome.INCONCLUSIVE, falling.outcome(), falling.evidence().toString());
        // stalled and the budget (400) ≥ 3 × the observed convergence step (~22): refuted
        Claims.Claim stalled = byId(SongClaims.judge(MATCHED, sweep(5, steps, Map.of("softmax v", true), Map.of())),
                "kernels-all-and-v");
        assertEquals(Claims.Outcome.REFUTED, stalled.outcome(), stalled.evidence().toString());
        // stalled but a budget of 40 steps is under 3 × 22: inconclusive
        Map<String, Object> shortBudget = new HashMap<>(MATCHED);
        shortBudget.put("train.steps", 40);
        Claims.Claim tooShort = byId(SongClaims.judge(shortBudget, sweep(5, steps, Map.of("softmax v", true), Map.of())),
                "kernels-all-and-v");
        assertEquals(Claims.Outcome.INCONCLUSIVE, tooShort.outcome(), tooShort.evidence().toString());
    }

    @Test
    void fewerThanFiveSeedsIsInconclusive() {
        List<Claims.Claim> cs = SongClaims.judge(MATCHED, sweep(2, Map.of("gaussian all", 10, "softmax all", 30), Map.of(),
                Map.of("model.loss", "squared")));
        cs.forEach(c -> assertEquals(Claims.Outcome.INCONCLUSIVE, c.outcome(), c.id() + " " + c.evidence()));
    }

    @Test
    void gaussianFasterNeedsMatchedNormsAndIsRefutedWhenSoftmaxIsAsFast() {
        Map<String, Object> unmatched = new HashMap<>(MATCHED);
        unmatched.put("data.matchNorms", false);
        Claims.Claim artifact = byId(SongClaims.judge(unmatched, sweep(5, Map.of("gaussian all", 10, "softmax all", 30),
                Map.of(), Map.of())), "kernels-gaussian-faster");
        assertEquals(Claims.Outcome.INCONCLUSIVE, artifact.outcome());
        assertTrue(String.valueOf(artifact.evidence().get("reason")).contains("norm"));
        Claims.Claim slower = byId(SongClaims.judge(MATCHED, sweep(5, Map.of("gaussian all", 30, "softmax all", 10),
                Map.of(), Map.of())), "kernels-gaussian-faster");
        assertEquals(Claims.Outcome.REFUTED, slower.outcome(), slower.evidence().toString());
        Claims.Claim overlap = byId(SongClaims.judge(MATCHED, sweep(5, Map.of("gaussian all", 20, "softmax all", 21),
                Map.of(), Map.of())), "kernels-gaussian-faster");
        assertEquals(Claims.Outcome.INCONCLUSIVE, overlap.outcome(), overlap.evidence().toString());
    }

    @Test
    void aCensoredGaussianRunForbidsConfirming() {
        Map<String, Integer> steps = new HashMap<>(Map.of("softmax all", 300));
        steps.put("gaussian all", null);
        Claims.Claim c = byId(SongClaims.judge(MATCHED, sweep(5, steps, Map.of(), Map.of())), "kernels-gaussian-faster");
        assertFalse(c.outcome() == Claims.Outcome.CONFIRMED, c.evidence().toString());
    }

    @Test
    void aLossIsStalledWhenItsLastQuarterBarelyFalls() {
        int[] st = new int[40];
        double[] flat = new double[40], falling = new double[40];
        for (int i = 0; i < 40; i++) {
            st[i] = i * 10;
            flat[i] = i < 20 ? 0.7 - 0.01 * i : 0.5;
            falling[i] = 1.0 / (1 + i);
        }
        assertEquals(true, SongClaims.stalled(new Findings.Series(st, flat)));
        assertEquals(false, SongClaims.stalled(new Findings.Series(st, falling)));
    }

    @Test
    void theInitialScaleRatioIsReadAtTheFirstStep() {
        int[] st = {1, 50};
        Map<String, Findings.Series> m = new HashMap<>();
        double[][] v = {{4, 9}, {5, 9}, {1, 9}, {2, 9}, {3, 9}, {4, 9}}; // wq min/max, wk min/max, wv min/max
        for (int i = 0; i < 6; i++) {
            m.put(SongClaims.SV_METRICS.get(i), new Findings.Series(st, v[i]));
        }
        Map<String, Object> f = SongClaims.initConditions(m);
        assertEquals(Math.sqrt(4 * 1) / 4, (Double) f.get("qkOverVSingularRatioInit"), 1e-12);
        assertTrue(Findings.metricNames("two-layer-classifier", 1).containsAll(SongClaims.SV_METRICS));
        m.remove("sv/wv_max");
        assertTrue(SongClaims.initConditions(m).isEmpty());
    }
}
