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
 * @param schedule    learning-rate schedule: constant or cosine
 * @param warmup      fraction of the steps spent in linear warm-up
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
        Double warmup) {

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
                warmup == null ? 0.0 : warmup);
    }
}
