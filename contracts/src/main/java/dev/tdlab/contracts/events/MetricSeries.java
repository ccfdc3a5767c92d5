package dev.tdlab.contracts.events;

import java.util.List;

/** Values of one metric at the given steps (same length); NaN and infinities are kept. */
public record MetricSeries(List<Integer> steps, List<Double> values) {
}
