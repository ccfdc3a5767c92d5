package dev.tdlab.analysis.verdict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Makkuva et al. 2024's claims, judged per (p, q) cell from the runs' verdicts: pure functions.
 *
 * <ul>
 *   <li><b>local-to-global split</b>: under the {@code base} init, p + q &lt; 1 ends GLOBAL and p + q &gt; 1 ends LOCAL
 *       (the bad local minimum at the unigram loss).</li>
 *   <li><b>init guideline</b>: where base ends LOCAL (p + q &gt; 1), the guideline inits ({@code good}, {@code lowrank},
 *       {@code lowrank-global})
 *       end GLOBAL.</li>
 * </ul>
 *
 * <p>Per cell and init: the fraction of its runs with the expected verdict and its Wilson 95 % interval. A run that
 * ended neither GLOBAL nor LOCAL (UNRESOLVED, NOT_CONVERGED, DIVERGED) says nothing about the basin, so it may count
 * either way: the interval runs from the Wilson low end with those runs counted against the paper to the Wilson high
 * end with them counted for it. A cell <em>agrees</em> with the paper when that interval lies above 1/2 (the expected
 * outcome is the typical one), and <em>contradicts</em> it when it lies below 1/2. The claim is CONFIRMED when every judged cell agrees (with
 * cells on both sides of p + q = 1 for the split), REFUTED when a cell contradicts it, INCONCLUSIVE otherwise, and
 * INCONCLUSIVE whenever a judged cell has fewer than {@value #MIN_SEEDS} runs. Uninformative cells (optimum = plateau:
 * p + q = 1) are listed and left out.
 */
final class LocalToGlobal {

    static final int MIN_SEEDS = 8;
    static final double MAJORITY = 0.5;
    static final String PAPER = "Makkuva et al. 2024";
    static final List<String> GUIDELINE_INITS = List.of("good", "lowrank", "lowrank-global");

    private LocalToGlobal() {
    }

    /** One cell's tally for one expected verdict. */
    record Tally(double p, double q, String init, int expected, int undecided, int runs, Map<String, Integer> verdicts) {
        /** Wilson low end with the undecided runs against the paper, high end with them for it. */
        CellStats.Interval wilson() {
            return new CellStats.Interval(CellStats.wilson(expected, runs, Verdicts.Z95).low(),
                    CellStats.wilson(expected + undecided, runs, Verdicts.Z95).high());
        }

        boolean agrees() {
            return runs > 0 && wilson().low() > MAJORITY;
        }

        boolean contradicts() {
            return runs > 0 && wilson().high() < MAJORITY;
        }

        Map<String, Object> evidence(String expectedVerdict) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("p", p);
            m.put("q", q);
            m.put("init", init);
            m.put("expected", expectedVerdict);
            m.put("fraction", runs == 0 ? null : (double) expected / runs);
            m.put("low", runs == 0 ? null : wilson().low());
            m.put("high", runs == 0 ? null : wilson().high());
            m.put("runs", runs);
            m.put("undecided", undecided);
            m.put("verdicts", verdicts);
            m.put("agrees", agrees());
            m.put("contradicts", contradicts());
            return m;
        }
    }

    static Claims.Claim split(Map<String, Object> base, List<Claims.Run> runs) {
        String statement = "under the base init, p + q < 1 reaches the global minimum (entropy rate) and p + q > 1 "
                + "stalls at the bad local minimum (unigram entropy)";
        Map<String, Object> ev = new LinkedHashMap<>();
        List<Map<String, Object>> cells = new ArrayList<>();
        List<String> uninformative = new ArrayList<>();
        boolean below = false, above = false, allAgree = true, anyContradicts = false, tooFew = false;
        for (Map.Entry<String, List<Claims.Run>> e : byCell(base, runs, "base", uninformative).entrySet()) {
            List<Claims.Run> g = e.getValue();
            double p = number(Claims.value(g.get(0), base, "data.p")), q = number(Claims.value(g.get(0), base, "data.q"));
            String expected = p + q < 1 ? "GLOBAL" : "LOCAL";
            Tally t = tally(p, q, "base", g, expected);
            cells.add(t.evidence(expected));
            tooFew |= t.runs() < MIN_SEEDS;
            below |= p + q < 1;
            above |= p + q > 1;
            allAgree &= t.agrees();
            anyContradicts |= t.contradicts();
        }
        ev.put("cells", cells);
        ev.put("uninformativeCells", uninformative);
        ev.put("minSeeds", MIN_SEEDS);
        Claims.Outcome o;
        if (cells.isEmpty() || tooFew) {
            o = Claims.Outcome.INCONCLUSIVE;
            ev.put("why", cells.isEmpty() ? "no informative base-init cell finished" : "a cell has fewer than "
                    + MIN_SEEDS + " finished runs");
        } else if (anyContradicts) {
            o = Claims.Outcome.REFUTED;
        } else if (allAgree && below && above) {
            o = Claims.Outcome.CONFIRMED;
        } else {
            o = Claims.Outcome.INCONCLUSIVE;
            ev.put("why", !(below && above) ? "cells on only one side of p + q = 1"
                    : "some intervals straddle 1/2: more seeds, or runs that end GLOBAL or LOCAL, needed");
        }
        return new Claims.Claim("local-to-global", PAPER, statement, o, ev);
    }

    static Claims.Claim initGuideline(Map<String, Object> base, List<Claims.Run> runs) {
        String statement = "where the base init ends LOCAL (p + q > 1), the guideline inits (good, lowrank) reach GLOBAL";
        Map<String, Object> ev = new LinkedHashMap<>();
        List<Map<String, Object>> cells = new ArrayList<>();
        List<String> uninformative = new ArrayList<>();
        boolean allAgree = true, anyContradicts = false, tooFew = false, anyBaseLocal = false;
        Map<String, List<Claims.Run>> baseCells = byCell(base, runs, "base", uninformative);
        for (String init : GUIDELINE_INITS) {
            for (Map.Entry<String, List<Claims.Run>> e : byCell(base, runs, init, new ArrayList<>()).entrySet()) {
                List<Claims.Run> g = e.getValue();
                double p = number(Claims.value(g.get(0), base, "data.p"));
                double q = number(Claims.value(g.get(0), base, "data.q"));
                if (p + q <= 1) {
                    continue;
                }
                List<Claims.Run> b = baseCells.getOrDefault(e.getKey(), List.of());
                Tally baseLocal = tally(p, q, "base", b, "LOCAL");
                if (!baseLocal.agrees()) {
                    Map<String, Object> skipped = baseLocal.evidence("LOCAL");
                    skipped.put("skipped", "base is not established LOCAL here");
                    cells.add(skipped);
                    tooFew |= baseLocal.runs() < MIN_SEEDS;
                    continue;
                }
                anyBaseLocal = true;
                Tally t = tally(p, q, init, g, "GLOBAL");
                cells.add(t.evidence("GLOBAL"));
                tooFew |= t.runs() < MIN_SEEDS;
                allAgree &= t.agrees();
                anyContradicts |= t.contradicts();
            }
        }
        ev.put("cells", cells);
        ev.put("uninformativeCells", uninformative);
        ev.put("minSeeds", MIN_SEEDS);
        Claims.Outcome o;
        if (tooFew) {
            o = Claims.Outcome.INCONCLUSIVE;
            ev.put("why", "a cell has fewer than " + MIN_SEEDS + " finished runs");
        } else if (!anyBaseLocal) {
            o = Claims.Outcome.INCONCLUSIVE;
            ev.put("why", "no p + q > 1 cell where base is established LOCAL and a guideline init ran");
        } else if (anyContradicts) {
            o = Claims.Outcome.REFUTED;
        } else if (allAgree) {
            o = Claims.Outcome.CONFIRMED;
        } else {
            o = Claims.Outcome.INCONCLUSIVE;
            ev.put("why", "some intervals straddle 1/2: more seeds needed");
        }
        return new Claims.Claim("init-guideline", PAPER, statement, o, ev);
    }

    /** Informative runs of one init, by (p, q); the uninformative cells' names go to {@code uninformative}. */
    static Map<String, List<Claims.Run>> byCell(Map<String, Object> base, List<Claims.Run> runs, String init,
                                                List<String> uninformative) {
        Map<String, List<Claims.Run>> out = new TreeMap<>();
        for (Claims.Run r : runs) {
            Object scheme = Claims.value(r, base, "model.init.scheme");
            if (!init.equals(scheme == null ? "base" : String.valueOf(scheme)) || r.verdict() == null) {
                continue;
            }
            Double p = number(Claims.value(r, base, "data.p")), q = number(Claims.value(r, base, "data.q"));
            if (p == null || q == null) {
                continue;
            }
            String key = "p=" + p + ",q=" + q;
            if (r.uninformative() || Math.abs(p + q - 1) < 1e-12) {
                if (!uninformative.contains(key)) {
                    uninformative.add(key);
                }
                continue;
            }
            out.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        return out;
    }

    static Tally tally(double p, double q, String init, List<Claims.Run> g, String expected) {
        Map<String, Integer> verdicts = new TreeMap<>();
        int hit = 0, undecided = 0;
        for (Claims.Run r : g) {
            verdicts.merge(r.verdict(), 1, Integer::sum);
            if (expected.equals(r.verdict())) {
                hit++;
            } else if (!"GLOBAL".equals(r.verdict()) && !"LOCAL".equals(r.verdict())) {
                undecided++;
            }
        }
        return new Tally(p, q, init, hit, undecided, g.size(), verdicts);
    }

    private static Double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : null;
    }
}
