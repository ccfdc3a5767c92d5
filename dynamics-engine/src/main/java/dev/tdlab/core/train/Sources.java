package dev.tdlab.core.train;

import dev.tdlab.core.data.Dataset;
import dev.tdlab.core.data.LabeledSequences;
import dev.tdlab.core.data.PatchDataset;
import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.model.twolayerclassifier.ClassifierConfig;
import dev.tdlab.core.model.twolayerclassifier.PatchClassifier;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** How the trainer reads each kind of {@link Dataset}: training batches and whole-set evaluation. */
final class Sources {

    private Sources() {
    }

    /** A dataset bound to a training run. */
    interface Source {
        /** A batch of the {@code count} examples {@code idx[from..from+count-1]}. */
        Feed batch(int[] idx, int from, int count);

        /**
         * Over every example: {mean loss, its standard error} for token sets; {mean loss, standard error, mean 0-1
         * error, its standard error} for classification sets.
         */
        double[] evaluate(int minChunk);
    }

    static Source of(TrainingRun run, Dataset ds) {
        if (ds instanceof TokenDataset t) return new Tokens(run, t);
        return new Classes(run, ds);
    }

    /** Next-token sequences: {@link OneHotBatch}, {@link TrainingRun#evaluate}. */
    private record Tokens(TrainingRun run, TokenDataset ds) implements Source {
        @Override
        public Feed batch(int[] idx, int from, int count) {
            if (run.fast != null || run.deepFast != null) return run.tokenFeed(ds, idx, from, count);
            OneHotBatch batch = run.batch(count);
            batch.fill(ds, idx, from);
            return batch;
        }

        @Override
        public double[] evaluate(int minChunk) {
            return run.evaluate(ds, minChunk);
        }
    }

    /** Labeled examples for the classifier: {@link ClassBatch}; loss per example and 0-1 error. */
    private static final class Classes implements Source {
        private final TrainingRun run;
        private final Dataset ds;
        private final ClassifierConfig cfg;
        private final Map<Integer, ClassBatch> batches = new HashMap<>();

        Classes(TrainingRun run, Dataset ds) {
            this.run = run;
            this.ds = ds;
            this.cfg = (ClassifierConfig) run.cfg;
        }

        @Override
        public Feed batch(int[] idx, int from, int count) {
            ClassBatch batch = batches.computeIfAbsent(count, k -> new ClassBatch(k, cfg.positions(), cfg.inputDim(),
                    run.classifierFast != null ? null : run.dtype));
            batch.fill(ds, idx, from);
            return batch;
        }

        @Override
        public double[] evaluate(int minChunk) {
            int n = ds.size();
            int chunk = run.evalChunk(minChunk, n);
            double[] losses = new double[n], errors = new double[n];
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) idx[i] = i;
            for (int from = 0; from < n; from += chunk) {
                int b = Math.min(chunk, n - from);
                Feed batch = batch(idx, from, b);
                if (run.classifierFast != null) {
                    ClassBatch cb = (ClassBatch) batch;
                    run.classifierFast.lossesAndErrors(cb.xd, cb.yd, b, losses, errors, from);
                    continue;
                }
                Map<String, INDArray> out = run.sd.output(Map.of(TrainingRun.INPUT, batch.x(), TrainingRun.TARGET,
                        batch.y()), PatchClassifier.TOKEN_LOSS, PatchClassifier.ERRORS);
                double[] tl = TrainingRun.toDoubles(out.get(PatchClassifier.TOKEN_LOSS));
                double[] er = TrainingRun.toDoubles(out.get(PatchClassifier.ERRORS));
                System.arraycopy(tl, 0, losses, from, b);
                System.arraycopy(er, 0, errors, from, b);
            }
            double[] l = TrainingRun.meanAndStdErr(losses), e = TrainingRun.meanAndStdErr(errors);
            return new double[] {l[0], l[1], e[0], e[1]};
        }
    }

    /** Whether {@code ds} is a set {@code cfg} can read; the message naming the mismatch, or null. */
    static String mismatch(ClassifierConfig cfg, Dataset ds) {
        if (ds instanceof PatchDataset p) {
            if (cfg.tokenInput()) return "the model reads tokens (input=tokens), the set holds patches";
            if (p.patches() != cfg.seqLen()) return "set patches " + p.patches() + " != model seqLen " + cfg.seqLen();
            if (p.dim() != cfg.inputDim()) return "set patch dim " + p.dim() + " != model inputDim " + cfg.inputDim();
            return null;
        }
        if (ds instanceof LabeledSequences s) {
            if (!cfg.tokenInput()) return "the model reads patches (input=patches), the set holds token sequences";
            if (s.seqLen() != cfg.seqLen()) return "set seqLen " + s.seqLen() + " != model seqLen " + cfg.seqLen();
            if (s.vocab() != cfg.inputDim()) return "set vocab " + s.vocab() + " != model inputDim " + cfg.inputDim();
            return null;
        }
        return "the classifier needs a classification set (PatchDataset or LabeledSequences), got a "
                + ds.getClass().getSimpleName();
    }
}
