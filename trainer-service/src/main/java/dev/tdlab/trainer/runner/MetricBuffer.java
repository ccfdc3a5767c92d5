package dev.tdlab.trainer.runner;

import dev.tdlab.contracts.events.MetricSeries;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collects metric points between two sends; not thread-safe (one per run, used by its worker). */
final class MetricBuffer {

    private final Map<String, List<Integer>> steps = new LinkedHashMap<>();
    private final Map<String, List<Double>> values = new LinkedHashMap<>();
    private int from = Integer.MAX_VALUE;
    private int to = Integer.MIN_VALUE;

    void add(String name, int step, double value) {
        steps.computeIfAbsent(name, k -> new ArrayList<>()).add(step);
        values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        from = Math.min(from, step);
        to = Math.max(to, step);
    }

    boolean isEmpty() {
        return steps.isEmpty();
    }

    int fromStep() {
        return from;
    }

    int toStep() {
        return to;
    }

    /** The buffered series, and an empty buffer. */
    Map<String, MetricSeries> drain() {
        Map<String, MetricSeries> out = new LinkedHashMap<>();
        for (String name : steps.keySet()) {
            out.put(name, new MetricSeries(steps.get(name), values.get(name)));
        }
        steps.clear();
        values.clear();
        from = Integer.MAX_VALUE;
        to = Integer.MIN_VALUE;
        return out;
    }
}
