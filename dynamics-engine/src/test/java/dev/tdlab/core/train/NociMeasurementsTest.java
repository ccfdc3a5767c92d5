package dev.tdlab.core.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.MarkovGenerator;
import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.deep.DeepConfig;
import dev.tdlab.core.optim.OptimizerConfig;
import dev.tdlab.core.theory.MarkovChain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Noci et al. 2022 measured with the engine directly (the rank-collapse template's model: attention-only blocks,
 * one head, Xavier init, untied head, causal softmax, binary Markov chain p = 0.2, q = 0.3):
 * <ul>
 *   <li>{@link #gradientRatioAgainstHeadDimAndLength}: the Q/K-vs-V gradient ratio g at init (g_l = (‖∇W_Q^l‖ +
 *       ‖∇W_K^l‖) / (2‖∇W_V^l‖), median over blocks, docs/reproductions/noci.md) against d_k = dModel (one head) and
 *       against T, at depth 8, residual scaling none / 1/√L, post- and pre-LN;</li>
 *   <li>{@link #trainingEffect}: eval loss after a fixed budget, Adam vs SGD, unscaled vs 1/√L, at depth 32.</li>
 * </ul>
 * Both print markdown tables (prefix-free lines, to paste into the doc); medians over seeds 0–4 with min–max.
 * Regenerate: {@code ./mvnw -q -B -o -pl dynamics-theory,dynamics-engine test -Preproduce
 * -Dtest=NociMeasurementsTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class NociMeasurementsTest {

    static final MarkovChain CHAIN = MarkovChain.binary(0.2, 0.3);
    static final int[] SEEDS = {0, 1, 2, 3, 4};
    /** Adam at the template's rate; SGD at two rates (1.0 blew up within 20 steps at L = 32 in a pilot). */
    static final List<OptimizerConfig> OPTIMIZERS = List.of(OptimizerConfig.of("adam", 1e-3),
            OptimizerConfig.of("sgd", 0.1), OptimizerConfig.of("sgd", 0.3));

    /** The template's model at width d, length T, depth L, scaling and LN position. */
    static DeepConfig model(int d, int t, int depth, String scaling, String ln) {
        return new DeepConfig(2, t, d, 1, depth, scaling, 1.0, true, false, 4, false, "softmax", "standard",
                "xavier", 1.0, Map.of(), ln, true, 1.0, "sgd");
    }

    /** Per-layer state at init: g (median over blocks), ρ of the last block, min entropy ratio over blocks. */
    record Init(double g, double rho, double entropyRatioMin) {
    }

    static Init atInit(DeepConfig m, long seed) {
        TokenDataset train = MarkovGenerator.generate(CHAIN, 256, m.seqLen(), 1000 + seed);
        TokenDataset eval = MarkovGenerator.generate(CHAIN, 16, m.seqLen(), 2000 + seed);
        Map<String, Double>[] first = firstMetrics();
        Trainer.train(m, OptimizerConfig.of("adam", 1e-3), new TrainConfig(16, 1, 1, seed).withMetricsEvery(1),
                train, eval, metricsListener(first), null);
        return initOf(first[0], m.depth());
    }

    static Init initOf(Map<String, Double> m, int depth) {
        List<Double> gs = new ArrayList<>();
        double ent = Double.POSITIVE_INFINITY;
        for (int l = 0; l < depth; l++) {
            double q = m.get("grad_norm/layer" + l + "/q"), k = m.get("grad_norm/layer" + l + "/k"),
                    v = m.get("grad_norm/layer" + l + "/v");
            double g = (q + k) / (2 * v);
            if (Double.isFinite(g)) gs.add(g);
            ent = Math.min(ent, m.get("attn_entropy_ratio/layer" + l));
        }
        return new Init(Measure.median(gs.stream().mapToDouble(Double::doubleValue).toArray()),
                m.get("rank_collapse/layer" + (depth - 1)), ent);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Double>[] firstMetrics() {
        return new Map[1];
    }

    static TrainListener metricsListener(Map<String, Double>[] first) {
        return new TrainListener() {
            @Override public void onStep(int step, double loss, double gradNorm) {
            }

            @Override public void onEval(int step, double loss, double se) {
            }

            @Override public void onMetrics(int step, Map<String, Double> m) {
                if (first[0] == null) first[0] = m;
            }
        };
    }

    static String cell(DeepConfig m, StringBuilder raw, double[] g) {
        double[] rho = new double[SEEDS.length], ent = new double[SEEDS.length];
        for (int i = 0; i < SEEDS.length; i++) {
            Init r = atInit(m, SEEDS[i]);
            g[i] = r.g();
            rho[i] = r.rho();
            ent[i] = r.entropyRatioMin();
        }
        raw.append(String.format("raw d=%d T=%d L=%d %s %s g=%s%n", m.dModel(), m.seqLen(), m.depth(),
                m.residualScaling(), m.layerNormPosition(), java.util.Arrays.toString(g)));
        return Measure.mmm(g, "%.3g") + " | " + Measure.mmm(rho, "%.3f") + " | " + Measure.mmm(ent, "%.2f");
    }

    @Test
    @EnabledIfSystemProperty(named = "tdlab.reproduce", matches = "true")
    void gradientRatioAgainstHeadDimAndLength() {
        System.out.println(gradientRatioTables(8, new int[] {8, 16, 32, 64}, new int[] {8, 16, 32, 64}));
    }

    /** The two tables (against d_k at T = 16, against T at d = 32), depth L, every scaling × LN position. */
    static String gradientRatioTables(int depth, int[] widths, int[] lengths) {
        StringBuilder out = new StringBuilder(), raw = new StringBuilder(), fits = new StringBuilder();
        out.append(String.format("%nNOCI g against d_k (one head, d_k = dModel), T = 16, L = %d, seeds 0-4:"
                + " median [min, max]%n%n", depth));
        out.append("| LN | scaling | d_k | g | ρ(last block) | min entropy ratio |\n|---|---|---|---|---|---|\n");
        for (String ln : List.of("post", "pre")) {
            for (String sc : List.of("none", "inv-sqrt-depth")) {
                double[][] g = new double[widths.length][SEEDS.length];
                for (int i = 0; i < widths.length; i++) {
                    out.append(String.format("| %s | %s | %d | %s |%n", ln, sc, widths[i],
                            cell(model(widths[i], 16, depth, sc, ln), raw, g[i])));
                }
                fits.append(slopes("d_k", ln, sc, widths, g));
            }
        }
        out.append(String.format("%nNOCI g against T, d = 32, L = %d, seeds 0-4: median [min, max]%n%n", depth));
        out.append("| LN | scaling | T | g | ρ(last block) | min entropy ratio |\n|---|---|---|---|---|---|\n");
        for (String ln : List.of("post", "pre")) {
            for (String sc : List.of("none", "inv-sqrt-depth")) {
                double[][] g = new double[lengths.length][SEEDS.length];
                for (int i = 0; i < lengths.length; i++) {
                    out.append(String.format("| %s | %s | %d | %s |%n", ln, sc, lengths[i],
                            cell(model(32, lengths[i], depth, sc, ln), raw, g[i])));
                }
                fits.append(slopes("T", ln, sc, lengths, g));
            }
        }
        return out.append('\n').append(fits).append('\n').append(raw).toString();
    }

    /**
     * The exponent of g ∝ size^s: least-squares slope of log g on log size, per seed (median [min, max] over seeds)
     * and of the per-size medians. {@code g[size][seed]}.
     */
    static String slopes(String what, String ln, String sc, int[] sizes, double[][] g) {
        double[] lx = new double[sizes.length], lm = new double[sizes.length], per = new double[SEEDS.length];
        for (int i = 0; i < sizes.length; i++) {
            lx[i] = Math.log(sizes[i]);
            lm[i] = Math.log(Measure.median(g[i]));
        }
        for (int s = 0; s < SEEDS.length; s++) {
            double[] ly = new double[sizes.length];
            for (int i = 0; i < sizes.length; i++) ly[i] = Math.log(g[i][s]);
            per[s] = Measure.slope(lx, ly);
        }
        return String.format("slope of log g on log %s, %s-LN, %s: per seed %s; of the medians %.2f%n", what, ln, sc,
                Measure.mmm(per, "%.2f"), Measure.slope(lx, lm));
    }

    /** Eval loss after {@code steps} (and at step 50) per seed. */
    static double[][] trainLosses(DeepConfig m, OptimizerConfig opt, int steps) {
        double[][] out = new double[2][SEEDS.length];
        for (int i = 0; i < SEEDS.length; i++) {
            long seed = SEEDS[i];
            TokenDataset train = MarkovGenerator.generate(CHAIN, 512, m.seqLen(), 1000 + seed);
            TokenDataset eval = MarkovGenerator.generate(CHAIN, 128, m.seqLen(), 2000 + seed);
            double[] at50 = {Double.NaN};
            TrainResult r = Trainer.train(m, opt, new TrainConfig(16, steps, 50, seed).withMetricsEvery(steps),
                    train, eval, new TrainListener() {
                        @Override public void onStep(int step, double loss, double gradNorm) {
                        }

                        @Override public void onEval(int step, double loss, double se) {
                            if (step == 50) at50[0] = loss;
                        }
                    }, null);
            out[0][i] = at50[0];
            out[1][i] = r.divergedAtStep() >= 0 ? Double.NaN : r.finalEvalLoss();
        }
        return out;
    }

    @Test
    @EnabledIfSystemProperty(named = "tdlab.reproduce", matches = "true")
    void trainingEffect() {
        System.out.println(trainingTable(32, 100, OPTIMIZERS));
    }

    static String trainingTable(int depth, int steps, List<OptimizerConfig> opts) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%nNOCI eval loss (nats) after 50 and %d steps, L = %d, d = 32, T = 16, batch 16,"
                + " post-LN, seeds 0-4: median [min, max]; entropy rate %.4f, unigram %.4f%n%n", steps, depth,
                CHAIN.entropyRate(), CHAIN.unigramEntropy()));
        out.append("| optimizer | lr | scaling | loss @50 | loss @" + steps + " | per seed @" + steps + " |\n"
                + "|---|---|---|---|---|---|\n");
        for (OptimizerConfig o : opts) {
            for (String sc : List.of("none", "inv-sqrt-depth")) {
                double[][] r = trainLosses(model(32, 16, depth, sc, "post"), o, steps);
                out.append(String.format("| %s | %g | %s | %s | %s | %s |%n", o.name(), o.lr(), sc,
                        Measure.mmm(r[0], "%.4f"), Measure.mmm(r[1], "%.4f"), fmt(r[1])));
            }
        }
        return out.toString();
    }

    static String fmt(double[] xs) {
        StringBuilder b = new StringBuilder();
        for (double x : xs) b.append(b.length() == 0 ? "" : ", ").append(String.format("%.4f", x));
        return b.toString();
    }

    /** Fast: the measurement machinery at a tiny size (depth 3, d 8, 1 seed): g finite and positive, ρ in (0, 1]. */
    @Test
    void initMeasurementIsFiniteAtSmallSize() {
        Init r = atInit(model(8, 8, 3, "none", "post"), 0);
        assertTrue(r.g() > 0 && Double.isFinite(r.g()), "g " + r.g());
        assertTrue(r.rho() > 0 && r.rho() <= 1, "rho " + r.rho());
        assertTrue(r.entropyRatioMin() > 0 && r.entropyRatioMin() <= 1, "entropy ratio " + r.entropyRatioMin());
    }

    public static void main(String[] args) {
        String what = args.length > 0 ? args[0] : "grad";
        if (what.equals("grad")) {
            System.out.println(gradientRatioTables(8, new int[] {8, 16, 32, 64}, new int[] {8, 16, 32, 64}));
        } else {
            System.out.println(trainingTable(Integer.parseInt(args[1]), Integer.parseInt(args[2]), OPTIMIZERS));
        }
    }
}
