package dev.tdlab.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The code's OneCycleLR(max_lr=2e-3, total_steps=1000, pct_start=0.02, anneal 'cos', div_factor=100,
 * final_div_factor=0.05), from PyTorch's definition: phase ends at pct_start·T − 1 = 19 and T − 1 = 999,
 * {@code cos(a, b, x) = b + (a − b)(1 + cos πx)/2}.
 */
class OneCycleScheduleTest {

    static final OptimizerConfig C = new OptimizerConfig("adamw", 2e-3, 0.9, 0.95, 1e-8, 1e-3, "onecycle", 0.02);

    @Test
    void warmsUpFromAHundredthAndAnnealsToAFifth() {
        assertEquals(2e-5, Schedules.lr(C, 0, 1000), 1e-15);   // initial_lr = max_lr / div_factor
        assertEquals(2e-5 + (2e-3 - 2e-5) * (1 - Math.cos(Math.PI * 10 / 19)) / 2, Schedules.lr(C, 10, 1000), 1e-15);
        assertEquals(2e-3, Schedules.lr(C, 19, 1000), 1e-15);  // the peak
        double mid = 4e-4 + (2e-3 - 4e-4) / 2 * (Math.cos(Math.PI * (500 - 19) / 980.0) + 1);
        assertEquals(mid, Schedules.lr(C, 500, 1000), 1e-15);
        assertEquals(4e-4, Schedules.lr(C, 999, 1000), 1e-15); // min_lr = initial_lr / final_div_factor = lr / 5
    }
}
