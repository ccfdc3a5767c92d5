package dev.tdlab.contracts.spec;

import java.util.List;

/**
 * How a run is trained.
 *
 * @param optimizer   gd, sgd, signgd, adam or adamw
 * @param lr          peak learning rate
 * @param batch       sequences per step
 * @param steps       optimizer steps
 * @param trainable   parameter groups that learn ({@code all})
 * @param evalEvery   steps between two evaluations on the eval split (and always at the last step)
 * @param weightDecay decoupled weight decay (adamw)
 * @param schedule    learning-rate schedule: constant, cosine, or onecycle (Makkuva et al.'s code: PyTorch OneCycleLR,
 *                    cosine from lr/100 up to lr over the warm-up, then down to lr/5)
 * @param warmup      fraction of the steps spent in linear warm-up
 * @param beta1       Adam/AdamW first-moment decay (null: the optimizer's default, 0.9; SGD: momentum)
 * @param beta2       Adam/AdamW second-moment decay (null: the optimizer's default, 0.999)
 * @param sampling    {@code replacement} (default): each step draws {@code batch} sequences uniformly with replacement
 *                    from data.trainSequences; {@code fresh}: every training sequence is used once (a fresh batch every
 *                    step, as Makkuva et al.'s code), so the run's dataset holds steps × batch training sequences
 *                    (data.trainSequences is set to that)
 * @param fullBatch   every step's gradient on the whole training set (in chunks of {@code batch}) for any optimizer,
 *                    and the train error is the whole set's; default false (gd is always full batch)
 * @param external    true: the runs are trained outside the lab (the researcher's own loop logs their metrics
 *                    and finishes them through the API); the lab plans them and makes their data, the trainer
 *                    leaves them alone. Null or false: the lab's trainer trains them
 */
public record TrainSpec(
        String optimizer,
        Double lr,
        Integer batch,
        Integer steps,
        List<String> trainable,
        Integer evalEvery,
        Double weightDecay,
        String schedule,
        Double warmup,
        Double beta1,
        Double beta2,
        String sampling,
        Boolean fullBatch,
        Boolean external) {

    /** Sampling with replacement, the optimizer's default betas, mini-batches, trained by the lab. */
    public TrainSpec(String optimizer, Double lr, Integer batch, Integer steps, List<String> trainable, Integer evalEvery,
                     Double weightDecay, String schedule, Double warmup) {
        this(optimizer, lr, batch, steps, trainable, evalEvery, weightDecay, schedule, warmup, null, null, null, null,
                null);
    }

    /** Without {@code fullBatch} and {@code external}. */
    public TrainSpec(String optimizer, Double lr, Integer batch, Integer steps, List<String> trainable, Integer evalEvery,
                     Double weightDecay, String schedule, Double warmup, Double beta1, Double beta2, String sampling) {
        this(optimizer, lr, batch, steps, trainable, evalEvery, weightDecay, schedule, warmup, beta1, beta2, sampling,
                null, null);
    }

    /** Without {@code external}. */
    public TrainSpec(String optimizer, Double lr, Integer batch, Integer steps, List<String> trainable, Integer evalEvery,
                     Double weightDecay, String schedule, Double warmup, Double beta1, Double beta2, String sampling,
                     Boolean fullBatch) {
        this(optimizer, lr, batch, steps, trainable, evalEvery, weightDecay, schedule, warmup, beta1, beta2, sampling,
                fullBatch, null);
    }

    /** Whether every training sequence is used once. */
    public boolean fresh() {
        return "fresh".equals(sampling);
    }

    /** Whether every step sees the whole training set: {@code fullBatch}, or the optimizer gd. */
    public boolean wholeSet() {
        return Boolean.TRUE.equals(fullBatch) || "gd".equals(optimizer);
    }

    /** True when the runs are trained outside the lab ({@code train.external: true}). */
    public boolean externallyTrained() {
        return Boolean.TRUE.equals(external);
    }

    public TrainSpec withDefaults() {
        return new TrainSpec(
                optimizer == null ? "adam" : optimizer,
                lr == null ? 1.0e-3 : lr,
                batch == null ? 16 : batch,
                steps == null ? 1000 : steps,
                trainable == null ? List.of("all") : trainable,
                evalEvery == null ? 50 : evalEvery,
                weightDecay == null ? 0.0 : weightDecay,
                schedule == null ? "constant" : schedule,
                warmup == null ? 0.0 : warmup,
                beta1,
                beta2,
                sampling == null ? "replacement" : sampling,
                fullBatch == null ? Boolean.FALSE : fullBatch,
                external);
    }
}
