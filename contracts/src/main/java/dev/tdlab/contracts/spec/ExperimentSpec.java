package dev.tdlab.contracts.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An experiment as a researcher submits it: a base run, the seeds, and a sweep whose cartesian
 * product of values (keyed by dotted paths such as {@code data.p}) makes the cells.
 */
public record ExperimentSpec(
        String name,
        DataSpec data,
        ModelSpec model,
        TrainSpec train,
        List<Long> seeds,
        Map<String, List<Object>> sweep) {

    /** The spec with every absent field set to its default; the sweep keeps its order. */
    public ExperimentSpec withDefaults() {
        return new ExperimentSpec(
                name,
                data == null ? null : data.withDefaults(),
                model == null ? new ModelSpec(null, null, null, null, null, null, null, null).withDefaults() : model.withDefaults(),
                train == null ? new TrainSpec(null, null, null, null, null, null, null, null, null).withDefaults() : train.withDefaults(),
                seeds == null ? List.of(0L) : seeds,
                sweep == null ? new LinkedHashMap<>() : new LinkedHashMap<>(sweep));
    }
}
