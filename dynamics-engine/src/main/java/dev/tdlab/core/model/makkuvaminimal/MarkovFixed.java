package dev.tdlab.core.model.makkuvaminimal;

import java.util.List;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The three-parameter model of Makkuva et al.'s {@code Markov-Fixed} code (Bond1995/Markov, {@code
 * Markov-Fixed/src/models/base.py}) as one SameDiff graph: a transformer reduced to the rank-one structure of its
 * low-rank initialization, with energy e, attention/MLP weight w and bias b.
 *
 * <pre>
 * x [N] token values 0/1, y [N] next-token values 0/1, weight [N] row weights
 * logit [N] = e²(1 + 2w|w|)·x + b − e²/2
 * loss = Σ_i weight_i · BCE-with-logits(logit_i, y_i)          (nats)
 *   a batch of N tokens: weight = 1/N (the code's mean BCE);
 *   the exact expected loss: the 4 rows (x,y) ∈ {0,1}² with weight π(x)·P(y|x)
 * </pre>
 *
 * The model sees only the current token, so the loss depends on the data only through the pair frequencies; the
 * parameters act through the logit difference {@code slope = e²(1+2w|w|)} and the logit of token 0,
 * {@code offset = b − e²/2}.
 *
 * <p><b>K copies.</b> e, w, b have shape [K]: K independent copies of the model on the same rows, logits [N,K], and
 * the loss is the sum of the K copies' losses, so the gradient with respect to copy k's parameters is copy k's own
 * gradient. K = 1 is the model; K &gt; 1 runs K trajectories (initializations, dynamics) in one graph call, because
 * SameDiff's per-op overhead (milliseconds per call) and not the arithmetic is the cost of this tiny model.
 *
 * <p>Package-private: a fixture for the exact checks of the engine's dynamics ({@code MarkovFixedTest}), not a model
 * family of the trainer.
 */
final class MarkovFixed {

    /** Token values as floats, placeholder [N]. */
    static final String INPUT = "x";
    /** Next-token values (or their probabilities) as floats, placeholder [N]. */
    static final String TARGET = "y";
    /** Row weights, placeholder [N]: the loss is the weighted sum of the rows' BCE. */
    static final String WEIGHT = "weight";
    /** Energy parameter e, [K]. */
    static final String E = "e";
    /** Weight parameter w, [K]. */
    static final String W = "w";
    /** Bias parameter b, [K]. */
    static final String B = "b";
    /** One logit per row and copy, [N,K]. */
    static final String LOGITS = "logits";
    /** The logit difference e²(1 + 2w|w|), [K]. */
    static final String SLOPE = "slope";
    /** Weighted BCE summed over rows and copies, scalar: the loss variable. */
    static final String LOSS = "loss";
    /** Parameter names, in optimizer order. */
    static final List<String> PARAMETERS = List.of(E, W, B);

    private MarkovFixed() {
    }

    /** The graph in FLOAT or DOUBLE with K = e0.length copies of the parameters (e, w, b). */
    static SameDiff build(DataType dtype, double[] e0, double[] w0, double[] b0) {
        if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
            throw new IllegalArgumentException("dtype must be FLOAT or DOUBLE, got " + dtype);
        }
        int k = e0.length;
        if (k < 1 || w0.length != k || b0.length != k) {
            throw new IllegalArgumentException("e, w, b need the same length >= 1, got " + e0.length + ", "
                    + w0.length + ", " + b0.length);
        }
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder(INPUT, dtype, -1);                             // [N]
        SDVariable y = sd.placeHolder(TARGET, dtype, -1);                            // [N]
        SDVariable weight = sd.placeHolder(WEIGHT, dtype, -1);                       // [N]

        SDVariable e = sd.var(E, Nd4j.createFromArray(e0).castTo(dtype));            // [K]
        SDVariable w = sd.var(W, Nd4j.createFromArray(w0).castTo(dtype));            // [K]
        SDVariable b = sd.var(B, Nd4j.createFromArray(b0).castTo(dtype));            // [K]

        SDVariable e2 = e.mul("e2", e);                                              // [K] e²
        SDVariable gain = w.mul(sd.math().abs(w)).mul(2.0).add("gain", 1.0);         // [K] 1 + 2w|w|
        SDVariable slope = e2.mul(SLOPE, gain);                                      // [K] e²(1 + 2w|w|)
        SDVariable offset = b.sub("offset", e2.mul(0.5));                            // [K] b − e²/2
        SDVariable logits = x.reshape(-1, 1).mul(slope).add(LOGITS, offset);         // [N,1]·[K] + [K] -> [N,K]
        SDVariable labels = sd.tile(y.reshape(-1, 1), 1, k);                         // [N,K]
        SDVariable weights = sd.tile(weight.reshape(-1, 1), 1, k);                   // [N,K]
        SDVariable loss = sd.loss().sigmoidCrossEntropy(LOSS, labels, logits, weights,
                LossReduce.SUM, 0.0);                                                // [] Σ weight·BCE over rows, copies
        sd.setLossVariables(loss);
        return sd;
    }
}
