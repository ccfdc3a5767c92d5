package dev.tdlab.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.NoisyPatchConfig;
import dev.tdlab.core.data.NoisyPatchGenerator;
import dev.tdlab.core.data.PatchDataset;
import dev.tdlab.core.data.Streams;
import dev.tdlab.core.model.twolayerclassifier.ClassifierConfig;
import dev.tdlab.core.optim.OptimizerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Run for run, the two-layer classifier: the same run (config, seed, data) trained through the {@link Trainer} by the
 * SameDiff graph (the engine of record) and by the hand-written kernels ({@code dev.tdlab.core.fast.ClassifierKernels})
 * gives the same train loss, eval loss, train and eval 0-1 errors, attention entropy and parameter norms, step by
 * step. Graph in float64: to 1e-9 relative (only summation order differs), errors identical. Graph in float32 (the
 * trainer's default): to 1e-5 relative (the kernels compute in float64), errors within one example.
 */
class ClassifierEngineAgreementTest {

    static final NoisyPatchConfig NOISY = NoisyPatchConfig.dense(16, 2, 1.0, 0.5);
    static final PatchDataset TRAIN = NoisyPatchGenerator.generate(NOISY, 48, Streams.key(5, "train"), 1);
    static final PatchDataset EVAL = NoisyPatchGenerator.generate(NOISY, 40, Streams.key(5, "eval"), 1);

    record Curve(List<Double> loss, List<Double> eval, List<Double> trainErr, List<Double> evalErr,
                 List<Double> entropy, List<Double> paramNorm) {
    }

    static Curve run(ClassifierConfig model, String engine, DataType dtype, String optimizer, boolean fullBatch) {
        Curve c = new Curve(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>());
        TrainConfig cfg = new TrainConfig(16, 100, 20, 3L, List.of("all"), 0, 10, false, fullBatch, engine);
        Trainer.train(model, OptimizerConfig.of(optimizer, 1e-2), cfg, TRAIN, EVAL, new TrainListener() {
            public void onStep(int step, double loss, double gradNorm) {
                c.loss.add(loss);
            }

            public void onEval(int step, double loss, double stdErr) {
                c.eval.add(loss);
            }

            public void onMetrics(int step, Map<String, Double> metrics) {
                c.trainErr.add(metrics.get("train_error"));
                if (metrics.containsKey("eval_error")) c.evalErr.add(metrics.get("eval_error"));
                Double e = metrics.get("attn_entropy/layer0");
                if (e != null) c.entropy.add(e);
                metrics.forEach((k, v) -> {
                    if (k.startsWith("param_norm/")) c.paramNorm.add(v);
                });
            }
        }, null, dtype);
        return c;
    }

    @ParameterizedTest(name = "{0} {1} {2} fullBatch={3}")
    @CsvSource({"DOUBLE,li,adam,true,1e-9", "FLOAT,li,adam,true,1e-5", "DOUBLE,song,adam,false,1e-9",
        "FLOAT,song,adamw,false,1e-5", "DOUBLE,li,signgd,true,1e-9"})
    void sameRunSameCurves(String dtype, String family, String optimizer, boolean fullBatch, double tol) {
        ClassifierConfig model = family.equals("li") ? ClassifierConfig.li(2, 16, 8, 4, 0.1)
                : ClassifierConfig.song(2, 16, 8, 2, "gaussian", 0.5);
        DataType dt = DataType.valueOf(dtype);
        Curve graph = run(model, "samediff", dt, optimizer, fullBatch);
        Curve fast = run(model, "fast", dt, optimizer, fullBatch);
        assertEquals(100, graph.loss.size());
        double loss = FastEngineAgreementTest.maxRel(fast.loss, graph.loss);
        double ev = FastEngineAgreementTest.maxRel(fast.eval, graph.eval);
        double ent = FastEngineAgreementTest.maxRel(fast.entropy, graph.entropy);
        double norm = FastEngineAgreementTest.maxRel(fast.paramNorm, graph.paramNorm);
        double errs = Math.max(maxAbs(fast.trainErr, graph.trainErr), maxAbs(fast.evalErr, graph.evalErr));
        System.out.printf("classifier fast vs SameDiff %s %s %s fullBatch=%s, 100 steps: max relative difference: "
                + "train loss %.1e, eval loss %.1e, attention entropy %.1e, parameter norms %.1e; 0-1 errors %.3f "
                + "(final loss %.6f vs %.6f)%n", dtype, family, optimizer, fullBatch, loss, ev, ent, norm, errs,
                fast.loss.get(99), graph.loss.get(99));
        assertTrue(graph.loss.get(99) < 0.8 * graph.loss.get(0), "the run learns: " + graph.loss.get(99));
        assertTrue(loss < tol, "train loss " + loss);
        assertTrue(ev < tol, "eval loss " + ev);
        assertTrue(ent < tol, "attention entropy " + ent);
        assertTrue(norm < tol, "parameter norms " + norm);
        double oneExample = 1.0 / Math.min(16, EVAL.size());
        assertTrue(dt == DataType.DOUBLE ? errs == 0 : errs <= oneExample + 1e-12, "0-1 errors differ by " + errs);
    }

    static double maxAbs(List<Double> a, List<Double> b) {
        assertEquals(a.size(), b.size());
        double m = 0;
        for (int i = 0; i < a.size(); i++) m = Math.max(m, Math.abs(a.get(i) - b.get(i)));
        return m;
    }
}
