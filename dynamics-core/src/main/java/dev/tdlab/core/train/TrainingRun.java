package dev.tdlab.core.train;

import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.SingleLayerConfig;
import dev.tdlab.core.model.SingleLayerTransformer;
import dev.tdlab.core.optim.Optimizer;
import dev.tdlab.core.optim.OptimizerConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The state of one training run: the graph, the master copy of the parameters in double precision (the graph holds
 * their float32/float64 image), and the optimizer. Gradients come from SameDiff
 * ({@code calculateGradientsAndOutputs}); updates are done in Java by {@link Optimizer}.
 */
final class TrainingRun {

    /** Attention-score elements (B*H*T*T) allowed per evaluation chunk: 4M floats = 16 MB. */
    static final long EVAL_BUDGET = 1L << 22;

    final SingleLayerConfig cfg;
    final DataType dtype;
    final SameDiff sd;
    final List<String> names;
    final INDArray[] arrays;
    final double[][] params;
    final Optimizer optimizer;
    private final Map<Integer, OneHotBatch> batches = new HashMap<>();

    TrainingRun(SingleLayerConfig cfg, OptimizerConfig opt, DataType dtype, long seed) {
        this.cfg = cfg;
        this.dtype = dtype;
        Map<String, double[]> init = SingleLayerTransformer.initialParameters(cfg, seed);
        this.sd = SingleLayerTransformer.build(cfg, dtype, init);
        this.names = SingleLayerTransformer.parameterNames(cfg);
        int n = names.size();
        this.arrays = new INDArray[n];
        this.params = new double[n][];
        int[] sizes = new int[n];
        boolean[] decay = new boolean[n];
        Map<String, long[]> shapes = SingleLayerTransformer.shapes(cfg);
        for (int i = 0; i < n; i++) {
            String name = names.get(i);
            arrays[i] = sd.getVariable(name).getArr();
            params[i] = init.get(name).clone();
            sizes[i] = params[i].length;
            // as nanoGPT/Makkuva: decay the weight matrices; not biases, not the positional embedding
            decay[i] = shapes.get(name).length == 2 && !name.equals(SingleLayerTransformer.WPE);
        }
        this.optimizer = Optimizer.create(opt, sizes, decay);
    }

    OneHotBatch batch(int b) {
        return batches.computeIfAbsent(b, k -> new OneHotBatch(k, cfg.seqLen(), cfg.vocab(), dtype));
    }

    /** Loss (mean over the batch's B*T targets) and gradients (row-major doubles, parameter order) on one batch. */
    double lossAndGradients(OneHotBatch batch, double[][] gradsOut) {
        Map<String, INDArray> ph = Map.of(SingleLayerTransformer.INPUT, batch.x, SingleLayerTransformer.TARGET, batch.y);
        OutAndGrad og = sd.calculateGradientsAndOutputs(ph, List.of(SingleLayerTransformer.LOSS), names);
        Map<String, INDArray> g = og.getGradients();
        for (int i = 0; i < names.size(); i++) gradsOut[i] = toDoubles(g.get(names.get(i)));
        return og.getOutputs().get(SingleLayerTransformer.LOSS).getDouble(0);
    }

    /** Per-token losses [B*T] of one batch. */
    double[] tokenLosses(OneHotBatch batch) {
        Map<String, INDArray> ph = Map.of(SingleLayerTransformer.INPUT, batch.x, SingleLayerTransformer.TARGET, batch.y);
        return toDoubles(sd.output(ph, SingleLayerTransformer.TOKEN_LOSS).get(SingleLayerTransformer.TOKEN_LOSS));
    }

    /** One optimizer update of the master parameters, then copies them into the graph. */
    void update(double[][] grads, double lr) {
        optimizer.step(params, grads, lr);
        for (int i = 0; i < arrays.length; i++) {
            INDArray a = arrays[i];
            if (dtype == DataType.FLOAT) {
                double[] p = params[i];
                float[] f = new float[p.length];
                for (int j = 0; j < p.length; j++) f[j] = (float) p[j];
                a.data().setData(f);
            } else {
                a.data().setData(params[i]);
            }
        }
    }

    /** Evaluation chunk: at least {@code minChunk} sequences, more while the attention scores fit the budget. */
    int evalChunk(int minChunk, int numSequences) {
        long perSeq = (long) cfg.heads() * cfg.seqLen() * cfg.seqLen();
        long fit = Math.max(1, EVAL_BUDGET / perSeq);
        return (int) Math.min(numSequences, Math.max(minChunk, Math.min(fit, 1024)));
    }

    /** {mean loss, standard error} over every sequence of {@code ds}. */
    double[] evaluate(TokenDataset ds, int minChunk) {
        int n = ds.numSequences(), t = cfg.seqLen();
        int chunk = evalChunk(minChunk, n);
        double[] perSeq = new double[n];
        int[] all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        for (int from = 0; from < n; from += chunk) {
            int b = Math.min(chunk, n - from);
            OneHotBatch batch = batch(b);
            batch.fill(ds, all, from);
            double[] tl = tokenLosses(batch);
            for (int i = 0; i < b; i++) {
                double s = 0;
                for (int p = 0; p < t; p++) s += tl[i * t + p];
                perSeq[from + i] = s / t;
            }
        }
        return meanAndStdErr(perSeq);
    }

    static double[] meanAndStdErr(double[] xs) {
        int n = xs.length;
        double mean = 0;
        for (double x : xs) mean += x;
        mean /= n;
        if (n < 2) return new double[] {mean, Double.NaN};
        double ss = 0;
        for (double x : xs) ss += (x - mean) * (x - mean);
        return new double[] {mean, Math.sqrt(ss / (n - 1)) / Math.sqrt(n)};
    }

    static double globalNorm(double[][] grads) {
        double s = 0;
        for (double[] g : grads) for (double x : g) s += x * x;
        return Math.sqrt(s);
    }

    static double[] toDoubles(INDArray a) {
        INDArray c = a;
        if (c.isView() || c.ordering() != 'c' || c.data().length() != c.length()) c = c.dup('c');
        return c.data().asDouble();
    }
}
