package dev.tdlab.core.train;

import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.theory.ExactConditionals;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exact-conditional evaluation of a next-token model on an eval set ({@link ExactConditionals}): at every target of
 * every eval sequence, the cross-entropy between the true law of the next token given the past and the model's
 * predicted law, its minimum (the entropy of the true law) and their difference, KL(true ‖ model). Each is averaged
 * over the targets of a sequence, then over sequences, with the standard error over sequences. The sampled-token loss
 * (−ln Q(x_t)) is an unbiased but noisier estimate of the same expected cross-entropy.
 */
final class ExactEval {

    /** Metric names. */
    static final String LOSS = "eval_exact_loss", LOSS_SE = "eval_exact_loss_stderr", EXCESS = "eval_excess",
            EXCESS_SE = "eval_excess_stderr", OPTIMUM = "eval_exact_optimum", OPTIMUM_SE = "eval_exact_optimum_stderr";

    private ExactEval() {
    }

    /**
     * Means and standard errors over the sequences of {@code ds}.
     *
     * @param loss    exact-conditional cross-entropy
     * @param excess  KL(true ‖ model) = loss − optimum, computed term by term
     * @param optimum entropy of the true conditional laws on these contexts
     */
    record Result(double loss, double lossStdErr, double excess, double excessStdErr, double optimum,
                  double optimumStdErr) {
        void into(Map<String, Double> metrics) {
            metrics.put(LOSS, loss);
            metrics.put(LOSS_SE, lossStdErr);
            metrics.put(EXCESS, excess);
            metrics.put(EXCESS_SE, excessStdErr);
            metrics.put(OPTIMUM, optimum);
            metrics.put(OPTIMUM_SE, optimumStdErr);
        }
    }

    static Result evaluate(TrainingRun run, TokenDataset ds, ExactConditionals.Law law, int minChunk) {
        int n = ds.numSequences(), t = run.cfg.seqLen(), v = run.cfg.vocab();
        if (law.vocab() != v) throw new IllegalArgumentException("law vocab " + law.vocab() + " != model vocab " + v);
        int chunk = run.evalChunk(minChunk, n);
        double[] ce = new double[n], kl = new double[n], h = new double[n];
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        int[] seq = new int[t + 1];
        double[] truth = new double[t * v];
        for (int from = 0; from < n; from += chunk) {
            int b = Math.min(chunk, n - from);
            OneHotBatch batch = run.batch(b);
            batch.fill(ds, idx, from);
            double[] q = predictions(run, batch, b * t, v);
            for (int i = 0; i < b; i++) {
                int s = from + i;
                for (int p = 0; p <= t; p++) seq[p] = ds.token(s, p);
                law.targets(seq, t, truth);
                double sc = 0, sk = 0, sh = 0;
                int base = i * t * v;
                for (int p = 0; p < t; p++) {
                    int o = p * v;
                    double hp = 0, cp = 0, kp = 0;
                    for (int y = 0; y < v; y++) {
                        double py = truth[o + y];
                        if (py > 0) {
                            double qy = q[base + o + y];
                            hp -= py * Math.log(py);
                            cp -= py * Math.log(qy);
                            kp += py * Math.log(py / qy);
                        }
                    }
                    sc += cp;
                    sk += kp;
                    sh += hp;
                }
                ce[s] = sc / t;
                kl[s] = sk / t;
                h[s] = sh / t;
            }
        }
        double[] c = TrainingRun.meanAndStdErr(ce), k = TrainingRun.meanAndStdErr(kl), o = TrainingRun.meanAndStdErr(h);
        return new Result(c[0], c[1], k[0], k[1], o[0], o[1]);
    }

    /**
     * The model's predicted law at every target of the batch, [targets·V] row-major, in double: the softmax of the
     * graph's {@code logits} [B·T, V], or for the one-logit binary models ({@code logits} [B·T]) σ(z) for token 1.
     */
    static double[] predictions(TrainingRun run, OneHotBatch batch, int targets, int v) {
        INDArray z = run.graphForOutputs().output(Map.of(TrainingRun.INPUT, batch.x, TrainingRun.TARGET, batch.y), "logits")
                .get("logits");
        double[] l = TrainingRun.toDoubles(z);
        double[] q = new double[targets * v];
        if (l.length == targets) { // one logit: P(1) = σ(z), computed stably
            for (int i = 0; i < targets; i++) {
                double zi = l[i];
                double p1 = zi >= 0 ? 1 / (1 + Math.exp(-zi)) : Math.exp(zi) / (1 + Math.exp(zi));
                double p0 = zi >= 0 ? Math.exp(-zi) / (1 + Math.exp(-zi)) : 1 / (1 + Math.exp(zi));
                q[i * 2] = p0;
                q[i * 2 + 1] = p1;
            }
            return q;
        }
        if (l.length != targets * v) {
            throw new IllegalStateException("logits have " + l.length + " entries, expected " + targets * v);
        }
        for (int i = 0; i < targets; i++) {
            int o = i * v;
            double m = Double.NEGATIVE_INFINITY;
            for (int y = 0; y < v; y++) m = Math.max(m, l[o + y]);
            double s = 0;
            for (int y = 0; y < v; y++) s += Math.exp(l[o + y] - m);
            for (int y = 0; y < v; y++) q[o + y] = Math.exp(l[o + y] - m) / s;
        }
        return q;
    }
}
