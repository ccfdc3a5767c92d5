package dev.tdlab.analysis.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** How the report shows a run's gap interval, rate fit and plateaus. */
class ReportConvergenceTest {

    @Test
    void runCellsShowTheGapIntervalTheFitAndThePlateaus() throws Exception {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("gapToOptimum", 0.003403);
        run.put("gapLow", -0.0042);
        run.put("gapHigh", 0.011);
        run.put("convergenceRate", Map.of("model", "exponential", "rate", 0.0121, "r2", 0.962));
        run.put("stepsNearSaddle", 250);
        run.put("plateaus", new ObjectMapper().readTree("""
                [{"fromStep": 0, "toStep": 150, "level": "flat"}, {"fromStep": 200, "toStep": 300, "level": "unigram"}]"""));
        Map<String, Object> c = ReportResource.convergenceCells(run);
        assertEquals("0.003403 [-0.004200, 0.011000]", c.get("gap"));
        assertEquals("e^-0.0121t (R² 0.962)", c.get("rate"));
        assertEquals("flat:0-150 unigram:200-300", c.get("plateaus"));
        assertEquals("250", c.get("nearSaddle"));

        run.put("convergenceRate", Map.of("model", "power", "rate", 0.8, "r2", 0.99));
        assertEquals("t^-0.800 (R² 0.990)", ReportResource.convergenceCells(run).get("rate"));
    }

    @Test
    void undecidedRunsShowEmptyCells() {
        Map<String, Object> c = ReportResource.convergenceCells(new LinkedHashMap<>());
        assertEquals("", c.get("gap"));
        assertEquals("", c.get("rate"));
        assertEquals("", c.get("plateaus"));
        assertEquals("", c.get("nearSaddle"));
        assertNull(ReportResource.plateauList(null));
    }
}
