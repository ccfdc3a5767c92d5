package dev.tdlab.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.MarkovSampler;
import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.makkuvaminimal.MinimalConfig;
import dev.tdlab.core.model.ModelDefinition;
import dev.tdlab.core.model.Models;
import dev.tdlab.core.optim.OptimizerConfig;
import dev.tdlab.core.theory.OrderKChain;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * At init, the minimal model is the three-parameter Markov-Fixed model: logit(x) = a·x + b − e'²/2 with
 * a = e'²(1 + 2w'|w'|). {@code lowrank-global} is placed at (e', w', b) = (1, −1, 0): logit(0) = −0.5, logit(1) = −1.5;
 * the code's {@code lowrank} has a &gt; 0 (w' &gt; 0) whatever its random signs.
 */
class LowRankGuidedTest {

    static final int T = 16;

    static double[][] logitsByToken(String scheme, long seed) {
        MinimalConfig cfg = new MinimalConfig(T, 8, 1, true, true, scheme, 0.02, 0.0, "softmax", Map.of());
        ModelDefinition def = Models.of(cfg);
        TrainingRun run = new TrainingRun(def, OptimizerConfig.of("adamw", 1e-3), DataType.DOUBLE, List.of("all"),
                def.initialParameters(seed));
        TokenDataset ds = MarkovSampler.sample(OrderKChain.binary(0.5, 0.5), 4, T, seed, 1);
        OneHotBatch batch = run.batch(4);
        int[] idx = {0, 1, 2, 3};
        batch.fill(ds, idx, 0);
        double[] q = ExactEval.predictions(run, batch, 4 * T, 2);
        double[][] byToken = {{Double.NaN, Double.NaN}, {Double.NaN, Double.NaN}}; // [x][min, max] of the logit
        for (int s = 0; s < 4; s++) {
            for (int p = 0; p < T; p++) {
                int x = ds.token(s, p);
                double z = Math.log(q[(s * T + p) * 2 + 1] / q[(s * T + p) * 2]);
                byToken[x][0] = Double.isNaN(byToken[x][0]) ? z : Math.min(byToken[x][0], z);
                byToken[x][1] = Double.isNaN(byToken[x][1]) ? z : Math.max(byToken[x][1], z);
            }
        }
        return byToken;
    }

    @Test
    void lowrankGlobalIsTheThreeParameterModelAtOneMinusOneZero() {
        for (long seed = 0; seed < 3; seed++) {
            double[][] z = logitsByToken("lowrank-global", seed);
            assertEquals(-0.5, z[0][0], 1e-9);
            assertEquals(-0.5, z[0][1], 1e-9);
            assertEquals(-1.5, z[1][0], 1e-9);
            assertEquals(-1.5, z[1][1], 1e-9);
        }
    }

    @Test
    void theCodesLowrankHasAPositiveSlopeWhateverItsSigns() {
        for (long seed = 0; seed < 5; seed++) {
            double[][] z = logitsByToken("lowrank", seed);
            assertEquals(z[0][0], z[0][1], 1e-9); // position-independent, attention adds 0
            assertTrue(z[1][0] - z[0][0] > 0, "a = " + (z[1][0] - z[0][0]));
        }
    }
}
