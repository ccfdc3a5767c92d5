package dev.tdlab.analysis.verdict;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleBinaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BordelonClaimsTest {

    static final int[] STEPS = {20, 40, 60, 80, 100};
    static final Set<String> AXES = Set.of("model.dModel", "model.parameterization", "train.lr");

    /** A run whose eval-loss curve is offset(width, seed) + 0.7·exp(−step/40), final loss its last point. */
    static Claims.Run curveRun(String p, int w, double lr, int seed, DoubleBinaryOperator offset) {
        List<Double> v = new ArrayList<>();
        for (int s : STEPS) v.add(0.55 + offset.applyAsDouble(w, seed) + 0.7 * Math.exp(-s / 40.0));
        return new Claims.Run(Map.of("model.parameterization", p, "model.dModel", w, "train.lr", lr), seed,
                v.get(v.size() - 1), null, Map.of("evalLossCurve",
                Map.of("steps", java.util.Arrays.stream(STEPS).boxed().toList(), "values", v)));
    }

    static List<Claims.Run> widthSweep(int seeds, DoubleBinaryOperator mupOffset) {
        List<Claims.Run> runs = new ArrayList<>();
        for (int w : new int[] {16, 32, 64, 128}) {
            for (int s = 0; s < seeds; s++) {
                runs.add(curveRun("mup", w, 0.01, s, mupOffset));
                runs.add(curveRun("standard", w, 0.01, s, (ww, ss) -> 0.1 * Math.sin(ww) + 0.001 * ss));
            }
        }
        return runs;
    }

    @Test
    void widthCollapseFitsTheExponentOfTheDistanceToTheWidestCurve() {
        // offset 1/w (seed noise 1e-4): the distance to the widest is 1/w − 1/128, whose log-log slope over 16..64 is
        // steeper than 1 (1.40): the exponent against the widest model overstates the rate near it
        Claims.Claim c = BordelonClaims.widthCollapse(Map.of(), "model.dModel",
                widthSweep(5, (w, s) -> 1.0 / w + 1e-4 * s));
        assertEquals(Claims.Outcome.CONFIRMED, c.outcome(), c.evidence().toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> e = (Map<String, Object>) c.evidence().get("mup lr=0.01");
        double g = (Double) e.get("exponent");
        assertEquals(1.40, g, 0.02);
        List<?> ci = (List<?>) e.get("exponent ci95");
        assertTrue((Double) ci.get(0) > 0 && (Double) ci.get(1) >= g);
    }

    @Test
    void headVarianceAtInitIsFittedAgainstWidthBesideTheClaim() {
        List<Claims.Run> runs = new ArrayList<>();
        for (Claims.Run r : widthSweep(5, (w, s) -> 1.0 / w)) {
            Map<String, Object> f = new java.util.HashMap<>(r.findings());
            double w = ((Integer) r.cell().get("model.dModel")).doubleValue();
            f.put("headVarianceInit", 0.3 / (w * w) * (1 + 0.01 * r.seed()));   // falls as w^-2
            runs.add(new Claims.Run(r.cell(), r.seed(), r.finalEvalLoss(), null, f));
        }
        Claims.Claim c = BordelonClaims.widthCollapse(Map.of(), "model.dModel", runs);
        @SuppressWarnings("unchecked")
        Map<String, Object> hv = (Map<String, Object>) c.evidence().get("head variance at init, mup");
        assertEquals(2.0, (Double) hv.get("exponent"), 1e-9);
        List<?> ci = (List<?>) hv.get("exponent ci95");
        assertTrue((Double) ci.get(0) > 1.9 && (Double) ci.get(1) < 2.1, ci::toString);
        assertEquals(Claims.Outcome.CONFIRMED, c.outcome()); // a finding beside the claim: the outcome is the curves'
    }

    @Test
    void widthCollapseRefutedWhenCurvesMoveAwayAsWidthGrows() {
        // the narrowest width sits on the widest curve, the middle ones far from it: the distance grows with width
        Claims.Claim c = BordelonClaims.widthCollapse(Map.of(), "model.dModel",
                widthSweep(5, (w, s) -> (w == 16 || w == 128 ? 0 : w / 100.0) + 1e-4 * s));
        assertEquals(Claims.Outcome.REFUTED, c.outcome(), c.evidence().toString());
    }

    @Test
    void widthCollapseInconclusiveOnFewSeedsMissingCurvesOrTwoWidths() {
        assertEquals(Claims.Outcome.INCONCLUSIVE, BordelonClaims.widthCollapse(Map.of(), "model.dModel",
                widthSweep(4, (w, s) -> 1.0 / w)).outcome());
        List<Claims.Run> noCurves = new ArrayList<>(widthSweep(5, (w, s) -> 1.0 / w));
        noCurves.replaceAll(r -> new Claims.Run(r.cell(), r.seed(), r.finalEvalLoss(), null, Map.of()));
        Claims.Claim c = BordelonClaims.widthCollapse(Map.of(), "model.dModel", noCurves);
        assertEquals(Claims.Outcome.INCONCLUSIVE, c.outcome());
        assertTrue(c.evidence().get("reason").toString().contains("no loss curves"), c.evidence().toString());
        List<Claims.Run> two = widthSweep(5, (w, s) -> 1.0 / w).stream()
                .filter(r -> (Integer) r.cell().get("model.dModel") >= 64).toList();
        assertEquals(Claims.Outcome.INCONCLUSIVE, BordelonClaims.widthCollapse(Map.of(), "model.dModel", two).outcome());
    }

    /** Final losses (5 seeds) per width and lr: {@code best[w index]} is the best lr index at that width. */
    static List<Claims.Run> lrSweep(int seeds, int[] best, double[] lrs) {
        List<Claims.Run> runs = new ArrayList<>();
        int[] widths = {16, 32, 64};
        for (int wi = 0; wi < widths.length; wi++) {
            for (int li = 0; li < lrs.length; li++) {
                for (int s = 0; s < seeds; s++) {
                    double loss = 0.6 + 0.05 * Math.abs(li - best[wi]) + 0.001 * s;
                    runs.add(new Claims.Run(Map.of("model.parameterization", "mup", "model.dModel", widths[wi],
                            "train.lr", lrs[li]), s, loss, null, Map.of()));
                }
            }
        }
        return runs;
    }

    static final double[] GRID = {0.003, 0.01, 0.03, 0.1, 0.3};

    @Test
    void lrTransferConfirmedOnlyWithTheSameInteriorOptimum() {
        Claims.Claim c = BordelonClaims.lrTransfer(Map.of(), "model.dModel", lrSweep(5, new int[] {2, 2, 2}, GRID));
        assertEquals(Claims.Outcome.CONFIRMED, c.outcome(), c.evidence().toString());
        assertEquals(Claims.Outcome.REFUTED,
                BordelonClaims.lrTransfer(Map.of(), "model.dModel", lrSweep(5, new int[] {1, 2, 3}, GRID)).outcome());
        Claims.Claim oneStep = BordelonClaims.lrTransfer(Map.of(), "model.dModel", lrSweep(5, new int[] {2, 2, 3}, GRID));
        assertEquals(Claims.Outcome.INCONCLUSIVE, oneStep.outcome());
    }

    @Test
    void lrTransferInconclusiveOnAGridEdgeAtAnyWidthOrTooFewSeeds() {
        // the same best lr at every width, but it is the grid's largest: the optimum may lie beyond it
        Claims.Claim edge = BordelonClaims.lrTransfer(Map.of(), "model.dModel", lrSweep(5, new int[] {4, 4, 4}, GRID));
        assertEquals(Claims.Outcome.INCONCLUSIVE, edge.outcome());
        assertTrue(edge.evidence().get("reason").toString().contains("edge"), edge.evidence().toString());
        // an edge at one width only, the smallest value
        assertEquals(Claims.Outcome.INCONCLUSIVE,
                BordelonClaims.lrTransfer(Map.of(), "model.dModel", lrSweep(5, new int[] {2, 0, 2}, GRID)).outcome());
        Claims.Claim few = BordelonClaims.lrTransfer(Map.of(), "model.dModel", lrSweep(4, new int[] {2, 2, 2}, GRID));
        assertEquals(Claims.Outcome.INCONCLUSIVE, few.outcome());
        assertTrue(few.evidence().get("reason").toString().contains("at least 5"));
        assertEquals(Claims.Outcome.INCONCLUSIVE, BordelonClaims.lrTransfer(Map.of(), "model.dModel", List.of()).outcome());
    }

    @Test
    void judgeDispatchesOnTheSweptWidthAxis() {
        List<Claims.Claim> cs = Claims.judge("deep", Map.of(), AXES, lrSweep(5, new int[] {2, 2, 2}, GRID));
        assertEquals(List.of("width-collapse", "lr-transfer"), cs.stream().map(Claims.Claim::id).toList());
        List<Claims.Claim> byHeads = Claims.judge("deep", Map.of(), Set.of("model.heads", "model.parameterization"), List.of());
        assertEquals(List.of("width-collapse"), byHeads.stream().map(Claims.Claim::id).toList());
        assertEquals("model.heads", byHeads.get(0).evidence().get("width axis"));
        assertTrue(Claims.judge("deep", Map.of(), Set.of("model.dModel"), List.of()).isEmpty());
    }
}
