package dev.tdlab.core.train;

import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.SingleLayerConfig;
import dev.tdlab.core.optim.OptimizerConfig;
import dev.tdlab.core.optim.Schedules;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Trains the single-layer transformer on a token dataset, in float32.
 *
 * <p>Per step: {@code batch} sequence indices are drawn uniformly with replacement from the training set (a
 * {@link SplittableRandom} split from {@code SplittableRandom(seed)}; for "gd" the whole training set, in chunks of
 * {@code batch}); SameDiff computes the mean loss and the gradients; the optimizer updates a double-precision master
 * copy of the parameters with the scheduled learning rate. Deterministic: the same inputs give bit-identical loss
 * curves (with a fixed number of ND4J threads; OMP_NUM_THREADS=1 is also the fastest setting at these sizes).
 *
 * <p>A non-finite train loss stops the run early (stepsDone &lt; steps, cancelled false, final losses NaN).
 */
public final class Trainer {

    private Trainer() {
    }

    public static TrainResult train(SingleLayerConfig model, OptimizerConfig opt, TrainConfig train,
                                    TokenDataset trainSet, TokenDataset evalSet, TrainListener listener) {
        return train(model, opt, train, trainSet, evalSet, listener, DataType.FLOAT);
    }

    static TrainResult train(SingleLayerConfig model, OptimizerConfig opt, TrainConfig train, TokenDataset trainSet,
                             TokenDataset evalSet, TrainListener listener, DataType dtype) {
        if (model == null || opt == null || train == null) throw new IllegalArgumentException("config is null");
        check("train", trainSet, model);
        check("eval", evalSet, model);
        TrainListener l = listener != null ? listener : TrainListener.none();

        TrainingRun run = new TrainingRun(model, opt, dtype, train.seed());
        SplittableRandom sampler = new SplittableRandom(train.seed()).split();
        int steps = train.steps(), b = train.batch(), nTrain = trainSet.numSequences();
        int np = run.names.size();
        double[][] grads = new double[np][];
        double[][] acc = new double[np][];
        int[] idx = new int[b];
        int[] all = null;
        if (opt.fullBatch()) {
            all = new int[nTrain];
            for (int i = 0; i < nTrain; i++) all[i] = i;
        }

        double[] ev = run.evaluate(evalSet, b);
        l.onEval(0, ev[0], ev[1]);
        double lastTrain = Double.NaN;
        int done = 0;
        boolean cancelled = false;
        for (int step = 0; step < steps; step++) {
            if (l.cancelled()) {
                cancelled = true;
                break;
            }
            double loss;
            if (!opt.fullBatch()) {
                for (int i = 0; i < b; i++) idx[i] = sampler.nextInt(nTrain);
                OneHotBatch batch = run.batch(b);
                batch.fill(trainSet, idx, 0);
                loss = run.lossAndGradients(batch, grads);
            } else {
                loss = 0;
                for (int i = 0; i < np; i++) acc[i] = new double[run.params[i].length];
                for (int from = 0; from < nTrain; from += b) {
                    int cb = Math.min(b, nTrain - from);
                    OneHotBatch batch = run.batch(cb);
                    batch.fill(trainSet, all, from);
                    double w = (double) cb / nTrain;
                    loss += w * run.lossAndGradients(batch, grads);
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
                return new TrainResult(done, loss, Double.NaN, Double.NaN, false);
            }
            run.update(grads, Schedules.lr(opt, step, steps));
            done = step + 1;
            l.onStep(done, loss, gradNorm);
            if (done % train.evalEvery() == 0 || done == steps) {
                ev = run.evaluate(evalSet, b);
                l.onEval(done, ev[0], ev[1]);
            }
        }
        return new TrainResult(done, lastTrain, ev[0], ev[1], cancelled);
    }

    private static void check(String what, TokenDataset ds, SingleLayerConfig m) {
        if (ds == null) throw new IllegalArgumentException(what + " set is null");
        if (ds.seqLen() != m.seqLen()) {
            throw new IllegalArgumentException(what + " set seqLen " + ds.seqLen() + " != model seqLen " + m.seqLen());
        }
        if (ds.vocab() != m.vocab()) {
            throw new IllegalArgumentException(what + " set vocab " + ds.vocab() + " != model vocab " + m.vocab());
        }
    }
}
