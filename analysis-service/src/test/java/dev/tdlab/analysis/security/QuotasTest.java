package dev.tdlab.analysis.security;

import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.contracts.spec.ExperimentSpec;
import dev.tdlab.contracts.spec.ModelSpec;
import dev.tdlab.contracts.spec.TrainSpec;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What an experiment asks of its tenant's quotas, cell by cell (pure: no database). */
class QuotasTest {

    @Test
    void demandSumsStepParametersOverCellsAndSeedsAndTakesTheLargestDataset() {
        DataSpec data = new DataSpec("markov", 1, 2, 0.2, 0.3, null, null, 64, 100, 28);
        ModelSpec model = new ModelSpec("single-layer", 4, 1, "softmax", true, true, null, "standard");
        TrainSpec train = new TrainSpec(null, null, null, 1000, null, null, null, null, null);
        Map<String, List<Object>> sweep = new LinkedHashMap<>();
        sweep.put("data.seqLen", List.of(64, 128));
        ExperimentSpec spec = new ExperimentSpec("q", data, model, train, List.of(0L, 1L, 2L), sweep);
        Quotas.Demand d = Quotas.demand(spec);
        assertEquals(6, d.runs());
        // parameters at T: 2·4 + T·4 + 4·16 + 8·16 + 2 = 202 + 4T → T=64: 458, T=128: 714; × 1000 steps × 3 seeds
        assertEquals(3L * 1000 * (458 + 714), d.stepParameters());
        assertEquals(128L * 128, d.largestDataset());
    }

    @Test
    void saturatesInsteadOfOverflowing() {
        assertEquals(Long.MAX_VALUE, Quotas.saturatingMul(Long.MAX_VALUE / 2, 3));
        assertEquals(Long.MAX_VALUE, Quotas.saturatingAdd(Long.MAX_VALUE, 1));
    }
}
