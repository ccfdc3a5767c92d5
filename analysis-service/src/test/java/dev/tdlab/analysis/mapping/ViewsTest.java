package dev.tdlab.analysis.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tdlab.analysis.store.ExperimentEntity;
import dev.tdlab.analysis.store.RunEntity;
import dev.tdlab.contracts.spec.ExperimentSpec;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The typed views write the same JSON as the maps they replaced: every field, and null where the map had null. The
 * expected files ({@code src/test/resources/views/}) were written by the map-building code from these entities.
 */
class ViewsTest {

    static final OffsetDateTime T = OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);
    static final String SPEC = """
            {"name":"ref","data":{"family":"markov","order":1,"vocab":2,"p":0.2,"q":0.3,"seqLen":64,"trainSequences":128,"evalSequences":32},
             "model":{"family":"single-layer","dModel":4,"heads":1,"attention":"softmax","mlp":true,"tiedEmbedding":true,"init":{"scheme":"gaussian","std":0.02}},
             "train":{"optimizer":"adam","lr":1.0e-3,"batch":16,"steps":100,"trainable":["all"],"evalEvery":50},
             "seeds":[0,1],"sweep":{"data.p":[0.1,0.3]}}""";

    static ExperimentEntity experiment() {
        ExperimentEntity e = new ExperimentEntity();
        e.id = "e1";
        e.name = "ref";
        e.status = "RUNNING";
        e.tenantId = "alice";
        e.runCount = 3;
        e.createdAt = T;
        e.updatedAt = T.plusMinutes(1);
        e.specJson = SPEC;
        return e;
    }

    static List<RunEntity> fixtureRuns() {
        RunEntity a = new RunEntity();
        a.id = "r1";
        a.experimentId = "e1";
        a.cellId = "data.p=0.1";
        a.cellJson = "{\"data.p\":0.1}";
        a.seed = 0;
        a.status = "FINISHED";
        a.attempt = 1;
        a.step = 100;
        a.totalSteps = 100;
        a.datasetId = "d1";
        a.entropyRate = 0.5;
        a.unigramEntropy = 0.69;
        a.stationaryJson = "[0.4,0.6]";
        a.optimalLoss = 0.5;
        a.optimalLossStdErr = 0.0;
        a.orderLossesJson = "[0.69,0.5]";
        a.lastTrainLoss = 0.51;
        a.lastEvalLoss = 0.52;
        a.finalEvalLoss = 0.502;
        a.finalEvalStdErr = 0.004;
        a.finalTrainLoss = 0.501;
        a.verdict = "GLOBAL";
        a.gapToOptimum = 0.002;
        a.tolerance = 0.012;
        a.convergenceStep = 50;
        a.gapLow = -0.006;
        a.gapHigh = 0.01;
        a.rateModel = "exponential";
        a.rate = 0.01;
        a.rateR2 = 0.9;
        a.stepsNearSaddle = 20;
        a.convergenceJson = "{\"tolerance\":{\"value\":0.012},\"plateaus\":[{\"level\":\"unigram\",\"fromStep\":0,\"toStep\":20}],"
                + "\"rate\":{\"exponential\":{\"model\":\"exponential\",\"rate\":0.01,\"r2\":0.9},\"powerLaw\":{\"model\":\"power\",\"rate\":1.0,\"r2\":0.8}}}";
        a.findingsJson = "{\"collapse\":true}";
        a.secondsElapsed = 1.5;
        a.heartbeatAt = T.plusSeconds(30);
        a.updatedAt = T;
        RunEntity b = new RunEntity();
        b.id = "r2";
        b.experimentId = "e1";
        b.cellId = "data.p=0.1";
        b.cellJson = "{\"data.p\":0.1}";
        b.seed = 1;
        b.status = "FAILED";
        b.error = "boom";
        b.updatedAt = T;
        RunEntity c = new RunEntity();
        c.id = "r3";
        c.experimentId = "e1";
        c.cellId = "data.p=0.3";
        c.cellJson = "{\"data.p\":0.3}";
        c.seed = 0;
        c.status = "FINISHED";
        c.verdict = "LOCAL";
        c.finalEvalLoss = 0.69;
        c.rateModel = "power";
        c.rate = 1.0;
        c.convergenceJson = "{\"plateaus\":[]}";
        c.updatedAt = T;
        return List.of(a, b, c);
    }


    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .registerModule(new Jdk8Module()).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

    final Views views = new Views(JSON);

    static JsonNode expected(String name) throws Exception {
        try (InputStream in = ViewsTest.class.getResourceAsStream("/views/" + name)) {
            return JSON.readTree(in);
        }
    }

    static ExperimentSpec spec() throws Exception {
        return JSON.readValue(SPEC, ExperimentSpec.class);
    }

    @Test
    void experimentViewWritesTheSameJsonAsTheMap() throws Exception {
        JsonNode actual = JSON.valueToTree(views.experiment(experiment(), spec(), fixtureRuns()));
        assertSameJson(expected("experiment.json"), actual, "");
    }

    @Test
    void runViewsWriteTheSameJsonAsTheMaps() throws Exception {
        JsonNode expected = expected("runs.json");
        for (RunEntity r : fixtureRuns()) {
            assertSameJson(expected.get(r.id), JSON.valueToTree(views.run(r)), r.id);
        }
    }

    @Test
    void theReportIsTheViewWithItsPhaseDiagram() throws Exception {
        JsonNode view = JSON.valueToTree(views.experiment(experiment(), spec(), fixtureRuns()));
        JsonNode report = JSON.valueToTree(new Responses.Report(views.experiment(experiment(), spec(), fixtureRuns()),
                null));
        for (Iterator<String> it = view.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            assertEquals(view.get(f), report.get(f), f);
        }
        assertTrue(report.has("phase") && report.get("phase").isNull());
        assertEquals(view.size() + 1, report.size());
    }

    @Test
    void phaseCellsNameTheSideOfTheLineOnlyForAPQSweep() {
        JsonNode plain = JSON.valueToTree(new Responses.PhaseCell(1, 2, null, 0, 0, 0, false, null, null));
        assertFalse(plain.has("pPlusQ") || plain.has("side"));
        assertTrue(plain.has("fractionGlobal") && plain.get("fractionGlobal").isNull());
        JsonNode pq = JSON.valueToTree(new Responses.PhaseCell(0.5, 0.7, 1.0, 2, 2, 0, false, 1.2, "above"));
        assertEquals("above", pq.get("side").asText());
    }

    /** Equal trees, naming the first difference: a missing field and a null field differ. */
    static void assertSameJson(JsonNode expected, JsonNode actual, String path) {
        if (expected.isObject()) {
            assertTrue(actual.isObject(), path + " is not an object: " + actual);
            for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                assertTrue(actual.has(f), path + "." + f + " is missing");
                assertSameJson(expected.get(f), actual.get(f), path + "." + f);
            }
            assertEquals(expected.size(), actual.size(), path + ": fields " + actual.properties());
        } else if (expected.isArray()) {
            assertEquals(expected.size(), actual.size(), path + " length");
            for (int i = 0; i < expected.size(); i++) {
                assertSameJson(expected.get(i), actual.get(i), path + "[" + i + "]");
            }
        } else if (expected.isNumber()) {
            assertEquals(expected.asDouble(), actual.asDouble(), 0.0, path);
        } else {
            assertEquals(expected, actual, path);
        }
    }
}
