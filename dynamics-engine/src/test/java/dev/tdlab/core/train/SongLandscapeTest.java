package dev.tdlab.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.NoisyPatchConfig;
import dev.tdlab.core.data.NoisyPatchGenerator;
import dev.tdlab.core.data.PatchDataset;
import dev.tdlab.core.data.Streams;
import dev.tdlab.core.model.ModelDefinition;
import dev.tdlab.core.model.Models;
import dev.tdlab.core.model.twolayerclassifier.ClassifierConfig;
import dev.tdlab.core.optim.OptimizerConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Song et al. 2024, landscape evidence for the q-only setting of the attention-kernels template (noisy patches D = 64,
 * P = 4, n = 16, ‖μ‖ = 8, matched norms; one head of width 64, scores × 1/8, mean pooling, linear readout; fan-in
 * init std 1, W_V std 1; squared loss; full-batch GD lr 0.1; only W_Q trained; data and init from the run's seed as
 * on the stack). Per kernel and seed: the training loss along the path, and at steps 0, 400 (the template's budget)
 * and 2000 the gradient norm and the extreme eigenvalues of the Hessian of the full-batch training loss with respect
 * to the trained parameters (W_Q, 4096 entries): Lanczos with full reorthogonalization, Hessian-vector products by
 * central differences of the analytic (SameDiff) gradient in float64. Also the loss along the straight segment from
 * the init to the step-2000 point (a barrier on it shows the path had to go around one).
 * Regenerate: {@code ./mvnw -q -B -o -pl dynamics-theory,dynamics-engine test -Preproduce -Dtest=SongLandscapeTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class SongLandscapeTest {

    static final int LANCZOS_STEPS = 60;
    static final double FD_EPS = 1e-5;

    static ClassifierConfig model(String kernel, int dim, int patches) {
        return model(kernel, dim, patches, 1.0);
    }

    /** The template's classifier with W_V's init std {@code vStd} (the template: 1). */
    static ClassifierConfig model(String kernel, int dim, int patches, double vStd) {
        return new ClassifierConfig("patches", patches, dim, 0, 1, dim, dim, kernel, true, "mean", "linear",
                "fan-in", 1.0, vStd, Map.of(), "squared");
    }

    static PatchDataset data(int dim, int patches, int n, long seed) {
        NoisyPatchConfig cfg = new NoisyPatchConfig(dim, patches, 8.0, 1.0, dim - 1, 0.0, true);
        return NoisyPatchGenerator.generate(cfg, n, Streams.key(seed, "train"), 1);
    }

    /**
     * The full-batch training loss of a classifier and its gradient with respect to a trainable subset, in float64,
     * at any point (the trainable entries flattened in trainable order).
     */
    static final class Landscape {
        final TrainingRun run;
        final Feed batch;
        final int dim;
        final double[][] grads;

        Landscape(ClassifierConfig m, Map<String, double[]> params, List<String> trainable, PatchDataset train) {
            ModelDefinition def = Models.of(m);
            run = new TrainingRun(def, OptimizerConfig.of("gd", 0.1), DataType.DOUBLE, trainable, params);
            int n = train.size();
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            batch = Sources.of(run, train).batch(all, 0, n);
            int d = 0;
            for (double[] p : run.params) d += p.length;
            dim = d;
            grads = new double[run.names.size()][];
        }

        double[] point() {
            double[] x = new double[dim];
            int o = 0;
            for (double[] p : run.params) {
                System.arraycopy(p, 0, x, o, p.length);
                o += p.length;
            }
            return x;
        }

        void set(double[] x) {
            int o = 0;
            for (int i = 0; i < run.params.length; i++) {
                double[] p = run.params[i];
                System.arraycopy(x, o, p, 0, p.length);
                o += p.length;
                run.arrays[i].data().setData(p);
            }
        }

        /** Loss at x; the gradient into g when g is not null. */
        double loss(double[] x, double[] g) {
            set(x);
            double l = run.lossAndGradients(batch, grads, List.of(), new HashMap<>());
            if (g != null) {
                int o = 0;
                for (double[] gi : grads) {
                    System.arraycopy(gi, 0, g, o, gi.length);
                    o += gi.length;
                }
            }
            return l;
        }

        /** H·v at x by central differences of the gradient. */
        double[] hvp(double[] x, double[] v, double eps) {
            double[] xp = x.clone(), xm = x.clone(), gp = new double[dim], gm = new double[dim];
            Measure.axpy(eps, v, xp);
            Measure.axpy(-eps, v, xm);
            loss(xp, gp);
            loss(xm, gm);
            double[] h = new double[dim];
            for (int i = 0; i < dim; i++) h[i] = (gp[i] - gm[i]) / (2 * eps);
            return h;
        }

        /** Ritz values of the Hessian at x (ascending). */
        double[] hessianSpectrum(double[] x, int steps) {
            return Measure.lanczos(v -> hvp(x, v, FD_EPS), dim, steps, 11);
        }
    }

    /**
     * The infimum of the q-only squared loss: with W_V and the readout frozen, the logit of an example is a mean over
     * queries of convex combinations of its fixed per-patch values v_p = x_p·W_V·r, so it lies in [min_p v_p, max_p v_p]
     * whatever W_Q is (softmax and the normalized Gaussian alike), and the loss is at least the mean over examples of
     * the squared distance from the target ±1 to that interval (approached only as the attention becomes one-hot).
     * Returns {that floor, the number of examples whose target lies outside the interval}.
     */
    static double[] qOnlyFloor(ClassifierConfig m, Map<String, double[]> params, PatchDataset train) {
        double[] wv = params.get(dev.tdlab.core.model.twolayerclassifier.PatchClassifier.WV);
        double[] r = params.get(dev.tdlab.core.model.twolayerclassifier.PatchClassifier.HEAD_W);
        int d = m.inputDim(), dv = m.valueDim(), n = train.size();
        double floor = 0;
        int outside = 0;
        for (int i = 0; i < n; i++) {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (int p = 0; p < train.patches(); p++) {
                double v = 0;
                for (int a = 0; a < d; a++) {
                    double xa = train.value(i, p, a), wr = 0;
                    for (int b = 0; b < dv; b++) wr += wv[a * dv + b] * r[b];
                    v += xa * wr;
                }
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            double y = train.label(i) > 0 ? 1 : -1; // stored as ±1 (ClassBatch.label01)
            double dist = Math.max(0, Math.max(lo - y, y - hi));
            if (dist > 0) outside++;
            floor += dist * dist / n;
        }
        return new double[] {floor, outside};
    }

    record Run(List<Double> loss, Map<Integer, Map<String, double[]>> params) {
    }

    /** Float32 full-batch GD as the stack trains it; parameters kept at the given steps (step 0: the init). */
    static Run train(ClassifierConfig m, PatchDataset train, PatchDataset eval, long seed, int steps, int[] keep,
                     List<String> trainable) {
        List<Double> loss = new ArrayList<>();
        Map<Integer, Map<String, double[]>> kept = new LinkedHashMap<>();
        kept.put(0, Models.of(m).initialParameters(seed));
        int every = keep[0];
        for (int k : keep) every = gcd(every, k);
        Trainer.train(m, OptimizerConfig.of("gd", 0.1), new TrainConfig(train.size(), steps, steps, seed)
                .withTrainable(trainable).withMetricsEvery(steps).withCheckpointEvery(every), train, eval,
                new TrainListener() {
                    @Override public void onStep(int step, double l, double g) {
                        loss.add(l);
                    }

                    @Override public void onEval(int step, double l, double se) {
                    }

                    @Override public void onCheckpoint(Checkpoint c) {
                        for (int k : keep) if (k == c.step()) kept.put(k, c.params());
                    }
                }, null);
        return new Run(loss, kept);
    }

    static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    static String measure(List<String> kernels, int[] seeds, int steps, int[] at) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%nSONG q-only landscape: D = 64, P = 4, n = 16, squared loss, GD lr 0.1; Hessian of the"
                + " full-batch train loss w.r.t. W_Q (4096), Lanczos %d steps, FD eps %g%n%n", LANCZOS_STEPS, FD_EPS));
        out.append("| kernel | seed | step | train loss | ‖∇‖ | λ_min | λ_max | λ_min/λ_max |\n|---|---|---|---|---|---|---|---|\n");
        StringBuilder paths = new StringBuilder("\nloss along the path (steps 0, 10, 25, 50, 100, 200, 400, 1000, 2000) and on"
                + " the segment init → step " + steps + " (t = 0, .25, .5, .75, 1):\n\n");
        StringBuilder floors = new StringBuilder("\nq-only loss floor (W_V, readout frozen at init; see qOnlyFloor):\n\n");
        for (String kernel : kernels) {
            ClassifierConfig m = model(kernel, 64, 4);
            for (long seed : java.util.Arrays.stream(seeds).asLongStream().toArray()) {
                PatchDataset train = data(64, 4, 16, seed);
                PatchDataset eval = NoisyPatchGenerator.generate(new NoisyPatchConfig(64, 4, 8.0, 1.0, 63, 0.0, true),
                        64, Streams.key(seed, "eval"), 1);
                Run r = train(m, train, eval, seed, steps, at, List.of("q"));
                for (int k : r.params().keySet()) {
                    Landscape ls = new Landscape(m, r.params().get(k), List.of("q"), train);
                    double[] x = ls.point(), g = new double[ls.dim];
                    double l = ls.loss(x, g);
                    double[] ev = ls.hessianSpectrum(x, LANCZOS_STEPS);
                    double lo = ev[0], hi = ev[ev.length - 1];
                    out.append(String.format("| %s | %d | %d | %.4f | %.2e | %.3e | %.3e | %.2e |%n", kernel, seed, k, l,
                            Measure.norm(g), lo, hi, lo / hi));
                }
                double[] fl = qOnlyFloor(m, r.params().get(0), train);
                floors.append(String.format("%s seed %d: floor %.4f (%d of %d targets outside their value interval)%n",
                        kernel, seed, fl[0], (int) fl[1], train.size()));
                paths.append(String.format("%s seed %d path:", kernel, seed));
                for (int s : new int[] {0, 10, 25, 50, 100, 200, 400, 1000, 2000}) {
                    if (s < r.loss().size()) paths.append(String.format(" %.4f", r.loss().get(s)));
                }
                Landscape ls = new Landscape(m, r.params().get(0), List.of("q"), train);
                double[] x0 = ls.point();
                double[] x1 = new Landscape(m, r.params().get(steps), List.of("q"), train).point();
                paths.append("; segment:");
                for (double t : new double[] {0, 0.25, 0.5, 0.75, 1}) {
                    double[] xt = x0.clone();
                    for (int i = 0; i < xt.length; i++) xt[i] = (1 - t) * x0[i] + t * x1[i];
                    paths.append(String.format(" %.4f", ls.loss(xt, null)));
                }
                paths.append('\n');
            }
        }
        return out.append(paths).append(floors).toString();
    }

    @Test
    @EnabledIfSystemProperty(named = "tdlab.reproduce", matches = "true")
    void qOnlyHessianAtStallsAndConvergingRuns() {
        System.out.println(measure(List.of("gaussian", "softmax"), new int[] {0, 1, 2, 3, 4}, 2000,
                new int[] {400, 2000}));
    }

    /**
     * Fast: on a tiny classifier (D = 3, P = 2, n = 4, all parameters: 3·9 + 3 = 30) the finite-difference Hessian
     * is symmetric, and Lanczos run to the full dimension gives the eigenvalues of the dense Hessian built column by
     * column from the same products.
     */
    @Test
    void lanczosMatchesTheDenseHessianOfASmallModel() {
        ClassifierConfig m = model("gaussian", 3, 2);
        NoisyPatchConfig cfg = new NoisyPatchConfig(3, 2, 1.0, 1.0, 2, 0.0, true);
        PatchDataset train = NoisyPatchGenerator.generate(cfg, 4, Streams.key(3, "train"), 1);
        Landscape ls = new Landscape(m, Models.of(m).initialParameters(3), List.of("all"), train);
        int n = ls.dim;
        assertEquals(30, n);
        double[] x = ls.point();
        double[][] h = new double[n][];
        for (int j = 0; j < n; j++) {
            double[] e = new double[n];
            e[j] = 1;
            h[j] = ls.hvp(x, e, FD_EPS);
        }
        double scale = 0;
        for (double[] row : h) for (double v : row) scale = Math.max(scale, Math.abs(v));
        double[][] sym = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                assertEquals(h[i][j], h[j][i], 1e-6 * scale, "symmetric at " + i + "," + j);
                sym[i][j] = 0.5 * (h[i][j] + h[j][i]);
            }
        }
        double[] dense = Measure.symmetricEigenvalues(sym);
        double[] lz = ls.hessianSpectrum(x, n);
        assertArrayEquals(dense, lz, 1e-5 * scale);
        assertTrue(dense[0] < 0 || dense[0] >= 0, "finite");
        // the FD directional curvature agrees with the second difference of the loss along a direction
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = Math.sin(i + 1.0);
        Measure.scale(v, 1 / Measure.norm(v));
        double vhv = Measure.dot(v, ls.hvp(x, v, FD_EPS));
        double t = 1e-3;
        double[] xp = x.clone(), xm = x.clone();
        Measure.axpy(t, v, xp);
        Measure.axpy(-t, v, xm);
        double second = (ls.loss(xp, null) - 2 * ls.loss(x, null) + ls.loss(xm, null)) / (t * t);
        assertEquals(second, vhv, 1e-4 * Math.max(1, Math.abs(vhv)));
    }

    /** Fast: the q-only floor is a lower bound of the loss at the init and at random W_Q (tiny model, 3 seeds). */
    @Test
    void qOnlyFloorBoundsTheLoss() {
        for (long seed = 0; seed < 3; seed++) {
            ClassifierConfig m = model("softmax", 4, 3);
            PatchDataset train = NoisyPatchGenerator.generate(new NoisyPatchConfig(4, 3, 1.0, 1.0, 3, 0.0, true), 6,
                    Streams.key(seed, "train"), 1);
            Map<String, double[]> p = Models.of(m).initialParameters(seed);
            double floor = qOnlyFloor(m, p, train)[0];
            Landscape ls = new Landscape(m, p, List.of("q"), train);
            double[] x = ls.point();
            assertTrue(ls.loss(x, null) >= floor - 1e-12, "at init");
            java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
            for (int k = 0; k < 20; k++) {
                double[] y = new double[x.length];
                for (int i = 0; i < y.length; i++) y[i] = 30 * (r.nextDouble() - 0.5);
                assertTrue(ls.loss(y, null) >= floor - 1e-12, "random W_Q");
            }
        }
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("floor")) { // floor [vStd...]: the q-only floor at init, seeds 0-4
            double[] vStds = args.length > 1
                    ? java.util.Arrays.stream(args).skip(1).mapToDouble(Double::parseDouble).toArray() : new double[] {1};
            for (double vs : vStds) {
                ClassifierConfig m = model("softmax", 64, 4, vs); // the floor does not depend on the kernel
                for (long seed = 0; seed < 5; seed++) {
                    PatchDataset train = data(64, 4, 16, seed);
                    double[] fl = qOnlyFloor(m, Models.of(m).initialParameters(seed), train);
                    Map<String, double[]> p = Models.of(m).initialParameters(seed);
                    double[] wv = p.get(dev.tdlab.core.model.twolayerclassifier.PatchClassifier.WV);
                    double[] r = p.get(dev.tdlab.core.model.twolayerclassifier.PatchClassifier.HEAD_W);
                    double e1 = 0; // the signal direction's value per unit norm: (W_V r)_0, the signal patch being ±‖μ‖e₁
                    for (int b = 0; b < m.valueDim(); b++) e1 += wv[b] * r[b];
                    System.out.printf("vStd %g seed %d floor %.4f outside %d signal value per label %.3f%n", vs, seed,
                            fl[0], (int) fl[1], 8 * e1);
                }
            }
            return;
        }
        List<String> kernels = List.of(args.length > 0 ? args[0].split(",") : new String[] {"gaussian", "softmax"});
        int[] seeds = args.length > 1 ? java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {0, 1, 2, 3, 4};
        System.out.println(measure(kernels, seeds, 2000, new int[] {400, 2000}));
    }
}
