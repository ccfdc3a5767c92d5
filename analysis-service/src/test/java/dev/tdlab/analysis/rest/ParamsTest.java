package dev.tdlab.analysis.rest;

import dev.tdlab.analysis.problem.ProblemException;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParamsTest {

    @Test
    void parsesOrNamesTheParameter() {
        assertEquals(20, Params.integer("size", null, 20, 1, 200));
        assertEquals(20, Params.integer("size", " ", 20, 1, 200));
        assertEquals(7, Params.integer("size", " 7 ", 20, 1, 200));
        for (String bad : new String[]{"abc", "1e3", "0", "201", "99999999999999999999", "-1", "7;drop"}) {
            ProblemException e = assertThrows(ProblemException.class, () -> Params.integer("size", bad, 20, 1, 200));
            assertEquals(400, e.status());
            assertEquals("size", e.violations().get(0).field());
            assertTrue(e.getMessage().contains("[1, 200]"), e.getMessage());
        }
    }
}
