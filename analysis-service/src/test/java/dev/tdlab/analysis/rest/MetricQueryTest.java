package dev.tdlab.analysis.rest;

import dev.tdlab.analysis.problem.ProblemException;

import dev.tdlab.contracts.spec.Violation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricQueryTest {

    static List<String> fields(ProblemException e) {
        return e.violations().stream().map(Violation::field).toList();
    }

    @Test
    void defaults() {
        MetricQuery q = MetricQuery.parse(null, null, null, null);
        assertEquals(new MetricQuery(List.of(), 0, Integer.MAX_VALUE, 1000), q);
        assertEquals(List.of("a", "b"), q.resolve(List.of("a", "b")));
    }

    @Test
    void namesAreTrimmedAndDeduplicated() {
        MetricQuery q = MetricQuery.parse(" train_loss, ,eval_loss,train_loss", "5", "10", "2");
        assertEquals(List.of("train_loss", "eval_loss"), q.names());
        assertEquals(List.of("train_loss", "eval_loss"), q.resolve(List.of("eval_loss", "grad_norm", "train_loss")));
    }

    @Test
    void fromAfterToIsNamed() {
        ProblemException e = assertThrows(ProblemException.class, () -> MetricQuery.parse(null, "11", "10", null));
        assertEquals(400, e.status());
        assertEquals(List.of("from"), fields(e));
        assertTrue(e.getMessage().contains("11 > 10"), e.getMessage());
    }

    @Test
    void maxPointsOutOfRangeIsNamed() {
        for (String m : List.of("1", "0", "-5", "100001")) {
            ProblemException e = assertThrows(ProblemException.class, () -> MetricQuery.parse(null, null, null, m));
            assertEquals(List.of("maxPoints"), fields(e), m);
        }
        assertEquals(100_000, MetricQuery.parse(null, null, null, "100000").maxPoints());
    }

    @Test
    void everyNonIntegerIsNamedAtOnce() {
        ProblemException e = assertThrows(ProblemException.class, () -> MetricQuery.parse(null, "x", "1e3", "lots"));
        assertEquals(List.of("from", "to", "maxPoints"), fields(e));
    }

    @Test
    void aNameTheRunNeverReportedIsNamed() {
        MetricQuery q = MetricQuery.parse("train_loss,acuracy,nope", null, null, null);
        ProblemException e = assertThrows(ProblemException.class, () -> q.resolve(List.of("accuracy", "train_loss")));
        assertEquals(400, e.status());
        assertEquals(List.of("names", "names"), fields(e));
        assertTrue(e.violations().get(0).message().contains("'acuracy'"), e.violations().toString());
        assertTrue(e.violations().get(1).message().contains("'nope'"), e.violations().toString());
        assertTrue(e.getMessage().contains("accuracy, train_loss"), e.getMessage());
    }
}
