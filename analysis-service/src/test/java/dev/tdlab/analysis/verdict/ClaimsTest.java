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

    @Test
    void rankCollapseIsConfirmedOnlyWhenUnscaledCollapsesAndScaledDoesNot() {
        List<Claims.Run> runs = new ArrayList<>();
        for (int depth : new int[] {2, 16}) {
            for (String sc : List.of("none", "inv-sqrt-depth", "beta-over-depth")) {
                boolean collapsed = depth == 16 && sc.equals("none");
                runs.add(run(Map.of("model.depth", depth, "model.residualScaling", sc), 0.6,
                        Map.of("collapsed", collapsed, "rankCollapseInit", collapsed ? 0.01 : 0.9,
                                "qkOverVGradInit", collapsed ? 1e-3 : 0.5)));
            }
        }
        Claims.Claim c = Claims.judge("deep", Map.of(), Set.of("model.depth", "model.residualScaling"), runs).get(0);
        assertEquals(Claims.Outcome.CONFIRMED, c.outcome(), c.evidence().toString());
        assertEquals(16, c.evidence().get("depth"));
        // the same sweep where the scaled stack collapses too refutes the claim
        List<Claims.Run> bad = new ArrayList<>(runs);
        bad.replaceAll(r -> r.cell().get("model.depth").equals(16)
                ? run(r.cell(), 0.6, Map.of("collapsed", true, "rankCollapseInit", 0.01, "qkOverVGradInit", 1e-3)) : r);
        assertEquals(Claims.Outcome.REFUTED, Claims.rankCollapse(Map.of(), bad).outcome());
        assertEquals(Claims.Outcome.INCONCLUSIVE, Claims.rankCollapse(Map.of(), List.of()).outcome());
    }

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
        cs.forEach(c -> assertEquals(Claims.Outcome.CONFIRMED, c.outcome(), c.id() + " " + c.evidence()));
    }

    @Test
    void widthCollapseAndLearningRateTransfer() {
        List<Claims.Run> runs = new ArrayList<>();
        for (String p : List.of("standard", "mup")) {
            for (int w : new int[] {16, 64}) {
                for (double lr : new double[] {0.01, 0.1}) {
                    // mup: same losses at every width, best lr 0.01; standard: width changes loss and best lr
                    double loss = p.equals("mup") ? (lr == 0.01 ? 0.55 : 0.6)
                            : (w == 16 ? (lr == 0.01 ? 0.55 : 0.7) : (lr == 0.01 ? 0.8 : 0.6));
                    runs.add(run(Map.of("model.parameterization", p, "model.dModel", w, "train.lr", lr), loss, Map.of()));
                }
            }
        }
        List<Claims.Claim> cs = Claims.judge("deep", Map.of(), Set.of("model.dModel", "model.parameterization", "train.lr"), runs);
        assertEquals(List.of("width-collapse", "lr-transfer"), cs.stream().map(Claims.Claim::id).toList());
        cs.forEach(c -> assertEquals(Claims.Outcome.CONFIRMED, c.outcome(), c.id() + " " + c.evidence()));
    }

    @Test
    void signGdClaimNeedsZeroTrainErrorAndAGeneralizationGap() {
        List<Claims.Run> runs = List.of(
                run(Map.of("train.optimizer", "signgd"), 0.9, Map.of("finalTrainError", 0.0, "generalizationGap", 0.3)),
                run(Map.of("train.optimizer", "adam"), 0.9, Map.of("finalTrainError", 0.0, "generalizationGap", 0.25)));
        assertEquals(Claims.Outcome.CONFIRMED, Claims.signGd(Map.of(), runs).outcome());
        List<Claims.Run> generalizes = List.of(
                run(Map.of("train.optimizer", "signgd"), 0.1, Map.of("finalTrainError", 0.0, "generalizationGap", 0.01)));
        assertEquals(Claims.Outcome.REFUTED, Claims.signGd(Map.of(), generalizes).outcome());
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
