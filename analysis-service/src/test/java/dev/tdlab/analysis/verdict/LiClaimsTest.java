package dev.tdlab.analysis.verdict;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiClaimsTest {

    static final Map<String, Object> FULL = Map.of("train.fullBatch", true);
    /** Full batch in the paper's regime: over-parameterized (d ≥ 2n) with sparse noise. */
    static final Map<String, Object> PAPER_REGIME = Map.of("train.fullBatch", true, "data.dim", 256,
            "data.trainSequences", 128, "data.sparsity", 64);

    /** Stage-quantity series of a SignGD-like run; {@code shift} moves every curve, {@code order} false swaps II, IV. */
    static Map<String, Findings.Series> probes(double shift, boolean order) {
        return probes(shift, order, false);
    }

    /** {@code gd}: query/key signs never align and the signal signs never move (GD-like). */
    static Map<String, Findings.Series> probes(double shift, boolean order, boolean gd) {
        int n = 41;
        int[] st = new int[n];
        double[] vn = new double[n], vs = new double[n], qn = new double[n], qs = new double[n], an = new double[n],
                as = new double[n];
        for (int i = 0; i < n; i++) {
            st[i] = i * 5;
            vn[i] = 0.01 * i + 0.3 * (1 - Math.exp(-i / 2.0)) + shift; // fast, then linear from i = 5 on
            vs[i] = 0.001 * i;
            int alignAt = order ? 9 : 35;
            qn[i] = gd ? 0.5 : i < alignAt ? 0.5 + 0.01 * i : 0.95;
            qs[i] = gd || i < 20 ? 0.5 : 0.25;
            an[i] = 0.5 * Math.exp(-0.1 * Math.max(0, i - 15)) + shift * 0.01;
            as[i] = 0.5;
        }
        Map<String, Findings.Series> m = new HashMap<>();
        m.put(LiStages.VALUE_NOISE, new Findings.Series(st, vn));
        m.put(LiStages.VALUE_SIGNAL, new Findings.Series(st, vs));
        m.put(LiStages.QK_NOISE, new Findings.Series(st, qn));
        m.put(LiStages.QK_SIGNAL, new Findings.Series(st, qs));
        m.put(LiStages.ATTN_NOISE, new Findings.Series(st, an));
        m.put(LiStages.ATTN_SIGNAL, new Findings.Series(st, as));
        return m;
    }

    static Claims.Run run(String opt, long seed, double trainError, double gap, boolean stalled,
                          Map<String, Findings.Series> probes, Map<String, Object> cell) {
        Map<String, Object> c = new HashMap<>(cell);
        c.put("train.optimizer", opt);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("finalTrainError", trainError);
        f.put("generalizationGap", gap);
        f.put("trainConverged", trainError == 0);
        f.put("trainLossStalled", stalled);
        if (probes != null) {
            f.put("liStages", LiStages.of(probes));
            f.put("stageTrajectories", LiStages.trajectories(probes));
        }
        return new Claims.Run(c, seed, 0.5, 0.01, f);
    }

    static List<Claims.Run> arms(int seeds, Map<String, Object> cell, double gdGap, double adamShift, boolean order) {
        List<Claims.Run> runs = new ArrayList<>();
        for (long s = 0; s < seeds; s++) {
            runs.add(run("signgd", s, 0, 0.35 + 0.01 * s, false, probes(0, order), cell));
            runs.add(run("adam", s, 0, 0.33 + 0.01 * s, false, probes(adamShift, order), cell));
            runs.add(run("gd", s, 0, gdGap + 0.001 * s, false, probes(1.0, order, true), cell));
        }
        return runs;
    }

    static Claims.Claim byId(List<Claims.Claim> cs, String id) {
        return cs.stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void theStagesAreFoundOnTheirQuantitiesInOrder() {
        Map<String, Object> st = LiStages.of(probes(0, true));
        assertEquals(30, LiStages.endStep(st, "I"));      // rates within 2x of the late rate 0.002 from i = 5: ends at 6
        assertEquals(45, LiStages.endStep(st, "II"));     // agreement ≥ 0.5 + 0.9·0.45 = 0.905 first at i = 9
        assertEquals(100, LiStages.endStep(st, "III"));   // the signal signs settle at i = 20
        assertEquals(195, LiStages.endStep(st, "IV"));    // attention from noise ≤ 0.05: 15 + 24 = i = 39
        assertEquals(true, LiStages.ordered(st));
        Map<String, Object> late = LiStages.of(probes(0, false));
        assertEquals(175, LiStages.endStep(late, "II")); // after III: out of order
        assertEquals(false, LiStages.ordered(late));
    }

    @Test
    void linearGrowthFromTheStartEndsStageOneAtTheFirstStoredStep() {
        int[] st = {1, 4, 8, 12, 16, 20};
        assertEquals(4, LiStages.linearFrom(new Findings.Series(st, new double[] {0, 0.1, 0.2, 0.3, 0.4, 0.5})));
        assertEquals(null, LiStages.linearFrom(new Findings.Series(st, new double[] {0, 0.1, 0.1, 0.1, 0.1, 0.1})));
    }

    @Test
    void confirmedOnFullBatchRunsWithAGdArmThatGeneralizes() {
        List<Claims.Claim> cs = LiClaims.judge(FULL, arms(5, Map.of(), 0.0, 0.0, true));
        cs.forEach(c -> assertEquals(Claims.Outcome.CONFIRMED, c.outcome(), c.id() + " " + c.evidence()));
        assertNotNull(byId(cs, "signgd-four-stages").evidence().get("stage IV"));
    }

    @Test
    void miniBatchTrainErrorAndMissingArmsAreInconclusive() {
        List<Claims.Claim> cs = LiClaims.judge(Map.of(), arms(5, Map.of(), 0.0, 0.0, true).stream()
                .filter(r -> !"gd".equals(r.cell().get("train.optimizer"))).toList());
        Claims.Claim fit = byId(cs, "signgd-fit-not-generalize");
        assertEquals(Claims.Outcome.INCONCLUSIVE, fit.outcome());
        assertTrue(String.valueOf(fit.evidence().get("reason")).contains("mini-batches"));
        assertEquals(Claims.Outcome.INCONCLUSIVE, byId(cs, "signgd-not-data-noise").outcome());
        List<Claims.Claim> few = LiClaims.judge(FULL, arms(3, Map.of(), 0.0, 0.0, true));
        few.forEach(c -> assertEquals(Claims.Outcome.INCONCLUSIVE, c.outcome(), c.id() + " " + c.evidence()));
    }

    @Test
    void refutedWhenGdGeneralizesAsPoorlyStagesAreOutOfOrderOrAdamDrifts() {
        List<Claims.Claim> cs = LiClaims.judge(PAPER_REGIME, arms(5, Map.of(), 0.35, 3.0, false));
        assertEquals(Claims.Outcome.REFUTED, byId(cs, "signgd-not-data-noise").outcome());
        assertEquals(Claims.Outcome.REFUTED, byId(cs, "signgd-four-stages").outcome());
        // the same runs outside the paper's regime (d = n, dense noise) cannot refute the stages
        assertEquals(Claims.Outcome.INCONCLUSIVE,
                byId(LiClaims.judge(FULL, arms(5, Map.of(), 0.35, 3.0, false)), "signgd-four-stages").outcome());
        assertEquals(Claims.Outcome.REFUTED, byId(cs, "adam-like-signgd").outcome());
        List<Claims.Run> generalizes = new ArrayList<>();
        for (long s = 0; s < 5; s++) {
            generalizes.add(run("signgd", s, 0, 0.01, false, null, Map.of()));
            generalizes.add(run("adam", s, 0, 0.01, false, null, Map.of()));
        }
        assertEquals(Claims.Outcome.REFUTED, byId(LiClaims.judge(FULL, generalizes), "signgd-fit-not-generalize").outcome());
    }

    @Test
    void aRunThatHasNotFitWhileItsLossStillFallsIsABudgetArtifact() {
        List<Claims.Run> runs = new ArrayList<>();
        for (long s = 0; s < 5; s++) {
            runs.add(run("signgd", s, 0.2, 0.3, false, null, Map.of()));
            runs.add(run("adam", s, 0, 0.3, false, null, Map.of()));
        }
        assertEquals(Claims.Outcome.INCONCLUSIVE, byId(LiClaims.judge(FULL, runs), "signgd-fit-not-generalize").outcome());
        runs.replaceAll(r -> "signgd".equals(r.cell().get("train.optimizer"))
                ? run("signgd", r.seed(), 0.2, 0.3, true, null, Map.of()) : r);
        assertEquals(Claims.Outcome.REFUTED, byId(LiClaims.judge(FULL, runs), "signgd-fit-not-generalize").outcome());
    }

    @Test
    void withTheRateSweptSignGdAndAdamAreAtTheBaseRateAndGdAtItsBest() {
        List<Claims.Run> runs = new ArrayList<>();
        for (long s = 0; s < 5; s++) {
            for (double lr : new double[] {0.003, 0.1}) {
                Map<String, Object> cell = Map.of("train.lr", lr);
                runs.add(run("signgd", s, lr == 0.003 ? 0 : 0.4, 0.35, false, null, cell));
                runs.add(run("adam", s, lr == 0.003 ? 0 : 0.4, 0.35, false, null, cell));
                // gd: the slow rate has not fit (loss 0.5), the fast one fits and generalizes
                Map<String, Object> f = new LinkedHashMap<>(Map.of("finalTrainError", lr == 0.1 ? 0.0 : 0.2,
                        "generalizationGap", lr == 0.1 ? 0.01 : 0.3, "trainLossStalled", false));
                Map<String, Object> c = new HashMap<>(cell);
                c.put("train.optimizer", "gd");
                runs.add(new Claims.Run(c, s, 0.5, lr == 0.1 ? 0.01 : 0.5, f));
            }
        }
        Map<String, Object> base = Map.of("train.fullBatch", true, "train.lr", 0.003);
        assertEquals(5, LiClaims.arm(base, runs, "signgd").size());
        assertEquals(0.1, LiClaims.arm(base, runs, "gd").get(0).cell().get("train.lr"));
        List<Claims.Claim> cs = LiClaims.judge(base, runs);
        assertEquals(Claims.Outcome.CONFIRMED, byId(cs, "signgd-fit-not-generalize").outcome());
        assertEquals(Claims.Outcome.CONFIRMED, byId(cs, "signgd-not-data-noise").outcome(),
                byId(cs, "signgd-not-data-noise").evidence().toString());
    }
}
