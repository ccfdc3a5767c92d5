package dev.tdlab.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SchedulesTest {

    @Test
    void constant() {
        OptimizerConfig c = OptimizerConfig.of("sgd", 0.1);
        for (int s : new int[] {0, 1, 50, 99}) assertEquals(0.1, Schedules.lr(c, s, 100), 0);
    }

    @Test
    void cosineWithoutWarmup() {
        OptimizerConfig c = OptimizerConfig.of("adam", 1.0).withSchedule("cosine", 0.0);
        assertEquals(1.0, Schedules.lr(c, 0, 100), 1e-15);                                          // start
        assertEquals(0.5, Schedules.lr(c, 50, 100), 1e-15);                                         // middle
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 0.25)), Schedules.lr(c, 25, 100), 1e-15);        // quarter
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 0.99)), Schedules.lr(c, 99, 100), 1e-15);        // last update
        assertEquals(0.0, Schedules.lr(c, 100, 100), 0);                                            // end
    }

    @Test
    void linearWarmupThenCosine() {
        // 10 % of 200 steps = 20 warm-up steps: lr * (step+1)/20, then cosine over the remaining 180 steps
        OptimizerConfig c = OptimizerConfig.of("adamw", 2e-3).withSchedule("cosine", 0.1);
        assertEquals(20, Schedules.warmupSteps(c, 200));
        assertEquals(2e-3 / 20, Schedules.lr(c, 0, 200), 1e-18);
        assertEquals(2e-3 * 10 / 20, Schedules.lr(c, 9, 200), 1e-18);
        assertEquals(2e-3, Schedules.lr(c, 19, 200), 1e-18);
        assertEquals(2e-3, Schedules.lr(c, 20, 200), 1e-18);       // cosine starts at the peak
        assertEquals(1e-3, Schedules.lr(c, 110, 200), 1e-18);      // half-way through the 180 cosine steps
        assertEquals(0.0, Schedules.lr(c, 200, 200), 0);
    }

    @Test
    void warmupThenConstant() {
        OptimizerConfig c = OptimizerConfig.of("adam", 1.0).withSchedule("constant", 0.02);
        assertEquals(20, Schedules.warmupSteps(c, 1000)); // round(0.02 * 1000), not ceil(20.000000000000004)
        assertEquals(1.0 / 20, Schedules.lr(c, 0, 1000), 1e-15);
        assertEquals(1.0, Schedules.lr(c, 20, 1000), 0);
        assertEquals(1.0, Schedules.lr(c, 999, 1000), 0);
    }

    @Test
    void makkuvaDefaults() {
        OptimizerConfig c = OptimizerConfig.makkuva();
        assertEquals("adamw", c.name());
        assertEquals(2e-3, c.lr());
        assertEquals(0.95, c.beta2());
        assertEquals(1e-3, c.weightDecay());
        assertEquals("cosine", c.schedule());
        assertEquals(0.02, c.warmupFraction());
    }

    @Test
    void badConfigsRejected() {
        assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.of("rmsprop", 1e-3));
        assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.of("adam", -1));
        assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.of("adam", 1).withSchedule("linear", 0));
        assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.of("adam", 1).withSchedule("cosine", 1.5));
        assertThrows(IllegalArgumentException.class,
                () -> new OptimizerConfig("adam", 1e-3, 1.0, 0.999, 1e-8, 0, "constant", 0));
        assertThrows(IllegalArgumentException.class, () -> Schedules.lr(OptimizerConfig.defaults(), 0, 0));
    }
}
