package dev.tdlab.core.train;

import dev.tdlab.core.data.Dataset;
import dev.tdlab.core.data.LabeledSequences;
import dev.tdlab.core.data.PatchDataset;
import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.twolayerclassifier.ClassifierConfig;
import dev.tdlab.core.model.ModelConfig;
import dev.tdlab.core.model.ModelDefinition;
import dev.tdlab.core.model.Models;
import dev.tdlab.core.model.twolayerclassifier.PatchClassifier;
import dev.tdlab.core.model.singlelayer.SingleLayerConfig;
import dev.tdlab.core.optim.OptimizerConfig;
import dev.tdlab.core.optim.Schedules;
import dev.tdlab.core.theory.ExactConditionals;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Trains a model ({@link ModelConfig}) on a {@link Dataset}, in float32: a next-token family (single-layer, minimal,
 * deep) on a {@link TokenDataset}, or the two-layer classifier ({@link ClassifierConfig}) on a classification set
 * ({@link PatchDataset}, {@link LabeledSequences}), with the same optimizers, schedules, trainable subsets,
 * checkpoints and listener.
 *
 * <p>Per step: {@code batch} sequence indices are drawn uniformly with replacement from the training set (a
 * {@link SplittableRandom} split from {@code SplittableRandom(seed)}; for "gd" or {@code TrainConfig.fullBatch} the whole
 * training set, in chunks of {@code batch}); SameDiff computes the mean loss and the gradients of the trainable parameters; the optimizer
 * updates a double-precision master copy of them with the scheduled learning rate. Deterministic: the same inputs give
 * bit-identical loss curves (with a fixed number of ND4J threads; OMP_NUM_THREADS=1 is also the fastest setting at
 * these sizes), and a run resumed from a {@link Checkpoint} continues bit-identically.
 *
 * <p>A non-finite train loss, gradient norm or eval loss stops the run: {@code divergedAtStep} is that step,
 * {@code stepsDone} the updates completed before it, the final eval loss NaN.
 *
 * <p>Classification sets: the loss is the logistic loss per example (nats), the eval loss its mean over the eval set
 * with the standard error over examples. Extra metrics ({@link TrainListener#onMetrics}): {@code train_error} every
 * step (the 0-1 error of that step's batch, before the update; full batch: of the whole training set);
 * {@code eval_error} and {@code eval_error_stderr} at every evaluation after step 0 (the 0-1 error over the eval set
 * and its standard error); on noisy-patch data, every {@code metricsEvery} steps, the {@code probe/*} stage markers of
 * Li et al. (see SignalProbe); for the classifier, at the same steps, the extreme singular values {@code sv/*} of W_Q,
 * W_K, W_V (SingularValues).
 */
public final class Trainer {

    private Trainer() {
    }

    /** The single-layer model from scratch (the trainer-service's call). */
    public static TrainResult train(SingleLayerConfig model, OptimizerConfig opt, TrainConfig train,
                                    TokenDataset trainSet, TokenDataset evalSet, TrainListener listener) {
        return train(model, opt, train, trainSet, evalSet, listener, null, DataType.FLOAT);
    }

    /**
     * Any model family, from scratch ({@code resumeFrom} null) or continuing a {@link Checkpoint} of a run with the
     * same model, optimizer, batch, steps, seed, trainable set and training set.
     */
    public static TrainResult train(ModelConfig model, OptimizerConfig opt, TrainConfig train, TokenDataset trainSet,
                                    TokenDataset evalSet, TrainListener listener, Checkpoint resumeFrom) {
        return train(model, opt, train, trainSet, evalSet, listener, resumeFrom, DataType.FLOAT);
    }

    /**
     * Any model family on any {@link Dataset}: next-token families on a {@link TokenDataset}, the classifier on a
     * {@link PatchDataset} or {@link LabeledSequences} (train and eval of the same kind); from scratch
     * ({@code resumeFrom} null) or continuing a {@link Checkpoint} as above.
     */
    public static TrainResult train(ModelConfig model, OptimizerConfig opt, TrainConfig train, Dataset trainSet,
                                    Dataset evalSet, TrainListener listener, Checkpoint resumeFrom) {
        return train(model, opt, train, trainSet, evalSet, listener, resumeFrom, DataType.FLOAT);
    }

    /**
     * As above, and with the true conditional law of the data ({@code exact}, null when unknown) every evaluation also
     * reports the exact-conditional metrics of {@link ExactEval} ({@code eval_exact_loss}, {@code eval_excess}, ...)
     * through {@link TrainListener#onMetrics}.
     */
    public static TrainResult train(ModelConfig model, OptimizerConfig opt, TrainConfig train, Dataset trainSet,
                                    Dataset evalSet, TrainListener listener, Checkpoint resumeFrom,
                                    ExactConditionals.Law exact) {
        return train(model, opt, train, trainSet, evalSet, listener, resumeFrom, DataType.FLOAT, exact);
    }

    static TrainResult train(ModelConfig model, OptimizerConfig opt, TrainConfig train, Dataset trainSet,
                             Dataset evalSet, TrainListener listener, Checkpoint resume, DataType dtype) {
        return train(model, opt, train, trainSet, evalSet, listener, resume, dtype, null);
    }

    static TrainResult train(ModelConfig model, OptimizerConfig opt, TrainConfig train, Dataset trainSet,
                             Dataset evalSet, TrainListener listener, Checkpoint resume, DataType dtype,
                             ExactConditionals.Law exact) {
        if (model == null || opt == null || train == null) throw new IllegalArgumentException("config is null");
        check("train", trainSet, model);
        check("eval", evalSet, model);
        boolean classifier = model instanceof ClassifierConfig;
        TrainListener l = listener != null ? listener : TrainListener.none();
        ModelDefinition def = Models.of(model);
        String fingerprint = fingerprint(model, opt, train, trainSet);

        Map<String, double[]> start;
        if (resume == null) {
            start = def.initialParameters(train.seed());
        } else {
            if (!resume.fingerprint().equals(fingerprint)) {
                throw new IllegalArgumentException("checkpoint is of another run (model, optimizer, batch, steps, seed,"
                        + " trainable or training set differ): " + resume.fingerprint() + " vs " + fingerprint);
            }
            if (resume.step() > train.steps()) throw new IllegalArgumentException("checkpoint step beyond the run");
            start = resume.params();
        }
        TrainingRun run = new TrainingRun(def, opt, dtype, train.trainable(), start, train.engine());
        Sources.Source trainSrc = Sources.of(run, trainSet), evalSrc = Sources.of(run, evalSet);
        SignalProbe probe = SignalProbe.of(model, trainSet);
        SplittableRandom sampler = new SplittableRandom(train.seed()).split();
        int steps = train.steps(), b = train.batch(), nTrain = trainSet.size();
        long draws = 0;
        int first = 0;
        double[] ev;
        double lastTrain = Double.NaN;
        if (resume == null) {
            ev = evalSrc.evaluate(b);
            l.onEval(0, ev[0], ev[1]);
            if (!Double.isFinite(ev[0])) return new TrainResult(0, Double.NaN, ev[0], ev[1], false, 0);
            if (exact != null && evalSet instanceof TokenDataset tokens) {
                Map<String, Double> at0 = new LinkedHashMap<>();
                ExactEval.evaluate(run, tokens, exact, b).into(at0);
                l.onMetrics(0, at0); // the state at the initialization
            }
        } else {
            run.optimizer.restore(resume.optimizerState(), resume.optimizerSteps());
            if (!train.fresh()) {
                for (long i = 0; i < resume.samplerDraws(); i++) sampler.nextInt(nTrain); // replay the data cursor
            }
            draws = resume.samplerDraws();
            first = resume.step();
            ev = new double[] {resume.lastEvalLoss(), resume.lastEvalStdErr()};
            lastTrain = resume.lastTrainLoss();
        }

        int np = run.names.size();
        double[][] grads = new double[np][];
        double[][] acc = new double[np][];
        int[] idx = new int[b];
        int[] all = null;
        boolean fullBatch = opt.fullBatch() || train.fullBatch();
        if (fullBatch) {
            all = new int[nTrain];
            for (int i = 0; i < nTrain; i++) all[i] = i;
        }
        List<String> entropies = def.attentionEntropies();
        Map<String, String> family = def.familyMetrics();
        List<String> metricOutputs = new ArrayList<>(entropies);
        metricOutputs.addAll(family.values());
        List<String> errorOnly = classifier ? List.of(PatchClassifier.ERROR) : List.of();
        List<String> metricOutputsAndError = new ArrayList<>(metricOutputs);
        metricOutputsAndError.addAll(errorOnly);
        Map<String, int[]> layerNorms = layerGradNormIndices(def, run.names);
        Map<String, Double> extra = new HashMap<>();
        int done = first;
        boolean cancelled = false;
        for (int step = first; step < steps; step++) {
            if (l.cancelled()) {
                cancelled = true;
                break;
            }
            // every metricsEvery steps, and at the first step: the state at the initialization
            boolean attnMetrics = step == 0 || (step + 1) % train.metricsEvery() == 0;
            List<String> want = attnMetrics ? metricOutputsAndError : errorOnly;
            extra.clear();
            double loss, trainError = Double.NaN;
            if (!fullBatch) {
                for (int i = 0; i < b; i++) idx[i] = train.fresh() ? (int) ((draws + i) % nTrain) : sampler.nextInt(nTrain);
                draws += b;
                Feed batch = trainSrc.batch(idx, 0, b);
                loss = run.lossAndGradients(batch, grads, want, extra);
                if (classifier) trainError = extra.get(PatchClassifier.ERROR);
            } else if (nTrain <= b) {
                // the whole training set is one chunk: its loss, error and gradients as they are (the sums below
                // with the weight 1)
                Feed batch = trainSrc.batch(all, 0, nTrain);
                loss = run.lossAndGradients(batch, grads, want, extra);
                if (classifier) trainError = extra.get(PatchClassifier.ERROR);
            } else {
                trainError = 0;
                loss = 0;
                for (int i = 0; i < np; i++) acc[i] = new double[run.params[i].length];
                for (int from = 0; from < nTrain; from += b) {
                    int cb = Math.min(b, nTrain - from);
                    Feed batch = trainSrc.batch(all, from, cb);
                    double w = (double) cb / nTrain;
                    loss += w * run.lossAndGradients(batch, grads, from == 0 ? want : errorOnly, extra);
                    if (classifier) trainError += w * extra.get(PatchClassifier.ERROR);
                    for (int i = 0; i < np; i++) {
                        double[] a = acc[i], g = grads[i];
                        for (int j = 0; j < a.length; j++) a[j] += w * g[j];
                    }
                }
                for (int i = 0; i < np; i++) grads[i] = acc[i];
            }
            double gradNorm = TrainingRun.globalNorm(grads);
            lastTrain = loss;
            if (!Double.isFinite(loss) || !Double.isFinite(gradNorm)) {
                l.onStep(step + 1, loss, gradNorm);
                return new TrainResult(done, loss, Double.NaN, Double.NaN, false, step + 1);
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            run.norms(grads, metrics); // before the update: the parameters the gradient was taken at
            if (classifier) metrics.put("train_error", trainError);
            if (probe != null && attnMetrics) probe.metrics(run.master, metrics);
            if (model instanceof ClassifierConfig cc && attnMetrics) SingularValues.metrics(cc, run.master, metrics);
            if (attnMetrics) {
                for (String e : entropies) {
                    metrics.put(e.replace("/attn/entropy", "").replace("layer", "attn_entropy/layer"), extra.get(e));
                }
                family.forEach((metric, output) -> metrics.put(metric, extra.get(output)));
                layerNorms.forEach((metric, idxs) -> metrics.put(metric, norm(grads, idxs)));
            }
            run.update(grads, Schedules.lr(opt, step, steps));
            done = step + 1;
            l.onStep(done, loss, gradNorm);
            if (done % train.evalEvery() == 0 || done == steps) {
                ev = evalSrc.evaluate(b);
                l.onEval(done, ev[0], ev[1]);
                if (ev.length > 2) {
                    metrics.put("eval_error", ev[2]);
                    metrics.put("eval_error_stderr", ev[3]);
                }
                if (exact != null && evalSet instanceof TokenDataset tokens && Double.isFinite(ev[0])) {
                    ExactEval.evaluate(run, tokens, exact, b).into(metrics);
                }
                if (!Double.isFinite(ev[0])) return new TrainResult(done, loss, Double.NaN, Double.NaN, false, done);
            }
            l.onMetrics(done, metrics);
            if (train.checkpointEvery() > 0 && done % train.checkpointEvery() == 0) {
                l.onCheckpoint(new Checkpoint(fingerprint, done, run.master, run.optimizer.steps(),
                        run.optimizer.state(), draws, lastTrain, ev[0], ev[1]));
            }
        }
        return new TrainResult(done, lastTrain, ev[0], ev[1], cancelled, -1);
    }

    /** The definition's {@code layerGradNorms} as metric → indices into the trainable list; metrics with none dropped. */
    static Map<String, int[]> layerGradNormIndices(ModelDefinition def, List<String> trainable) {
        Map<String, int[]> m = new LinkedHashMap<>();
        def.layerGradNorms().forEach((metric, params) -> {
            int[] idx = params.stream().mapToInt(trainable::indexOf).filter(i -> i >= 0).toArray();
            if (idx.length > 0) m.put(metric, idx);
        });
        return m;
    }

    private static double norm(double[][] grads, int[] idx) {
        double s = 0;
        for (int i : idx) for (double x : grads[i]) s += x * x;
        return Math.sqrt(s);
    }

    /** What a checkpoint must match to be resumed: every input that shapes the trajectory (any kind of set). */
    static String fingerprint(ModelConfig model, OptimizerConfig opt, TrainConfig t, Dataset trainSet) {
        if (trainSet instanceof TokenDataset tokens) return fingerprint(model, opt, t, tokens);
        String head = model + "|" + opt + "|batch=" + t.batch() + ",steps=" + t.steps() + ",seed=" + t.seed()
                + ",trainable=" + t.trainable() + (t.fresh() ? ",fresh" : "") + (t.fullBatch() ? ",fullBatch" : "") + "|train=";
        if (trainSet instanceof PatchDataset p) {
            return head + "patches " + p.examples() + "x" + p.patches() + "x" + p.dim() + ",hash="
                    + Integer.toHexString(Arrays.hashCode(p.encoded()));
        }
        LabeledSequences s = (LabeledSequences) trainSet;
        return head + "labeled " + s.size() + "x" + s.seqLen() + ",hash="
                + Integer.toHexString(31 * Arrays.hashCode(s.labels()) + Arrays.hashCode(s.tokens().tokens()));
    }

    /** What a checkpoint must match to be resumed: every input that shapes the trajectory. */
    static String fingerprint(ModelConfig model, OptimizerConfig opt, TrainConfig t, TokenDataset trainSet) {
        return model + "|" + opt + "|batch=" + t.batch() + ",steps=" + t.steps() + ",seed=" + t.seed() + ",trainable="
                + t.trainable() + (t.fresh() ? ",fresh" : "") + (t.fullBatch() ? ",fullBatch" : "") + "|train=" + trainSet.numSequences() + "x" + trainSet.seqLen() + ",hash="
                + Integer.toHexString(Arrays.hashCode(trainSet.tokens()));
    }

    private static void check(String what, Dataset ds, ModelConfig m) {
        if (ds == null) throw new IllegalArgumentException(what + " set is null");
        if (m instanceof ClassifierConfig c) {
            String bad = Sources.mismatch(c, ds);
            if (bad != null) throw new IllegalArgumentException(what + " set: " + bad);
            return;
        }
        if (!(ds instanceof TokenDataset t)) {
            throw new IllegalArgumentException(what + " set: " + m.getClass().getSimpleName()
                    + " predicts next tokens and needs a TokenDataset, got a " + ds.getClass().getSimpleName());
        }
        check(what, t, m);
    }

    private static void check(String what, TokenDataset ds, ModelConfig m) {
        if (ds == null) throw new IllegalArgumentException(what + " set is null");
        if (ds.seqLen() != m.seqLen()) {
            throw new IllegalArgumentException(what + " set seqLen " + ds.seqLen() + " != model seqLen " + m.seqLen());
        }
        if (ds.vocab() != m.vocab()) {
            throw new IllegalArgumentException(what + " set vocab " + ds.vocab() + " != model vocab " + m.vocab());
        }
    }
}
