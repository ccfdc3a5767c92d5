package dev.tdlab.core.model.deep;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.TokenDataset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The deep graph as built (the MLP's ReLU as max(x, 0)) against its earlier form (ND4J's relu op), run for run: both
 * graphs from the same parameters, 10 gradient-descent steps on the same batches, the parameters updated in Java;
 * losses and every gradient agree step by step (float64: to 1e-12 relative; float32: to 1e-5).
 */
class DeepGraphFormsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"DOUBLE,1e-12", "FLOAT,1e-5"})
    void maxFormTrainsAsTheReluOp(String dtype, double tol) {
        DeepConfig c = new DeepConfig(2, 16, 8, 2, 2, "inv-sqrt-depth", 1.0, true, true, 4, true, "softmax",
                "standard", "gpt2", 0.5, Map.of());
        DataType dt = DataType.valueOf(dtype);
        Map<String, double[]> p = DeepTransformer.initialParameters(c, 4);
        Map<String, double[]> pa = new HashMap<>(), pb = new HashMap<>();
        p.forEach((k, v) -> {
            pa.put(k, v.clone());
            pb.put(k, v.clone());
        });
        SameDiff now = DeepTransformer.build(c, dt, pa, false), before = DeepTransformer.build(c, dt, pb, true);
        List<String> names = DeepTransformer.parameterNames(c);
        TokenDataset ds = DeepFixtures.uniformTokens(2, 40, 16, 9);
        double worstLoss = 0, worstGrad = 0;
        for (int step = 0; step < 10; step++) {
            Map<String, INDArray> ph = batch(ds, step * 4, 4, 16, dt);
            OutAndGrad a = now.calculateGradientsAndOutputs(ph, List.of(DeepTransformer.LOSS), names);
            OutAndGrad b = before.calculateGradientsAndOutputs(ph, List.of(DeepTransformer.LOSS), names);
            double la = a.getOutputs().get(DeepTransformer.LOSS).getDouble(0);
            double lb = b.getOutputs().get(DeepTransformer.LOSS).getDouble(0);
            worstLoss = Math.max(worstLoss, Math.abs(la - lb) / Math.abs(lb));
            for (String n : names) {
                double[] ga = a.getGradients().get(n).dup('c').data().asDouble();
                double[] gb = b.getGradients().get(n).dup('c').data().asDouble();
                double diff = 0, scale = 0;
                for (int i = 0; i < ga.length; i++) {
                    diff = Math.max(diff, Math.abs(ga[i] - gb[i]));
                    scale = Math.max(scale, Math.abs(gb[i]));
                }
                worstGrad = Math.max(worstGrad, diff / Math.max(scale, 1e-30));
                step(now, n, pa.get(n), ga);
                step(before, n, pb.get(n), gb);
            }
        }
        System.out.printf("deep graph max(x,0) vs relu op %s, 10 steps: max relative difference loss %.1e, gradients %.1e%n",
                dtype, worstLoss, worstGrad);
        assertTrue(worstLoss < tol, "loss " + worstLoss);
        assertTrue(worstGrad < 10 * tol, "gradients " + worstGrad);
    }

    /** w -= 0.5 g in double precision, then the graph gets the new values. */
    private static void step(SameDiff sd, String name, double[] w, double[] g) {
        for (int i = 0; i < w.length; i++) w[i] -= 0.5 * g[i];
        INDArray arr = sd.getVariable(name).getArr();
        arr.assign(Nd4j.createFromArray(w).reshape(arr.shape()).castTo(arr.dataType()));
    }

    private static Map<String, INDArray> batch(TokenDataset ds, int from, int b, int t, DataType dt) {
        double[] x = new double[b * t * 2], y = new double[b * t * 2];
        for (int s = 0; s < b; s++) {
            for (int p = 0; p < t; p++) {
                x[(s * t + p) * 2 + ds.token(from + s, p)] = 1;
                y[(s * t + p) * 2 + ds.token(from + s, p + 1)] = 1;
            }
        }
        return Map.of(DeepTransformer.INPUT, Nd4j.createFromArray(x).reshape('c', b, t, 2).castTo(dt),
                DeepTransformer.TARGET, Nd4j.createFromArray(y).reshape('c', b, t, 2).castTo(dt));
    }
}
