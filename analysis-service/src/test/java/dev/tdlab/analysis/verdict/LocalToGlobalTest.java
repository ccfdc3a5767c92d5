package dev.tdlab.analysis.verdict;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Makkuva et al.'s claims judged from verdicts per (p, q) cell, with Wilson intervals over the seeds. */
class LocalToGlobalTest {

    static final Set<String> AXES = Set.of("data.p", "data.q", "model.init.scheme");

    /** {@code n} seeds of one cell, {@code hits} of them with {@code verdict}, the others with {@code other}. */
    static void cell(List<Claims.Run> out, double p, double q, String init, int n, int hits, String verdict, String other) {
        for (int s = 0; s < n; s++) {
            out.add(new Claims.Run(Map.of("data.p", p, "data.q", q, "model.init.scheme", init), s, 0.6, 0.6, Map.of(),
                    s < hits ? verdict : other, Math.abs(p + q - 1) < 1e-12));
        }
    }

    static Claims.Claim judge(List<Claims.Run> runs, String id) {
        return Claims.judge("makkuva-minimal", Map.of(), AXES, runs).stream().filter(c -> c.id().equals(id))
                .findFirst().orElseThrow();
    }

    static List<Claims.Run> paperLike(int seeds, int baseGlobalBelow, int baseLocalAbove, int goodGlobalAbove) {
        List<Claims.Run> runs = new ArrayList<>();
        for (double[] pq : new double[][] {{0.2, 0.3}, {0.3, 0.4}, {0.1, 0.2}}) {
            cell(runs, pq[0], pq[1], "base", seeds, baseGlobalBelow, "GLOBAL", "NOT_CONVERGED");
            cell(runs, pq[0], pq[1], "good", seeds, seeds, "GLOBAL", "LOCAL");
        }
        for (double[] pq : new double[][] {{0.5, 0.8}, {0.6, 0.6}, {0.8, 0.9}}) {
            cell(runs, pq[0], pq[1], "base", seeds, baseLocalAbove, "LOCAL", "GLOBAL");
            cell(runs, pq[0], pq[1], "good", seeds, goodGlobalAbove, "GLOBAL", "LOCAL");
        }
        cell(runs, 0.5, 0.5, "base", seeds, seeds, "UNRESOLVED", "GLOBAL"); // p + q = 1: left out
        return runs;
    }

    @Test
    void confirmedWhenEveryIntervalSitsOnThePapersSide() {
        List<Claims.Run> runs = paperLike(8, 8, 8, 8);
        Claims.Claim split = judge(runs, "local-to-global");
        assertEquals(Claims.Outcome.CONFIRMED, split.outcome(), split.evidence().toString());
        assertEquals(List.of("p=0.5,q=0.5"), split.evidence().get("uninformativeCells"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cells = (List<Map<String, Object>>) split.evidence().get("cells");
        assertEquals(6, cells.size());
        // 8/8: Wilson 95 % low end 0.676
        assertEquals(0.6756, (Double) cells.get(0).get("low"), 1e-3);
        assertEquals(Claims.Outcome.CONFIRMED, judge(runs, "init-guideline").outcome());
    }

    @Test
    void refutedWhenAnIntervalExcludesThePapersOutcome() {
        // base escapes the plateau above the line: 1/8 LOCAL, Wilson high end 0.47 < 1/2
        Claims.Claim split = judge(paperLike(8, 8, 1, 8), "local-to-global");
        assertEquals(Claims.Outcome.REFUTED, split.outcome(), split.evidence().toString());
        // the guideline init stalls where base does
        Claims.Claim init = judge(paperLike(8, 8, 8, 0), "init-guideline");
        assertEquals(Claims.Outcome.REFUTED, init.outcome(), init.evidence().toString());
    }

    @Test
    void inconclusiveWhenIntervalsStraddleOrSeedsAreMissing() {
        // 5/8 GLOBAL below the line: [0.31, 0.86] straddles 1/2
        Claims.Claim straddle = judge(paperLike(8, 5, 8, 8), "local-to-global");
        assertEquals(Claims.Outcome.INCONCLUSIVE, straddle.outcome(), straddle.evidence().toString());
        // 6 seeds, all on the paper's side: too few to judge
        Claims.Claim few = judge(paperLike(6, 6, 6, 6), "local-to-global");
        assertEquals(Claims.Outcome.INCONCLUSIVE, few.outcome());
        assertTrue(String.valueOf(few.evidence().get("why")).contains("fewer than 8"));
        assertEquals(Claims.Outcome.INCONCLUSIVE, judge(List.of(), "local-to-global").outcome());
        // runs that converged nowhere say nothing about the basin: 8/8 NOT_CONVERGED above the line is not a refutation
        Claims.Claim unconverged = judge(paperLike(8, 8, 0, 8).stream().map(r -> "LOCAL".equals(r.verdict())
                || ((Double) r.cell().get("data.p") + (Double) r.cell().get("data.q") > 1 && "base".equals(r.cell()
                .get("model.init.scheme")) && "GLOBAL".equals(r.verdict()))
                ? new Claims.Run(r.cell(), r.seed(), 0.7, 0.7, Map.of(), "NOT_CONVERGED", false) : r).toList(),
                "local-to-global");
        assertEquals(Claims.Outcome.INCONCLUSIVE, unconverged.outcome(), unconverged.evidence().toString());
        // only one side of the line
        List<Claims.Run> below = new ArrayList<>();
        cell(below, 0.2, 0.3, "base", 8, 8, "GLOBAL", "GLOBAL");
        assertEquals(Claims.Outcome.INCONCLUSIVE, judge(below, "local-to-global").outcome());
        // the guideline claim needs a cell where base is LOCAL
        assertEquals(Claims.Outcome.INCONCLUSIVE, judge(paperLike(8, 8, 0, 8), "init-guideline").outcome());
    }

    @Test
    void theClaimsApplyOnlyToAPQSweepOfTheMakkuvaFamilies() {
        assertTrue(Claims.judge("deep", Map.of(), AXES, List.of()).stream().noneMatch(c -> c.paper().startsWith("Makkuva")));
        assertTrue(Claims.judge("makkuva-minimal", Map.of(), Set.of("data.p"), List.of()).isEmpty());
    }
}
