package dev.tdlab.analysis.verdict;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClaimsTest {

    static final Findings.Thresholds T = new Findings.Thresholds(0.1, 0.1);

    static Findings.Series s(int[] steps, double... v) {
        return new Findings.Series(steps, v);
    }

    @Test
    void deepFindingsReadTheLastLayerAtInitAndTheMedianGradientRatio() {
        int[] st = {1, 50};
        Map<String, Findings.Series> m = Map.of(
                "rank_collapse/layer1", s(st, 0.01, 0.2),
                "grad_norm/layer0/q", s(st, 1e-4, 1), "grad_norm/layer0/k", s(st, 3e-4, 1), "grad_norm/layer0/v", s(st, 1, 1),
                "grad_norm/layer1/q", s(st, 1e-2, 1), "grad_norm/layer1/k", s(st, 1e-2, 1), "grad_norm/layer1/v", s(st, 1, 1));
        Map<String, Object> f = Findings.of("deep", 2, m, null, T);
        assertEquals(0.01, f.get("rankCollapseInit"));
        assertEquals(0.2, f.get("rankCollapseFinal"));
        assertEquals(true, f.get("collapsed"));
        assertEquals((2e-4 + 1e-2) / 2, (Double) f.get("qkOverVGradInit"), 1e-12); // median of two layers
        assertTrue(Findings.metricNames("deep", 2).containsAll(m.keySet()));
    }

    @Test
    void classifierConvergenceIsTheFirstStepFromWhichTheLossStaysLow() {
        int[] st = {0, 10, 20, 30, 40};
        Map<String, Findings.Series> m = Map.of(
                "train_loss", s(st, 0.7, 0.05, 0.2, 0.06, 0.01),
                "train_error", s(st, 0.5, 0.1, 0.1, 0.0, 0.0),
                "eval_error", s(st, 0.5, 0.4, 0.4, 0.35, 0.3));
        Map<String, Object> f = Findings.of("two-layer-classifier", 1, m, 0.05, T);
        assertEquals(30, f.get("trainConvergenceStep")); // 0.05 at step 10 does not last
        assertEquals(true, f.get("trainConverged"));
        assertEquals(0.3 - 0.05, (Double) f.get("generalizationGap"), 1e-12);
        Map<String, Object> never = Findings.of("two-layer-classifier", 1,
                Map.of("train_loss", s(new int[] {0, 10}, 0.7, 0.6)), null, T);
        assertEquals(false, never.get("trainConverged"));
        assertNull(never.get("trainConvergenceStep"));
        assertTrue(Findings.of("single-layer", 1, m, null, T).isEmpty());
    }

    static Claims.Run run(Map<String, Object> cell, Double loss, Map<String, Object> findings) {
        return new Claims.Run(cell, 0, loss, null, findings);
    }

    // rank collapse (Noci et al.): NociClaimsTest

    @Test
    void kernelClaimsCompareConvergenceByKernelAndSubset() {
        List<Claims.Run> runs = new ArrayList<>();
        for (String k : List.of("softmax", "gaussian")) {
            for (String sub : List.of("all", "v", "q")) {
                boolean conv = !(k.equals("softmax") && sub.equals("q"));
                int step = k.equals("gaussian") ? 100 : 200;
                runs.add(new Claims.Run(Map.of("model.attention", k, "train.trainable", List.of(sub)), 0, 0.3,
                        conv ? 0.01 : 0.5, conv ? Map.of("trainConverged", true, "trainConvergenceStep", step)
                        : Map.of("trainConverged", false)));
            }
        }
        List<Claims.Claim> cs = Claims.judge("two-layer-classifier", Map.of(),
                Set.of("model.attention", "train.trainable"), runs);
        assertEquals(3, cs.size());
        // one seed per group: SongClaims needs five (its own tests cover every outcome)
        cs.forEach(c -> assertEquals(Claims.Outcome.INCONCLUSIVE, c.outcome(), c.id() + " " + c.evidence()));
    }

    // width collapse and learning-rate transfer (Bordelon et al.): BordelonClaimsTest

    @Test
    void signGdClaimNeedsZeroTrainErrorAndAGeneralizationGap() {
        List<Claims.Run> runs = List.of(
                run(Map.of("train.optimizer", "signgd"), 0.9, Map.of("finalTrainError", 0.0, "generalizationGap", 0.3)),
                run(Map.of("train.optimizer", "adam"), 0.9, Map.of("finalTrainError", 0.0, "generalizationGap", 0.25)));
        // LiClaims judges them (its own tests cover every outcome): one seed per arm is not enough
        List<Claims.Claim> cs = Claims.judge("two-layer-classifier", Map.of(), Set.of("train.optimizer"), runs);
        assertEquals(List.of("signgd-fit-not-generalize", "signgd-not-data-noise", "signgd-four-stages", "adam-like-signgd"),
                cs.stream().map(Claims.Claim::id).toList());
        cs.forEach(c -> assertEquals(Claims.Outcome.INCONCLUSIVE, c.outcome(), c.id() + " " + c.evidence()));
    }

    @Test
    void stagesOfAPiecewiseExponentialLossAreFoundAtTheirSteps() {
        // ln loss: flat until step 30, falling at -0.05/step until 70, flat after: three stages
        int n = 100;
        int[] st = new int[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            st[i] = i;
            double ln = i < 30 ? 0 : i < 70 ? -0.05 * (i - 30) : -2.0;
            v[i] = Math.exp(ln);
        }
        List<Map<String, Object>> stages = Findings.stages(new Findings.Series(st, v), true);
        assertEquals(3, stages.size(), stages.toString());
        assertEquals(30, (int) stages.get(1).get("fromStep"), 2.0);
        assertEquals(70, (int) stages.get(2).get("fromStep"), 2.0);
        assertEquals(-0.05, (Double) stages.get(1).get("slope"), 1e-3);
    }
}
