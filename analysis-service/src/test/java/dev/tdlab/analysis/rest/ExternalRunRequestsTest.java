package dev.tdlab.analysis.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.problem.ProblemException;
import dev.tdlab.analysis.service.ExternalRuns;
import dev.tdlab.contracts.events.RunState;
import dev.tdlab.contracts.spec.Violation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExternalRunRequestsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static ExternalRunRequests.Batch metrics(String body) throws Exception {
        return ExternalRunRequests.metrics(JSON.readTree(body));
    }

    static List<String> fields(String body) {
        ProblemException e = assertThrows(ProblemException.class, () -> metrics(body));
        assertEquals(400, e.status());
        return e.violations().stream().map(Violation::field).toList();
    }

    @Test
    void aBatchIsGroupedByNameWithStepsInOrderAndNonFiniteValuesKept() throws Exception {
        ExternalRunRequests.Batch b = metrics("""
                {"batchId":"run-7:chunk-0","metrics":[{"name":"train_loss","step":2,"value":0.5},
                 {"name":"eval_loss","step":2,"value":"NaN"},{"name":"train_loss","step":1,"value":0.7,"timestamp":1},
                 {"name":"train_loss","step":3,"value":"-Infinity"}]}""");
        assertEquals("run-7:chunk-0", b.batchId());
        assertEquals(4, b.points());
        assertEquals(List.of(1, 2, 3), b.metrics().get("train_loss").steps());
        assertEquals(List.of(0.7, 0.5, Double.NEGATIVE_INFINITY), b.metrics().get("train_loss").values());
        assertTrue(b.metrics().get("eval_loss").values().get(0).isNaN());
    }

    @Test
    void tenThousandPointsAreOneBatchAndOneMoreIsRefused() throws Exception {
        StringBuilder sb = new StringBuilder("{\"batchId\":\"big\",\"metrics\":[");
        for (int i = 0; i < 10_000; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"name\":\"m\",\"step\":").append(i).append(",\"value\":1.5}");
        }
        assertEquals(10_000, metrics(sb + "]}").points());
        assertEquals(List.of("metrics"), fields(sb + ",{\"name\":\"m\",\"step\":10000,\"value\":1}]}"));
    }

    @Test
    void everyBadFieldIsNamed() {
        assertEquals(List.of("batchId", "metrics"), fields("{\"metrics\":[]}"));
        assertEquals(List.of("extra", "batchId", "metrics[0].name", "metrics[1].step", "metrics[2].step",
                        "metrics[3].value", "metrics[4].value", "metrics[6].step"),
                fields("""
                        {"batchId":"has space","extra":1,"metrics":[{"name":"bad\\nname","step":1,"value":1},
                         {"name":"a","step":1.5,"value":1},{"name":"a","step":-2,"value":1},{"name":"a","step":3,"value":"high"},
                         {"name":"a","step":4},{"name":"a","step":5,"value":1},{"name":"a","step":5,"value":2}]}"""));
        assertEquals(List.of(""), fields("[1,2]"));
    }

    @Test
    void finishNeedsAKnownStatusAndFiniteNumbers() throws Exception {
        ExternalRuns.Finish f = ExternalRunRequests.finish(JSON.readTree(
                "{\"status\":\"FINISHED\",\"finalEvalStdErr\":0.01,\"secondsElapsed\":3}"));
        assertEquals(RunState.FINISHED, f.status());
        assertEquals(0.01, f.finalEvalStdErr());
        assertEquals(null, f.finalEvalLoss());
        ProblemException e = assertThrows(ProblemException.class, () -> ExternalRunRequests.finish(JSON.readTree(
                "{\"status\":\"RUNNING\",\"finalEvalStdErr\":-1,\"error\":5,\"colour\":1}")));
        assertEquals(List.of("colour", "status", "error", "finalEvalStdErr"),
                e.violations().stream().map(Violation::field).toList());
    }
}
