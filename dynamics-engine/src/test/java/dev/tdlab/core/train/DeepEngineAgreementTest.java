package dev.tdlab.core.train;

import static dev.tdlab.core.train.FastEngineAgreementTest.maxRel;
import static dev.tdlab.core.train.FastEngineAgreementTest.maxRelToScale;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.model.deep.DeepConfig;
import dev.tdlab.core.train.FastEngineAgreementTest.Curve;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Run for run, the deep model: the same run trained 50 steps through the {@link Trainer} by the SameDiff graph and by
 * {@link dev.tdlab.core.fast.DeepKernels} gives the same loss curve, eval losses, attention entropy, family metrics
 * (rank collapse, entropy ratios, head variance) and parameter and gradient norms, step by step. Graph in float64: to
 * 1e-9 relative (only summation order differs; measured ~2e-15). Graph in float32: to 1e-5 (measured ≤ 8e-7; the
 * kernels keep float64 with float32 dense products from 32 columns (the MLP's here), the graph rounds to float32 at
 * every op).
 */
class DeepEngineAgreementTest {

    @ParameterizedTest(name = "{0} d={1} T={2} heads={3} L={4} ln={5} {6}")
    @CsvSource({"DOUBLE,16,32,2,3,true,adam,1e-9", "DOUBLE,8,20,1,2,false,sgd,1e-9", "FLOAT,16,32,2,3,true,adam,1e-5"})
    void sameRunSameCurves(String dtype, int d, int t, int heads, int depth, boolean ln, String optimizer, double tol) {
        DeepConfig model = DeepConfig.defaults().withWidth(d, heads).withDepth(depth).withBlocks(ln, true);
        model = new DeepConfig(model.vocab(), t, model.dModel(), model.heads(), model.depth(), model.residualScaling(),
                model.beta(), model.layerNorm(), model.mlp(), model.mlpRatio(), model.tiedEmbedding(),
                model.attention(), model.parameterization(), model.initScheme(), model.initStd(), model.initValues());
        DataType dt = DataType.valueOf(dtype);
        Curve graph = FastEngineAgreementTest.run(model, "samediff", dt, optimizer, 50);
        Curve fast = FastEngineAgreementTest.run(model, "fast", dt, optimizer, 50);
        assertEquals(50, graph.loss().size());
        double loss = maxRel(fast.loss(), graph.loss()), ev = maxRel(fast.eval(), graph.eval());
        double ent = maxRel(fast.entropy(), graph.entropy()), norm = maxRel(fast.paramNorm(), graph.paramNorm());
        double fam = maxRelToScale(fast.family(), graph.family());
        double grad = maxRelToScale(fast.gradNorm(), graph.gradNorm());
        System.out.printf("deep kernels vs SameDiff %s d=%d T=%d heads=%d L=%d ln=%b %s, 50 steps: max relative "
                + "difference: train loss %.1e, eval loss %.1e, attention entropy %.1e, family metrics %.1e, parameter "
                + "norms %.1e, gradient norms %.1e (final loss %.6f vs %.6f, first %.6f)%n", dtype, d, t, heads, depth,
                ln, optimizer, loss, ev, ent, fam, norm, grad, fast.loss().get(49), graph.loss().get(49),
                graph.loss().get(0));
        assertTrue(graph.loss().get(49) < graph.loss().get(0), "the run learns");
        assertTrue(!graph.family().isEmpty() && graph.family().size() == fast.family().size(), "family metrics");
        assertTrue(loss < tol, "train loss " + loss);
        assertTrue(ev < tol, "eval loss " + ev);
        assertTrue(ent < tol, "attention entropy " + ent);
        assertTrue(fam < tol, "family metrics " + fam);
        assertTrue(norm < tol, "parameter norms " + norm);
        assertTrue(grad < 10 * tol, "gradient norms " + grad);
    }
}
