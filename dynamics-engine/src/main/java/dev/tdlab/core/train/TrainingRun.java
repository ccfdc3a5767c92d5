package dev.tdlab.core.train;

import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.fast.ClassifierKernels;
import dev.tdlab.core.fast.DeepKernels;
import dev.tdlab.core.fast.EngineChoice;
import dev.tdlab.core.fast.SingleLayerKernels;
import dev.tdlab.core.model.ModelConfig;
import dev.tdlab.core.model.ModelDefinition;
import dev.tdlab.core.model.ParameterGroups;
import dev.tdlab.core.model.deep.DeepConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerConfig;
import dev.tdlab.core.model.twolayerclassifier.ClassifierConfig;
import dev.tdlab.core.model.twolayerclassifier.PatchClassifier;
import dev.tdlab.core.optim.Optimizer;
import dev.tdlab.core.optim.OptimizerConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The state of one training run: the graph, the master copy of every parameter in double precision (the graph holds
 * their float32/float64 image), and the optimizer over the trainable ones. Gradients come from SameDiff
 * ({@code calculateGradientsAndOutputs}) for the trainable parameters only; updates are done in Java by
 * {@link Optimizer}. Frozen parameters are never written.
 */
final class TrainingRun {

    /** Attention-score elements (B*H*T*T) allowed per evaluation chunk: 4M floats = 16 MB. */
    static final long EVAL_BUDGET = 1L << 22;
    static final String LOSS = "loss", TOKEN_LOSS = "tokenLoss", INPUT = "x", TARGET = "y";

    final ModelDefinition def;
    final ModelConfig cfg;
    final DataType dtype;
    /** The graph; null when the hand-written kernels ({@link #fast}) compute this run. */
    final SameDiff sd;
    /** The hand-written float64 kernels (dev.tdlab.core.fast) when the engine choice gives them this run, else null. */
    final SingleLayerKernels fast;
    /** The classifier's hand-written float64 kernels when the engine choice gives them this run, else null. */
    final ClassifierKernels classifierFast;
    /** The deep model's hand-written float64 kernels when the engine choice gives them this run, else null. */
    final DeepKernels deepFast;
    private final double[] error = new double[1];
    private final TokenFeed tokenFeed = new TokenFeed();
    private final double[] entropy = new double[1];
    /** Every parameter, in definition order. */
    final List<String> all;
    /** The trainable ones, in definition order; indices below refer to this list. */
    final List<String> names;
    final INDArray[] arrays;
    final double[][] params;
    /** Master copies of every parameter (frozen ones too), by name; params[i] is the same array as master(names[i]). */
    final Map<String, double[]> master;
    final Optimizer optimizer;
    final Map<String, List<String>> normGroups;
    private final Map<Integer, OneHotBatch> batches = new HashMap<>();
    /** The gradient session's arrays, reused from step to step (see {@link StepArrays}). */
    private final StepArrays stepArrays = new StepArrays();

    TrainingRun(ModelDefinition def, OptimizerConfig opt, DataType dtype, List<String> trainable,
                Map<String, double[]> start) {
        this(def, opt, dtype, trainable, start, "samediff");
    }

    /** {@code engine}: auto, samediff or fast ({@link EngineChoice}). */
    TrainingRun(ModelDefinition def, OptimizerConfig opt, DataType dtype, List<String> trainable,
                Map<String, double[]> start, String engine) {
        this.def = def;
        this.cfg = def.config();
        this.dtype = dtype;
        this.all = def.parameterNames();
        this.names = def.trainable(trainable);
        this.master = new LinkedHashMap<>();
        for (String n : all) {
            double[] v = start.get(n);
            if (v == null) throw new IllegalArgumentException("missing parameter " + n);
            master.put(n, v.clone());
        }
        boolean kernels = EngineChoice.useFast(cfg, engine);
        boolean floatProducts = dtype == DataType.FLOAT; // the kernels' dense products in float32, as the graph's
        this.fast = kernels && cfg instanceof SingleLayerConfig s ? new SingleLayerKernels(s, floatProducts) : null;
        this.classifierFast = kernels && cfg instanceof ClassifierConfig k ? new ClassifierKernels(k) : null;
        if (fast != null) fast.bind(master); // reads the master copies in place: no float image to update
        if (classifierFast != null) classifierFast.bind(master);
        this.deepFast = kernels && cfg instanceof DeepConfig dc ? new DeepKernels(dc, floatProducts) : null;
        if (deepFast != null) deepFast.bind(master);
        this.sd = kernels ? null : def.build(dtype, master);
        int n = names.size();
        this.arrays = new INDArray[n];
        this.params = new double[n][];
        int[] sizes = new int[n];
        boolean[] decay = new boolean[n];
        for (int i = 0; i < n; i++) {
            String name = names.get(i);
            arrays[i] = sd == null ? null : sd.getVariable(name).getArr();
            params[i] = master.get(name);
            sizes[i] = params[i].length;
            decay[i] = def.weightDecay(name);
        }
        this.optimizer = Optimizer.create(opt, sizes, decay);
        this.normGroups = ParameterGroups.normGroups(all);
    }

    /** Under the fast engine: a graph for the outputs the kernels do not compute, built on first use. */
    private SameDiff outputGraph;

    /**
     * The graph to read outputs the kernels do not compute (the exact-conditional eval's {@code logits}): the run's own
     * graph, or under the fast engine a graph built from the master copies on first use and given their current values
     * at every call.
     */
    SameDiff graphForOutputs() {
        if (sd != null) return sd;
        if (outputGraph == null) {
            outputGraph = def.build(dtype, master);
            return outputGraph;
        }
        for (String n : all) {
            INDArray a = outputGraph.getVariable(n).getArr();
            double[] p = master.get(n);
            if (dtype == DataType.FLOAT) {
                float[] f = new float[p.length];
                for (int j = 0; j < p.length; j++) f[j] = (float) p[j];
                a.data().setData(f);
            } else {
                a.data().setData(p);
            }
        }
        return outputGraph;
    }

    /** The batch as the kernels read it (fast engine). */
    TokenFeed tokenFeed(TokenDataset ds, int[] idx, int from, int count) {
        return tokenFeed.set(ds, idx, from, count);
    }

    OneHotBatch batch(int b) {
        return batches.computeIfAbsent(b, k -> new OneHotBatch(k, cfg.seqLen(), cfg.vocab(), dtype, def.scalarInput()));
    }

    /**
     * Loss (mean over the batch's B*T targets) and gradients (row-major doubles, trainable order) on one batch; the
     * requested extra scalar outputs go into {@code extraOut} by name.
     */
    double lossAndGradients(Feed batch, double[][] gradsOut, List<String> extra, Map<String, Double> extraOut) {
        if (fast != null) {
            // the kernels' gradient arrays themselves (overwritten by the next call); the only extra output of the
            // single-layer family is its attention entropy
            TokenFeed f = (TokenFeed) batch;
            double loss = fast.lossAndGradients(f.ds, f.idx, f.from, f.count, extra.isEmpty() ? null : entropy);
            for (int i = 0; i < names.size(); i++) gradsOut[i] = fast.gradient(names.get(i));
            for (String e : extra) extraOut.put(e, entropy[0]);
            return loss;
        }
        if (deepFast != null) {
            // the kernels' gradient arrays themselves (overwritten by the next call) and the family's extra outputs
            TokenFeed f = (TokenFeed) batch;
            double loss = deepFast.lossAndGradients(f.ds, f.idx, f.from, f.count, extra, extraOut);
            for (int i = 0; i < names.size(); i++) gradsOut[i] = deepFast.gradient(names.get(i));
            return loss;
        }
        if (classifierFast != null) {
            // the kernels' gradient arrays themselves (overwritten by the next call); extra outputs: the 0-1 error and
            // the attention entropy
            ClassBatch cb = (ClassBatch) batch;
            boolean ent = extra.contains(PatchClassifier.ATTN_ENTROPY);
            double loss = classifierFast.lossAndGradients(cb.xd, cb.yd, cb.b, error, ent ? entropy : null);
            for (int i = 0; i < names.size(); i++) gradsOut[i] = classifierFast.gradient(names.get(i));
            for (String e : extra) {
                if (e.equals(PatchClassifier.ERROR)) extraOut.put(e, error[0]);
                else if (e.equals(PatchClassifier.ATTN_ENTROPY)) extraOut.put(e, entropy[0]);
                else throw new IllegalArgumentException("the classifier's kernels do not compute " + e);
            }
            return loss;
        }
        Map<String, INDArray> ph = Map.of(INPUT, batch.x(), TARGET, batch.y());
        List<String> outs = new ArrayList<>();
        outs.add(LOSS);
        outs.addAll(extra);
        stepArrays.recycle(); // the previous call's arrays: already copied out below
        OutAndGrad og = sd.calculateGradientsAndOutputs(ph, outs, names);
        stepArrays.attachTo(sd); // after the first call, when the gradient session exists
        Map<String, INDArray> g = og.getGradients();
        for (int i = 0; i < names.size(); i++) gradsOut[i] = toDoubles(g.get(names.get(i)));
        for (String e : extra) extraOut.put(e, og.getOutputs().get(e).getDouble(0));
        return og.getOutputs().get(LOSS).getDouble(0);
    }

    /** Per-token losses [B*T] of one batch. */
    double[] tokenLosses(OneHotBatch batch) {
        Map<String, INDArray> ph = Map.of(INPUT, batch.x, TARGET, batch.y);
        return toDoubles(sd.output(ph, TOKEN_LOSS).get(TOKEN_LOSS));
    }

    /** One optimizer update of the trainable master parameters, then copies them into the graph. */
    void update(double[][] grads, double lr) {
        optimizer.step(params, grads, lr);
        if (sd == null) return; // the kernels read params (the master copies) in place
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

    /** param_norm/G for every group, grad_norm/G for the groups with trainable parameters. */
    void norms(double[][] grads, Map<String, Double> out) {
        for (Map.Entry<String, List<String>> e : normGroups.entrySet()) {
            double s = 0, gs = 0;
            boolean anyTrainable = false;
            for (String n : e.getValue()) {
                for (double x : master.get(n)) s += x * x;
                int i = names.indexOf(n);
                if (i >= 0) {
                    anyTrainable = true;
                    for (double x : grads[i]) gs += x * x;
                }
            }
            out.put("param_norm/" + e.getKey(), Math.sqrt(s));
            if (anyTrainable) out.put("grad_norm/" + e.getKey(), Math.sqrt(gs));
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
        if (fast != null) {
            double[] tl = new double[t];
            for (int i = 0; i < n; i++) perSeq[i] = fast.tokenLosses(ds, i, tl, 0) / t;
            return meanAndStdErr(perSeq);
        }
        if (deepFast != null) {
            double[] tl = new double[t];
            for (int i = 0; i < n; i++) perSeq[i] = deepFast.tokenLosses(ds, i, tl, 0) / t;
            return meanAndStdErr(perSeq);
        }
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        for (int from = 0; from < n; from += chunk) {
            int b = Math.min(chunk, n - from);
            OneHotBatch batch = batch(b);
            batch.fill(ds, idx, from);
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
