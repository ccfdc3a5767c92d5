package dev.tdlab.trainer.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tdlab.contracts.spec.InitSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The classifier's W_V std: init.vStd when set (Song et al.'s Q/K-to-V ratio), else init.std. */
class ClassifierValueStdTest {

    @Test
    void vStdSetsTheValueScaleApartFromTheQueryKeyScale() {
        assertEquals(0.1, EngineConfigs.valueStd(new InitSpec("fan-in", 1.0, 0.1, Map.of()).withDefaults()));
        assertEquals(1.0, EngineConfigs.valueStd(new InitSpec("fan-in", 1.0).withDefaults())); // vStd 0 = absent
    }
}
