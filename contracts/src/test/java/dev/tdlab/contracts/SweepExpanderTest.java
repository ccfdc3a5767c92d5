package dev.tdlab.contracts;

import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.contracts.spec.ExperimentSpec;
import dev.tdlab.contracts.spec.RunSpec;
import dev.tdlab.contracts.spec.SweepExpander;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepExpanderTest {

    @Test
    void cartesianProductInGivenOrder() {
        Map<String, List<Object>> sweep = new LinkedHashMap<>();
        sweep.put("data.p", List.of(0.1, 0.3));
        sweep.put("data.q", List.of(0.5, 0.7, 0.9));
        List<Map<String, Object>> cells = SweepExpander.cells(sweep);
        assertEquals(6, cells.size());
        assertEquals(Map.of("data.p", 0.1, "data.q", 0.5), cells.get(0));
        assertEquals(Map.of("data.p", 0.3, "data.q", 0.9), cells.get(5));
    }

    @Test
    void noSweepIsOneEmptyCell() {
        assertEquals(List.of(Map.of()), SweepExpander.cells(Map.of()));
    }

    @Test
    void cellIdIsStableAndNormalizesNumbers() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("data.p", 1);
        a.put("data.q", 0.5);
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("data.q", 0.5);
        b.put("data.p", 1.0);
        assertEquals(SweepExpander.cellId(a), SweepExpander.cellId(b));
        assertNotEquals(SweepExpander.cellId(a), SweepExpander.cellId(Map.of("data.p", 0.9, "data.q", 0.5)));
    }

    @Test
    void applySetsNestedFieldsAndCoercesNumbers() {
        ExperimentSpec s = new ExperimentSpec("x", new DataSpec("markov", 1, 2, 0.2, 0.3, null, null, 32, 64, 16),
                null, null, List.of(0L), null);
        Map<String, Object> cell = new LinkedHashMap<>();
        cell.put("data.p", 0.7);
        cell.put("model.dModel", 8.0);
        cell.put("model.init.std", 1);
        RunSpec r = SweepExpander.apply(s, cell, 3);
        assertEquals(0.7, r.data().p());
        assertEquals(0.3, r.data().q());
        assertEquals(8, r.model().dModel());
        assertEquals(1.0, r.model().init().std());
        assertEquals(3, r.seed());
        assertEquals("adam", r.train().optimizer());
    }

    @Test
    void sweepablePaths() {
        assertTrue(SweepExpander.isSweepable("data.p"));
        assertTrue(SweepExpander.isSweepable("model.init.std"));
        assertFalse(SweepExpander.isSweepable("data"));
        assertFalse(SweepExpander.isSweepable("seeds.x"));
        assertFalse(SweepExpander.isSweepable("data.p.x"));
    }

    @Test
    void wrongTypeIsAClearError() {
        ExperimentSpec s = new ExperimentSpec("x", new DataSpec("markov", 1, 2, 0.2, 0.3, null, null, 32, 64, 16),
                null, null, List.of(0L), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SweepExpander.apply(s, Map.of("model.dModel", 4.5), 0));
        assertTrue(e.getMessage().contains("model.dModel"));
    }
}
