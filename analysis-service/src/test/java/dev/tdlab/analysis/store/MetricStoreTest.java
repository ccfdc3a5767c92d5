package dev.tdlab.analysis.store;

import dev.tdlab.contracts.events.MetricBatch;
import dev.tdlab.contracts.events.MetricSeries;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure checks of MetricStore (the database parts: MetricStoreIT). */
class MetricStoreTest {

    static MetricBatch batch(Map<String, MetricSeries> m) {
        return MetricBatch.of("r", "e", 1, 1, 2, m);
    }

    @Test
    void aWellFormedBatchPasses() {
        assertDoesNotThrow(() -> MetricStore.validate(batch(Map.of("train_loss",
                new MetricSeries(List.of(1, 2), Arrays.asList(0.5, null))))));
        assertDoesNotThrow(() -> MetricStore.validate(batch(Map.of())));
    }

    @Test
    void malformedBatchesAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MetricStore.validate(batch(null)))
                .getMessage().contains("without metrics"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MetricStore.validate(batch(Map.of("x",
                new MetricSeries(List.of(1, 2), List.of(0.5)))))).getMessage().contains("differ in length"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MetricStore.validate(batch(Map.of(" ",
                new MetricSeries(List.of(1), List.of(0.5)))))).getMessage().contains("without a name"));
        Map<String, MetricSeries> nullSeries = new HashMap<>();
        nullSeries.put("x", null);
        assertThrows(IllegalArgumentException.class, () -> MetricStore.validate(batch(nullSeries)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MetricStore.validate(batch(Map.of("x",
                new MetricSeries(Arrays.asList(1, null), List.of(0.5, 0.6)))))).getMessage().contains("null step"));
    }
}
