package dev.tdlab.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.MarkovGenerator;
import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.deep.DeepConfig;
import dev.tdlab.core.optim.OptimizerConfig;
import dev.tdlab.core.theory.MarkovChain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Bordelon et al. 2024 measured with the engine directly, on the infinite-limits template's data and model (8-token
 * chain, T = 32, pre-LN, ReLU MLP 4d, untied head, μP with the Adam form, Adam η₀ = 0.1 times
 * {@link DeepConfig#lrMultiplier}, batch 16, 100 steps, eval every 10 on 128 sequences):
 * <ul>
 *   <li>{@link #headsAtFixedHeadWidth}: H ∈ {1, 2, 4, 8} at N = 8, depth 2, residual 1/√L (mup);</li>
 *   <li>{@link #depthWithAlpha}: L ∈ {1, 2, 4, 8} at N = 8, H = 2, depth-mup with α_L = ½ (1/√L) and α_L = 1 (1/L),
 *       β = 1.</li>
 * </ul>
 * Convergence as the infinite-limits claims code judges it: per size the pointwise median eval-loss curve over seeds;
 * D = RMS distance to the largest size's median curve; γ of D ∝ size^−γ with a 95 % interval from 1000 resamples of
 * the seeds within every size ({@link Measure#convergence}). Regenerate: {@code ./mvnw -q -B -o -pl
 * dynamics-theory,dynamics-engine test -Preproduce -Dtest=BordelonMeasurementsTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class BordelonMeasurementsTest {

    /** The template's chain (rows Dirichlet(0.5), seed 7, rounded; rows renormalized by MarkovChain's tolerance). */
    static final double[][] TRANSITION = {
            {0.089, 0.361, 0.245, 0.003, 0.001, 0.004, 0.013, 0.284},
            {0.555, 0.211, 0.006, 0.026, 0.009, 0.111, 0.081, 0.001},
            {0.124, 0.026, 0.055, 0.016, 0.142, 0.584, 0.047, 0.006},
            {0.001, 0.384, 0.149, 0.099, 0.002, 0.299, 0.066, 0.0},
            {0.015, 0.002, 0.009, 0.003, 0.042, 0.883, 0.017, 0.029},
            {0.107, 0.0, 0.042, 0.082, 0.141, 0.315, 0.266, 0.047},
            {0.019, 0.007, 0.078, 0.206, 0.0, 0.018, 0.001, 0.671},
            {0.042, 0.088, 0.144, 0.005, 0.078, 0.458, 0.0, 0.185}};
    static final int T = 32, STEPS = 100, EVAL_EVERY = 10;
    static final int[] SEEDS = {0, 1, 2, 3, 4};

    static MarkovChain chain() {
        double[][] p = new double[8][];
        for (int i = 0; i < 8; i++) {
            double s = Arrays.stream(TRANSITION[i]).sum();
            p[i] = Arrays.stream(TRANSITION[i]).map(x -> x / s).toArray();
        }
        return MarkovChain.of(p);
    }

    /** The model as trainer-service builds it from the template (mup or depth-mup, Adam form, gaussian init 1). */
    static DeepConfig model(int headDim, int heads, int depth, String scaling, String parameterization) {
        return new DeepConfig(8, T, headDim * heads, heads, depth, scaling, 1.0, true, true, 4, false, "softmax",
                parameterization, "gaussian", 1.0, Map.of(), "pre", true, 1.0, "adam");
    }

    /** Eval-loss curves [seed][eval point] (steps EVAL_EVERY..steps), Adam at η₀ times the μP multiplier. */
    static double[][] curves(DeepConfig m, double eta0, int steps, int[] seeds) {
        MarkovChain c = chain();
        double lr = eta0 * m.lrMultiplier("adam");
        double[][] out = new double[seeds.length][];
        for (int i = 0; i < seeds.length; i++) {
            long seed = seeds[i];
            TokenDataset train = MarkovGenerator.generate(c, 1024, T, 1000 + seed);
            TokenDataset eval = MarkovGenerator.generate(c, 128, T, 2000 + seed);
            List<Double> curve = new ArrayList<>();
            Trainer.train(m, OptimizerConfig.of("adam", lr), new TrainConfig(16, steps, EVAL_EVERY, seed)
                    .withMetricsEvery(steps), train, eval, new TrainListener() {
                        @Override public void onStep(int step, double loss, double gradNorm) {
                        }

                        @Override public void onEval(int step, double loss, double se) {
                            if (step > 0) curve.add(loss);
                        }
                    }, null);
            out[i] = curve.stream().mapToDouble(Double::doubleValue).toArray();
        }
        return out;
    }

    /** One sweep: the convergence table (distance to the largest size, γ with its interval) and the final losses. */
    static String sweep(String title, String sizeName, int[] sizes, java.util.function.IntFunction<DeepConfig> at,
                        double eta0, int steps, int[] seeds) {
        double[][][] cs = new double[sizes.length][][];
        double[] w = new double[sizes.length];
        for (int s = 0; s < sizes.length; s++) {
            cs[s] = curves(at.apply(sizes[s]), eta0, steps, seeds);
            w[s] = sizes[s];
        }
        Measure.Convergence cv = Measure.convergence(w, cs, 1000, 7);
        StringBuilder out = new StringBuilder(String.format("%nBORDELON %s, η₀ = %g, %d steps, seeds %s%n%n", title,
                eta0, steps, Arrays.toString(seeds)));
        out.append("| " + sizeName + " | RMS distance to " + sizeName + " = " + sizes[sizes.length - 1]
                + " | final eval loss, median [min, max] |\n|---|---|---|\n");
        for (int s = 0; s < sizes.length; s++) {
            double[] fin = Arrays.stream(cs[s]).mapToDouble(cur -> cur[cur.length - 1]).toArray();
            out.append(String.format("| %d | %s | %s |%n", sizes[s],
                    s < sizes.length - 1 ? String.format("%.4f", cv.distances()[s]) : "—", Measure.mmm(fin, "%.4f")));
        }
        out.append(String.format("%nγ (D ∝ %s^−γ) = %.2f, 95%% seed-bootstrap interval [%.2f, %.2f]%n", sizeName,
                cv.gamma(), cv.gammaInterval()[0], cv.gammaInterval()[1]));
        return out.toString();
    }

    static String heads(int steps, int[] seeds) {
        return sweep("heads H at fixed head width N = 8, depth 2, mup (residual 1/√L)", "H", new int[] {1, 2, 4, 8},
                h -> model(8, h, 2, "inv-sqrt-depth", "mup"), 0.1, steps, seeds);
    }

    static String depth(String scaling, int steps, int[] seeds) {
        String alpha = scaling.equals("inv-sqrt-depth") ? "1/2" : "1";
        return sweep("depth L at N = 8, H = 2, depth-mup, α_L = " + alpha + " (" + scaling + ", β = 1)", "L",
                new int[] {1, 2, 4, 8}, l -> model(8, 2, l, scaling, "depth-mup"), 0.1, steps, seeds);
    }

    @Test
    @EnabledIfSystemProperty(named = "tdlab.reproduce", matches = "true")
    void headsAtFixedHeadWidth() {
        System.out.println(heads(STEPS, SEEDS));
    }

    @Test
    @EnabledIfSystemProperty(named = "tdlab.reproduce", matches = "true")
    void depthWithAlpha() {
        System.out.println(depth("inv-sqrt-depth", STEPS, SEEDS));
        System.out.println(depth("beta-over-depth", STEPS, SEEDS));
    }

    /** Fast: the sweep machinery at a tiny size (3 sizes, 2 seeds, 10 steps) gives finite curves of the right length. */
    @Test
    void curvesHaveOnePointPerEvaluation() {
        double[][] c = curves(model(2, 1, 1, "inv-sqrt-depth", "mup"), 0.1, 20, new int[] {0, 1});
        assertEquals(2, c.length);
        assertEquals(2, c[0].length);
        for (double[] cur : c) for (double x : cur) assertTrue(Double.isFinite(x) && x > 0, "loss " + x);
    }

    public static void main(String[] args) {
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : STEPS;
        switch (args[0]) {
            case "heads" -> System.out.println(heads(steps, SEEDS));
            case "depth-half" -> System.out.println(depth("inv-sqrt-depth", steps, SEEDS));
            case "depth-one" -> System.out.println(depth("beta-over-depth", steps, SEEDS));
            default -> throw new IllegalArgumentException("heads | depth-half | depth-one");
        }
    }
}
