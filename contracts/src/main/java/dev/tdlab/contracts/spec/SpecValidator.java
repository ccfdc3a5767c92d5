package dev.tdlab.contracts.spec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks an experiment spec and names every bad field. Pure: no framework, no I/O.
 * The spec is checked after defaults are applied; each sweep cell is checked as the spec it makes.
 */
public final class SpecValidator {

    /** Most runs (cells × seeds) one experiment may ask for. */
    public static final int MAX_RUNS = 10_000;
    /** Most sweep axes. */
    public static final int MAX_SWEEP_AXES = 6;

    static final Set<String> DATA_FAMILIES = Set.of("markov");
    static final Set<String> MODEL_FAMILIES = Set.of("single-layer");
    static final Set<String> ATTENTIONS = Set.of("softmax");
    static final Set<String> PARAMETERIZATIONS = Set.of("standard");
    static final Set<String> INIT_SCHEMES = Set.of("gaussian");
    static final Set<String> OPTIMIZERS = Set.of("gd", "sgd", "signgd", "adam", "adamw");
    static final Set<String> SCHEDULES = Set.of("constant", "cosine");
    static final Set<String> TRAINABLE = Set.of("all");

    private SpecValidator() {
    }

    /** Every violation of the spec; empty when the spec is valid. */
    public static List<Violation> validate(ExperimentSpec raw) {
        List<Violation> out = new ArrayList<>();
        if (raw == null) {
            out.add(new Violation("", "the body must be an experiment spec object"));
            return out;
        }
        if (raw.data() == null) {
            out.add(new Violation("data", "is required"));
        }
        ExperimentSpec spec = raw.withDefaults();
        if (spec.name() == null || spec.name().isBlank()) {
            out.add(new Violation("name", "is required"));
        } else if (spec.name().length() > 200) {
            out.add(new Violation("name", "must be at most 200 characters"));
        }
        if (spec.seeds().isEmpty()) {
            out.add(new Violation("seeds", "must list at least one seed"));
        }
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < spec.seeds().size(); i++) {
            Long s = spec.seeds().get(i);
            if (s == null || s < 0) {
                out.add(new Violation("seeds[" + i + "]", "must be a non-negative integer"));
            } else if (!seen.add(s)) {
                out.add(new Violation("seeds[" + i + "]", "repeats seed " + s));
            }
        }
        if (raw.data() != null) {
            validateRun(spec.data(), spec.model(), spec.train(), "", out);
        }
        validateSweep(spec, out);
        return out;
    }

    private static void validateSweep(ExperimentSpec spec, List<Violation> out) {
        Map<String, List<Object>> sweep = spec.sweep();
        if (sweep.size() > MAX_SWEEP_AXES) {
            out.add(new Violation("sweep", "has " + sweep.size() + " axes; at most " + MAX_SWEEP_AXES));
            return;
        }
        long runs = Math.max(1, spec.seeds().size());
        boolean axesOk = true;
        Set<String> goodAxes = new HashSet<>();
        for (Map.Entry<String, List<Object>> axis : sweep.entrySet()) {
            String field = "sweep." + axis.getKey();
            if (!SweepExpander.isSweepable(axis.getKey())) {
                out.add(new Violation(field, "is not a field of the spec that can be swept (use a dotted path such as data.p)"));
                axesOk = false;
                continue;
            }
            List<Object> values = axis.getValue();
            if (values == null || values.isEmpty()) {
                out.add(new Violation(field, "must list at least one value"));
                axesOk = false;
                continue;
            }
            if (new HashSet<>(values).size() != values.size()) {
                out.add(new Violation(field, "lists a value twice"));
                axesOk = false;
            } else {
                goodAxes.add(axis.getKey());
            }
            runs *= values.size();
            if (runs > MAX_RUNS) {
                break;
            }
        }
        if (runs > MAX_RUNS) {
            out.add(new Violation("sweep", "makes more than " + MAX_RUNS + " runs (cells × seeds)"));
            return;
        }
        if (spec.data() == null || out.stream().anyMatch(v -> !v.field().startsWith("sweep") && !v.field().startsWith("seeds") && !v.field().equals("name"))) {
            return; // the base is wrong already: its errors are reported once, not per cell
        }
        // Check each swept value by applying it alone to the base spec (the product would repeat errors).
        for (Map.Entry<String, List<Object>> axis : sweep.entrySet()) {
            if (!goodAxes.contains(axis.getKey())) {
                continue;
            }
            for (int i = 0; i < axis.getValue().size(); i++) {
                String field = "sweep." + axis.getKey() + "[" + i + "]";
                RunSpec one;
                try {
                    one = SweepExpander.apply(spec, Map.of(axis.getKey(), axis.getValue().get(i)), 0L);
                } catch (IllegalArgumentException e) {
                    out.add(new Violation(field, e.getMessage()));
                    continue;
                }
                List<Violation> cell = new ArrayList<>();
                validateRun(one.data(), one.model(), one.train(), "", cell);
                for (Violation v : cell) {
                    out.add(new Violation(field, "makes " + v.field() + " invalid: " + v.message()));
                }
            }
        }
        // And the full product, for combinations (e.g. p and q together) that are bad only jointly.
        if (axesOk && out.isEmpty()) {
            for (Map<String, Object> cell : SweepExpander.cells(sweep)) {
                List<Violation> cv = new ArrayList<>();
                RunSpec run = SweepExpander.apply(spec, cell, 0L);
                validateRun(run.data(), run.model(), run.train(), "", cv);
                for (Violation v : cv) {
                    out.add(new Violation("sweep", "cell " + cell + " makes " + v.field() + " invalid: " + v.message()));
                }
                if (out.size() > 50) {
                    break;
                }
            }
        }
    }

    /** Checks one fully resolved run (defaults applied). Field names are prefixed with {@code prefix}. */
    public static void validateRun(DataSpec d, ModelSpec m, TrainSpec t, String prefix, List<Violation> out) {
        validateData(d, prefix + "data.", out);
        validateModel(m, d, prefix + "model.", out);
        validateTrain(t, d, prefix + "train.", out);
    }

    private static void validateData(DataSpec d, String f, List<Violation> out) {
        if (!DATA_FAMILIES.contains(d.family())) {
            out.add(new Violation(f + "family", "unknown data family '" + d.family() + "'; known: " + DATA_FAMILIES));
            return;
        }
        if (d.order() != 1) {
            out.add(new Violation(f + "order", "must be 1 (higher orders are not generated yet)"));
        }
        range(out, f + "vocab", d.vocab(), 2, 64);
        range(out, f + "seqLen", d.seqLen(), 2, 4096);
        range(out, f + "trainSequences", d.trainSequences(), 1, 1_000_000);
        range(out, f + "evalSequences", d.evalSequences(), 1, 100_000);
        if (d.seqLen() != null && d.trainSequences() != null
                && (long) d.seqLen() * d.trainSequences() > 200_000_000L) {
            out.add(new Violation(f + "trainSequences", "times seqLen exceeds 200,000,000 tokens"));
        }
        int ways = (d.p() != null || d.q() != null ? 1 : 0) + (d.transition() != null ? 1 : 0) + (d.dirichlet() != null ? 1 : 0);
        if (ways == 0) {
            out.add(new Violation(f + "p", "one of p/q, transition or dirichlet is required for a markov chain"));
        } else if (ways > 1) {
            out.add(new Violation(f + "transition", "give only one of p/q, transition or dirichlet"));
        }
        if (d.p() != null || d.q() != null) {
            if (d.vocab() != null && d.vocab() != 2) {
                out.add(new Violation(f + "vocab", "must be 2 when p/q are given"));
            }
            probability(out, f + "p", d.p());
            probability(out, f + "q", d.q());
            if (d.p() != null && d.q() != null && d.p() + d.q() == 0) {
                out.add(new Violation(f + "p", "p = q = 0 makes the chain reducible (no unique stationary law)"));
            }
            if (d.p() != null && d.q() != null && d.p() == 1 && d.q() == 1) {
                out.add(new Violation(f + "p", "p = q = 1 makes the chain periodic"));
            }
        }
        if (d.transition() != null) {
            List<List<Double>> rows = d.transition();
            int v = d.vocab() == null ? rows.size() : d.vocab();
            if (rows.size() != v) {
                out.add(new Violation(f + "transition", "must have vocab^order = " + v + " rows, has " + rows.size()));
            }
            for (int i = 0; i < rows.size(); i++) {
                List<Double> row = rows.get(i);
                if (row == null || row.size() != v) {
                    out.add(new Violation(f + "transition[" + i + "]", "must have " + v + " probabilities"));
                    continue;
                }
                double sum = 0;
                boolean ok = true;
                for (Double x : row) {
                    if (x == null || !(x >= 0 && x <= 1)) {
                        ok = false;
                    } else {
                        sum += x;
                    }
                }
                if (!ok) {
                    out.add(new Violation(f + "transition[" + i + "]", "entries must be probabilities in [0, 1]"));
                } else if (Math.abs(sum - 1) > 1e-9) {
                    out.add(new Violation(f + "transition[" + i + "]", "must sum to 1, sums to " + sum));
                }
            }
        }
        if (d.dirichlet() != null) {
            out.add(new Violation(f + "dirichlet", "random Dirichlet tables are not generated yet; give p/q or transition"));
        }
    }

    private static void validateModel(ModelSpec m, DataSpec d, String f, List<Violation> out) {
        if (!MODEL_FAMILIES.contains(m.family())) {
            out.add(new Violation(f + "family", "unknown model family '" + m.family() + "'; known: " + MODEL_FAMILIES));
        }
        range(out, f + "dModel", m.dModel(), 1, 1024);
        range(out, f + "heads", m.heads(), 1, 64);
        if (m.dModel() != null && m.heads() != null && m.heads() > 0 && m.dModel() % m.heads() != 0) {
            out.add(new Violation(f + "heads", "must divide dModel (" + m.dModel() + ")"));
        }
        oneOf(out, f + "attention", m.attention(), ATTENTIONS);
        oneOf(out, f + "parameterization", m.parameterization(), PARAMETERIZATIONS);
        oneOf(out, f + "init.scheme", m.init().scheme(), INIT_SCHEMES);
        Double std = m.init().std();
        if (std == null || !(std > 0 && std <= 10)) {
            out.add(new Violation(f + "init.std", "must be in (0, 10]"));
        }
    }

    private static void validateTrain(TrainSpec t, DataSpec d, String f, List<Violation> out) {
        oneOf(out, f + "optimizer", t.optimizer(), OPTIMIZERS);
        oneOf(out, f + "schedule", t.schedule(), SCHEDULES);
        if (t.lr() == null || !(t.lr() > 0 && t.lr() <= 100)) {
            out.add(new Violation(f + "lr", "must be in (0, 100]"));
        }
        range(out, f + "batch", t.batch(), 1, 4096);
        range(out, f + "steps", t.steps(), 1, 1_000_000);
        range(out, f + "evalEvery", t.evalEvery(), 1, 1_000_000);
        if (t.weightDecay() == null || !(t.weightDecay() >= 0 && t.weightDecay() < 1)) {
            out.add(new Violation(f + "weightDecay", "must be in [0, 1)"));
        }
        if (t.warmup() == null || !(t.warmup() >= 0 && t.warmup() < 1)) {
            out.add(new Violation(f + "warmup", "must be a fraction in [0, 1)"));
        }
        if (t.trainable() == null || t.trainable().isEmpty()) {
            out.add(new Violation(f + "trainable", "must name at least one parameter group"));
        } else {
            for (int i = 0; i < t.trainable().size(); i++) {
                oneOf(out, f + "trainable[" + i + "]", t.trainable().get(i), TRAINABLE);
            }
        }
        if ("gd".equals(t.optimizer()) && t.batch() != null && d.trainSequences() != null
                && !t.batch().equals(d.trainSequences())) {
            out.add(new Violation(f + "batch", "gd is full-batch: batch must equal data.trainSequences (" + d.trainSequences() + ")"));
        }
    }

    private static void range(List<Violation> out, String field, Integer v, int lo, int hi) {
        if (v == null || v < lo || v > hi) {
            out.add(new Violation(field, "must be an integer in [" + lo + ", " + hi + "]"));
        }
    }

    private static void probability(List<Violation> out, String field, Double v) {
        if (v == null) {
            out.add(new Violation(field, "is required with a binary chain (give both p and q)"));
        } else if (!(v >= 0 && v <= 1)) {
            out.add(new Violation(field, "must be a probability in [0, 1]"));
        }
    }

    private static void oneOf(List<Violation> out, String field, String v, Set<String> allowed) {
        if (v == null || !allowed.contains(v)) {
            out.add(new Violation(field, "must be one of " + allowed.stream().sorted().toList() + (v == null ? "" : ", not '" + v + "'")));
        }
    }
}
