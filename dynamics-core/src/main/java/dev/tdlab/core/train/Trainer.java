package dev.tdlab.core.train;

import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.ModelConfig;
import dev.tdlab.core.model.ModelDefinition;
import dev.tdlab.core.model.Models;
import dev.tdlab.core.model.SingleLayerConfig;
import dev.tdlab.core.optim.OptimizerConfig;
import dev.tdlab.core.optim.Schedules;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Trains a model ({@link ModelConfig}: single-layer one-hot or the Makkuva minimal model) on a token dataset, in
 * float32.
 *
 * <p>Per step: {@code batch} sequence indices are drawn uniformly with replacement from the training set (a
 * {@link SplittableRandom} split from {@code SplittableRandom(seed)}; for "gd" the whole training set, in chunks of
 * {@code batch}); SameDiff computes the mean loss and the gradients of the trainable parameters; the optimizer
 * updates a double-precision master copy of them with the scheduled learning rate. Deterministic: the same inputs give
 * bit-identical loss curves (with a fixed number of ND4J threads; OMP_NUM_THREADS=1 is also the fastest setting at
 * these sizes), and a run resumed from a {@link Checkpoint} continues bit-identically.
 *
 * <p>A non-finite train loss, gradient norm or eval loss stops the run: {@code divergedAtStep} is that step,
 * {@code stepsDone} the updates completed before it, the final eval loss NaN.
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

    static TrainResult train(ModelConfig model, OptimizerConfig opt, TrainConfig train, TokenDataset trainSet,
                             TokenDataset evalSet, TrainListener listener, Checkpoint resume, DataType dtype) {
        if (model == null || opt == null || train == null) throw new IllegalArgumentException("config is null");
        check("train", trainSet, model);
        check("eval", evalSet, model);
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
        TrainingRun run = new TrainingRun(def, opt, dtype, train.trainable(), start);
        SplittableRandom sampler = new SplittableRandom(train.seed()).split();
        int steps = train.steps(), b = train.batch(), nTrain = trainSet.numSequences();
        long draws = 0;
        int first = 0;
        double[] ev;
        double lastTrain = Double.NaN;
        if (resume == null) {
            ev = run.evaluate(evalSet, b);
            l.onEval(0, ev[0], ev[1]);
            if (!Double.isFinite(ev[0])) return new TrainResult(0, Double.NaN, ev[0], ev[1], false, 0);
        } else {
            run.optimizer.restore(resume.optimizerState(), resume.optimizerSteps());
            for (long i = 0; i < resume.samplerDraws(); i++) sampler.nextInt(nTrain); // replay the data cursor
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
        if (opt.fullBatch()) {
            all = new int[nTrain];
            for (int i = 0; i < nTrain; i++) all[i] = i;
        }
        List<String> entropies = def.attentionEntropies();
        Map<String, Double> extra = new HashMap<>();
        int done = first;
        boolean cancelled = false;
        for (int step = first; step < steps; step++) {
            if (l.cancelled()) {
                cancelled = true;
                break;
            }
            boolean attnMetrics = (step + 1) % train.metricsEvery() == 0;
            List<String> want = attnMetrics ? entropies : List.of();
            extra.clear();
            double loss;
            if (!opt.fullBatch()) {
                for (int i = 0; i < b; i++) idx[i] = sampler.nextInt(nTrain);
                draws += b;
                OneHotBatch batch = run.batch(b);
                batch.fill(trainSet, idx, 0);
                loss = run.lossAndGradients(batch, grads, want, extra);
            } else {
                loss = 0;
                for (int i = 0; i < np; i++) acc[i] = new double[run.params[i].length];
                for (int from = 0; from < nTrain; from += b) {
                    int cb = Math.min(b, nTrain - from);
                    OneHotBatch batch = run.batch(cb);
                    batch.fill(trainSet, all, from);
                    double w = (double) cb / nTrain;
                    loss += w * run.lossAndGradients(batch, grads, from == 0 ? want : List.of(), extra);
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
            for (String e : want) {
                metrics.put(e.replace("/attn/entropy", "").replace("layer", "attn_entropy/layer"), extra.get(e));
            }
            run.update(grads, Schedules.lr(opt, step, steps));
            done = step + 1;
            l.onStep(done, loss, gradNorm);
            if (done % train.evalEvery() == 0 || done == steps) {
                ev = run.evaluate(evalSet, b);
                l.onEval(done, ev[0], ev[1]);
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

    /** What a checkpoint must match to be resumed: every input that shapes the trajectory. */
    static String fingerprint(ModelConfig model, OptimizerConfig opt, TrainConfig t, TokenDataset trainSet) {
        return model + "|" + opt + "|batch=" + t.batch() + ",steps=" + t.steps() + ",seed=" + t.seed() + ",trainable="
                + t.trainable() + "|train=" + trainSet.numSequences() + "x" + trainSet.seqLen() + ",hash="
                + Integer.toHexString(Arrays.hashCode(trainSet.tokens()));
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
