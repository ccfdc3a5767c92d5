package dev.tdlab.analysis.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.mapping.RunView;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** How the report shows a run's gap interval, rate fit and plateaus. */
class ReportConvergenceTest {

    static RunView run(Double gap, Double low, Double high, RunView.ConvergenceRate rate, Integer nearSaddle,
                       JsonNode plateaus) {
        return new RunView("r", "e", "c", Map.of(), 0, "FINISHED", 0, 0, 0, null, false, null,
                new RunView.Baselines(null, null, null, null, null, null), null, null, null, null, null, null, gap,
                null, null, low, high, rate, nearSaddle, plateaus, null, null, null, null);
    }

    @Test
    void runCellsShowTheGapIntervalTheFitAndThePlateaus() throws Exception {
        JsonNode plateaus = new ObjectMapper().readTree("""
                [{"fromStep": 0, "toStep": 150, "level": "flat"}, {"fromStep": 200, "toStep": 300, "level": "unigram"}]""");
        RunView r = run(0.003403, -0.0042, 0.011, new RunView.ConvergenceRate("exponential", 0.0121, 0.962, null, null),
                250, plateaus);
        Map<String, Object> c = ReportResource.convergenceCells(r);
        assertEquals("0.003403 [-0.004200, 0.011000]", c.get("gap"));
        assertEquals("e^-0.0121t (R² 0.962)", c.get("rate"));
        assertEquals("flat:0-150 unigram:200-300", c.get("plateaus"));
        assertEquals("250", c.get("nearSaddle"));

        RunView power = run(0.003403, -0.0042, 0.011, new RunView.ConvergenceRate("power", 0.8, 0.99, null, null), 250,
                plateaus);
        assertEquals("t^-0.800 (R² 0.990)", ReportResource.convergenceCells(power).get("rate"));
    }

    @Test
    void undecidedRunsShowEmptyCells() {
        Map<String, Object> c = ReportResource.convergenceCells(run(null, null, null, null, null, null));
        assertEquals("", c.get("gap"));
        assertEquals("", c.get("rate"));
        assertEquals("", c.get("plateaus"));
        assertEquals("", c.get("nearSaddle"));
        assertNull(ReportResource.plateauList(null));
    }
}
