package dev.tdlab.contracts.spec;

/** One run of an experiment: a sweep cell applied to the base spec, with its seed. */
public record RunSpec(DataSpec data, ModelSpec model, TrainSpec train, long seed) {

    /** True when the run is trained outside the lab ({@code train.external: true}): the trainer must not claim it. */
    public boolean externallyTrained() {
        return train != null && train.externallyTrained();
    }
}
