package dev.tdlab.contracts.spec;

import dev.tdlab.core.theory.ChainGraph;
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

    static final Set<String> DATA_FAMILIES = Set.of(DataSpec.MARKOV, DataSpec.SEQUENCE_CLASSIFICATION,
            DataSpec.NOISY_PATCH, DataSpec.PATCH_IMAGE);
    /** The data fields each family reads (besides family, trainSequences and evalSequences). */
    static final Map<String, Set<String>> DATA_FIELDS = Map.of(
            DataSpec.MARKOV, Set.of("order", "vocab", "p", "q", "transition", "dirichlet", "seqLen", "inContext"),
            DataSpec.SEQUENCE_CLASSIFICATION, Set.of("order", "vocab", "sources", "dirichlet", "seqLen"),
            DataSpec.NOISY_PATCH, Set.of("dim", "patches", "signal", "noiseStd", "sparsity", "labelNoise", "matchNorms"),
            DataSpec.PATCH_IMAGE, Set.of("imageSize", "patchSize", "barLength", "signal", "noiseStd"));
    /** Data limits: tokens are bytes (V ≤ 256); V^k rows are solved exactly by dense elimination. */
    public static final int MAX_VOCAB = 256;
    public static final int MAX_ORDER = 16;
    public static final int MAX_STATES = 4096;
    public static final int MAX_SEQ_LEN = 4096;
    public static final int MAX_TRAIN_SEQUENCES = 1_000_000;
    public static final int MAX_EVAL_SEQUENCES = 100_000;
    /** Quota of one dataset: tokens of both splits (token families), float values of both splits (patch families). */
    public static final long MAX_TOKENS = 200_000_000L;
    public static final long MAX_VALUES = 64_000_000L;
    public static final double MAX_DIRICHLET = 1e6;
    public static final double ROW_SUM_TOLERANCE = 1e-9;
    /** Bad rows of a table named one by one; the rest are counted. */
    static final int MAX_ROW_VIOLATIONS = 20;
    static final Set<String> MODEL_FAMILIES = Set.of(ModelSpec.SINGLE_LAYER, ModelSpec.MAKKUVA_MINIMAL, ModelSpec.DEEP,
            ModelSpec.CLASSIFIER);
    /** Data families a classifier reads (one label per example); the language-model families read markov data. */
    static final Set<String> CLASSIFICATION_DATA = Set.of(DataSpec.SEQUENCE_CLASSIFICATION, DataSpec.NOISY_PATCH,
            DataSpec.PATCH_IMAGE);
    public static final int MAX_DEPTH = 64;
    static final Set<String> RESIDUAL_SCALINGS = Set.of("none", "inv-sqrt-depth", "beta-over-depth");
    static final Set<String> READOUTS = Set.of("linear", "fixed");
    static final Set<String> ATTENTIONS = Set.of("softmax", "gaussian", "linear", "gaussian-unnormalized");
    /** Kernels per family: the classifier attends over patches (no linear kernel; Song's unnormalized Gaussian). */
    static final Set<String> TOKEN_ATTENTIONS = Set.of("softmax", "gaussian", "linear");
    static final Set<String> CLASSIFIER_ATTENTIONS = Set.of("softmax", "gaussian", "gaussian-unnormalized");
    static final Set<String> PARAMETERIZATIONS = Set.of("standard", "mup", "depth-mup");
    /** Layer-norm positions of the deep family. */
    static final Set<String> LAYER_NORM_POSITIONS = Set.of("pre", "post");
    static final Set<String> INIT_SCHEMES = Set.of("gaussian", "base", "good", "lowrank", "lowrank-global", "gpt2", "xavier", "fan-in", "auto");
    /** Init schemes per family: the Makkuva code's for the one-layer token models; GPT-2 / Xavier for the deep stack. */
    static final Map<String, Set<String>> FAMILY_INIT_SCHEMES = Map.of(
            ModelSpec.SINGLE_LAYER, Set.of("gaussian", "base", "good", "lowrank", "lowrank-global"),
            ModelSpec.MAKKUVA_MINIMAL, Set.of("gaussian", "base", "good", "lowrank", "lowrank-global"),
            ModelSpec.DEEP, Set.of("gaussian", "gpt2", "xavier", "auto"),
            ModelSpec.CLASSIFIER, Set.of("gaussian", "fan-in"));
    static final Set<String> OPTIMIZERS = Set.of("gd", "sgd", "signgd", "adam", "adamw");
    static final Set<String> SCHEDULES = Set.of("constant", "cosine", "onecycle");
    static final Set<String> TRAINABLE = Set.of("all", "emb", "q", "k", "v", "o", "qk", "qkv", "attn", "mlp", "head");
    /** Makkuva-code init schemes: written for binary tokens. */
    static final Set<String> BINARY_INIT_SCHEMES = Set.of("base", "good", "lowrank", "lowrank-global");

    private SpecValidator() {
    }

    /**
     * The names each enumerated field accepts, by dotted path ({@code data.family}, {@code model.attention}, …), sorted:
     * what the JSON Schema of the spec lists. {@code train.trainable} items also take an exact parameter name.
     */
    public static Map<String, List<String>> allowedNames() {
        Map<String, List<String>> m = new java.util.LinkedHashMap<>();
        m.put("data.family", sorted(DATA_FAMILIES));
        m.put("model.family", sorted(MODEL_FAMILIES));
        m.put("model.attention", sorted(ATTENTIONS));
        m.put("model.parameterization", sorted(PARAMETERIZATIONS));
        m.put("model.residualScaling", sorted(RESIDUAL_SCALINGS));
        m.put("model.readout", sorted(READOUTS));
        m.put("model.loss", List.of("logistic", "squared"));
        m.put("model.layerNormPosition", sorted(LAYER_NORM_POSITIONS));
        m.put("model.init.scheme", sorted(INIT_SCHEMES));
        m.put("train.optimizer", sorted(OPTIMIZERS));
        m.put("train.schedule", sorted(SCHEDULES));
        m.put("train.sampling", List.of("fresh", "replacement"));
        m.put("train.trainable", sorted(TRAINABLE));
        return m;
    }

    /** The data fields each data family reads besides {@code family}, {@code trainSequences} and {@code evalSequences}. */
    public static Map<String, List<String>> dataFieldsByFamily() {
        Map<String, List<String>> m = new java.util.TreeMap<>();
        DATA_FIELDS.forEach((family, fields) -> m.put(family, sorted(fields)));
        return m;
    }

    /** The init schemes of each model family. */
    public static Map<String, List<String>> initSchemesByFamily() {
        Map<String, List<String>> m = new java.util.TreeMap<>();
        FAMILY_INIT_SCHEMES.forEach((family, schemes) -> m.put(family, sorted(schemes)));
        return m;
    }

    /** The attention kernels of the token families and of the classifier, and the classifier's data families. */
    public static List<String> tokenAttentions() {
        return sorted(TOKEN_ATTENTIONS);
    }

    public static List<String> classifierAttentions() {
        return sorted(CLASSIFIER_ATTENTIONS);
    }

    public static List<String> classificationData() {
        return sorted(CLASSIFICATION_DATA);
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
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
        boolean headDim = (raw.model() != null && raw.model().headDim() != null)
                || (raw.sweep() != null && raw.sweep().containsKey("model.headDim"));
        if (headDim && ((raw.model() != null && raw.model().dModel() != null)
                || (raw.sweep() != null && raw.sweep().containsKey("model.dModel")))) {
            out.add(new Violation("model.dModel", "is headDim * heads when headDim is set: leave dModel out (or headDim)"));
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
        validateTrain(t, d, m, prefix + "train.", out);
    }

    /** Every violation of a data spec on its own (defaults applied first); field names start with {@code data.}. */
    public static List<Violation> validateData(DataSpec raw) {
        List<Violation> out = new ArrayList<>();
        if (raw == null) {
            out.add(new Violation("data", "is required"));
            return out;
        }
        validateData(raw.withDefaults(), "data.", out);
        return out;
    }

    private static void validateData(DataSpec d, String f, List<Violation> out) {
        if (!DATA_FAMILIES.contains(d.family())) {
            out.add(new Violation(f + "family", "unknown data family '" + d.family() + "'; known: "
                    + DATA_FAMILIES.stream().sorted().toList()));
            return;
        }
        Map<String, Object> given = new java.util.LinkedHashMap<>();
        given.put("order", d.order());
        given.put("vocab", d.vocab());
        given.put("p", d.p());
        given.put("q", d.q());
        given.put("transition", d.transition());
        given.put("dirichlet", d.dirichlet());
        given.put("seqLen", d.seqLen());
        given.put("inContext", d.inContext());
        given.put("sources", d.sources());
        given.put("dim", d.dim());
        given.put("patches", d.patches());
        given.put("signal", d.signal());
        given.put("noiseStd", d.noiseStd());
        given.put("sparsity", d.sparsity());
        given.put("labelNoise", d.labelNoise());
        given.put("imageSize", d.imageSize());
        given.put("patchSize", d.patchSize());
        given.put("barLength", d.barLength());
        given.put("matchNorms", d.matchNorms());
        Set<String> own = DATA_FIELDS.get(d.family());
        for (Map.Entry<String, Object> e : given.entrySet()) {
            if (e.getValue() != null && !own.contains(e.getKey())) {
                out.add(new Violation(f + e.getKey(), "is not a field of the " + d.family() + " family (its fields: "
                        + own.stream().sorted().toList() + ")"));
            }
        }
        range(out, f + "trainSequences", d.trainSequences(), 1, MAX_TRAIN_SEQUENCES);
        range(out, f + "evalSequences", d.evalSequences(), 1, MAX_EVAL_SEQUENCES);
        switch (d.family()) {
            case DataSpec.NOISY_PATCH -> validateNoisyPatch(d, f, out);
            case DataSpec.PATCH_IMAGE -> validatePatchImage(d, f, out);
            default -> validateChains(d, f, out);
        }
    }

    /** markov and sequence-classification: order, vocab, sizes, and the chain(s). */
    private static void validateChains(DataSpec d, String f, List<Violation> out) {
        boolean shapeOk = rangeOk(out, f + "order", d.order(), 1, MAX_ORDER)
                & rangeOk(out, f + "vocab", d.vocab(), 2, MAX_VOCAB);
        int states = 0;
        if (shapeOk) {
            long n = 1;
            for (int i = 0; i < d.order() && n <= MAX_STATES; i++) n *= d.vocab();
            if (n > MAX_STATES) {
                out.add(new Violation(f + "order", "vocab^order = " + d.vocab() + "^" + d.order() + " exceeds "
                        + MAX_STATES + " rows (the limit of the exact stationary solve)"));
                shapeOk = false;
            } else {
                states = (int) n;
            }
        }
        if (rangeOk(out, f + "seqLen", d.seqLen(), 2, MAX_SEQ_LEN) && d.order() != null && d.order() > d.seqLen()) {
            out.add(new Violation(f + "order", "must be at most seqLen (" + d.seqLen() + ")"));
        }
        if (d.seqLen() != null && d.trainSequences() != null && d.evalSequences() != null) {
            long tokens = ((long) d.trainSequences() + d.evalSequences()) * (d.seqLen() + 1);
            if (tokens > MAX_TOKENS) {
                out.add(new Violation(f + "trainSequences", "(trainSequences + evalSequences) × (seqLen + 1) = "
                        + tokens + " tokens exceeds the quota of " + MAX_TOKENS));
            }
        }
        if (DataSpec.SEQUENCE_CLASSIFICATION.equals(d.family())) {
            int ways = (d.sources() != null ? 1 : 0) + (d.dirichlet() != null ? 1 : 0);
            if (ways != 1) {
                out.add(new Violation(f + "sources", ways == 0
                        ? "one of sources (two transition tables) or dirichlet is required"
                        : "give only one of sources or dirichlet"));
            }
            if (d.sources() != null) {
                if (d.sources().size() != 2) {
                    out.add(new Violation(f + "sources", "must list 2 transition tables (one per class), has " + d.sources().size()));
                }
                for (int c = 0; c < d.sources().size(); c++) {
                    if (shapeOk) {
                        validateTable(d.sources().get(c), d.order(), d.vocab(), states, f + "sources[" + c + "]", out);
                    }
                }
            }
            validateDirichlet(d, f, out);
            return;
        }
        int ways = (d.p() != null || d.q() != null ? 1 : 0) + (d.transition() != null ? 1 : 0) + (d.dirichlet() != null ? 1 : 0);
        if (ways == 0) {
            out.add(new Violation(f + "p", "one of p/q, transition or dirichlet is required for a markov chain"));
        } else if (ways > 1) {
            out.add(new Violation(f + "transition", "give only one of p/q, transition or dirichlet"));
        }
        if (Boolean.TRUE.equals(d.inContext()) && d.dirichlet() == null) {
            out.add(new Violation(f + "inContext", "needs dirichlet: the prior every sequence draws its own chain from"));
        }
        if (d.p() != null || d.q() != null) {
            if (d.vocab() != null && d.vocab() != 2) {
                out.add(new Violation(f + "vocab", "must be 2 when p/q are given"));
            }
            if (d.order() != null && d.order() != 1) {
                out.add(new Violation(f + "order", "must be 1 when p/q are given (use transition for higher orders)"));
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
        if (d.transition() != null && shapeOk) {
            validateTable(d.transition(), d.order(), d.vocab(), states, f + "transition", out);
        }
        validateDirichlet(d, f, out);
    }

    private static void validateDirichlet(DataSpec d, String f, List<Violation> out) {
        if (d.dirichlet() != null && !(d.dirichlet() > 0 && d.dirichlet() <= MAX_DIRICHLET)) {
            out.add(new Violation(f + "dirichlet", "must be a concentration in (0, " + MAX_DIRICHLET + "]"));
        }
    }

    /**
     * A transition table: V^k rows of V probabilities summing to 1 (within 1e-9), each bad row named; then, when
     * every row is good, its structure: a unique stationary law (one closed class) on an aperiodic class.
     */
    private static void validateTable(List<List<Double>> rows, int order, int vocab, int states, String field,
                                      List<Violation> out) {
        if (rows == null) {
            out.add(new Violation(field, "must be a table of rows"));
            return;
        }
        if (rows.size() != states) {
            out.add(new Violation(field, "must have vocab^order = " + vocab + "^" + order + " = " + states
                    + " rows (row index = the previous " + order + " token(s) in base " + vocab + ", oldest first), has "
                    + rows.size()));
            return;
        }
        double[] table = new double[states * vocab];
        int bad = 0;
        for (int i = 0; i < states; i++) {
            String rowField = field + "[" + i + "]";
            List<Double> row = rows.get(i);
            String problem = null;
            if (row == null || row.size() != vocab) {
                problem = "must have " + vocab + " probabilities, has " + (row == null ? 0 : row.size());
            } else {
                double sum = 0;
                for (int j = 0; j < vocab && problem == null; j++) {
                    Double x = row.get(j);
                    if (x == null || !(x >= 0 && x <= 1)) {
                        problem = "entry " + j + " must be a probability in [0, 1], is " + x;
                    } else {
                        sum += x;
                        table[i * vocab + j] = x;
                    }
                }
                if (problem == null && Math.abs(sum - 1) > ROW_SUM_TOLERANCE) {
                    problem = "must sum to 1 (within " + ROW_SUM_TOLERANCE + "), sums to " + sum;
                }
            }
            if (problem != null) {
                if (++bad <= MAX_ROW_VIOLATIONS) {
                    out.add(new Violation(rowField, problem));
                }
            }
        }
        if (bad > MAX_ROW_VIOLATIONS) {
            out.add(new Violation(field, (bad - MAX_ROW_VIOLATIONS) + " more bad rows not listed"));
        }
        if (bad == 0) {
            String structure = chainStructureProblem(order, vocab, table);
            if (structure != null) {
                out.add(new Violation(field, structure));
            }
        }
    }

    /**
     * Null when the order-k chain has a unique stationary law on an aperiodic class; else why not: the theory's own
     * check ({@link ChainGraph}), made here so that a bad chain is a 400 at submission and not a failed run.
     */
    static String chainStructureProblem(int order, int vocab, double[] p) {
        return ChainGraph.structureProblem(order, vocab, p);
    }

    private static void validateNoisyPatch(DataSpec d, String f, List<Violation> out) {
        boolean dimOk = rangeOk(out, f + "dim", d.dim(), 2, 4096);
        boolean patchesOk = rangeOk(out, f + "patches", d.patches(), 2, 256);
        nonNegative(out, f + "signal", d.signal());
        positive(out, f + "noiseStd", d.noiseStd());
        if (dimOk) {
            range(out, f + "sparsity", d.sparsity(), 1, d.dim() - 1);
        }
        if (d.labelNoise() == null || !(d.labelNoise() >= 0 && d.labelNoise() <= 0.5)) {
            out.add(new Violation(f + "labelNoise", "must be a probability in [0, 0.5]"));
        }
        if (Boolean.TRUE.equals(d.matchNorms()) && !(d.signal() != null && d.signal() > 0)) {
            out.add(new Violation(f + "matchNorms", "rescales the noise patches to the signal's norm: needs signal > 0"));
        }
        if (dimOk && patchesOk) {
            quota(d, (long) d.patches() * d.dim(), f, out);
        }
    }

    private static void validatePatchImage(DataSpec d, String f, List<Violation> out) {
        boolean sizeOk = rangeOk(out, f + "imageSize", d.imageSize(), 2, 128);
        if (sizeOk && rangeOk(out, f + "patchSize", d.patchSize(), 1, d.imageSize()) && d.imageSize() % d.patchSize() != 0) {
            out.add(new Violation(f + "patchSize", "must divide imageSize (" + d.imageSize() + ")"));
        }
        if (sizeOk) {
            range(out, f + "barLength", d.barLength(), 1, d.imageSize());
            quota(d, (long) d.imageSize() * d.imageSize(), f, out);
        }
        nonNegative(out, f + "signal", d.signal());
        positive(out, f + "noiseStd", d.noiseStd());
    }

    private static void quota(DataSpec d, long valuesPerExample, String f, List<Violation> out) {
        if (d.trainSequences() == null || d.evalSequences() == null) {
            return;
        }
        long values = ((long) d.trainSequences() + d.evalSequences()) * valuesPerExample;
        if (values > MAX_VALUES) {
            out.add(new Violation(f + "trainSequences", "(trainSequences + evalSequences) × " + valuesPerExample
                    + " values per example = " + values + " values exceeds the quota of " + MAX_VALUES));
        }
    }

    private static boolean rangeOk(List<Violation> out, String field, Integer v, int lo, int hi) {
        int before = out.size();
        range(out, field, v, lo, hi);
        return out.size() == before;
    }

    private static void nonNegative(List<Violation> out, String field, Double v) {
        if (v == null || !(v >= 0 && v <= 1e6)) {
            out.add(new Violation(field, "must be a number in [0, 1e6]"));
        }
    }

    private static void positive(List<Violation> out, String field, Double v) {
        if (v == null || !(v > 0 && v <= 1e6)) {
            out.add(new Violation(field, "must be a number in (0, 1e6]"));
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
        validateFamilyFields(m, d, f, out);
        oneOf(out, f + "init.scheme", m.init().scheme(), INIT_SCHEMES);
        Double std = m.init().std();
        if (std == null || !(std > 0 && std <= 10)) {
            out.add(new Violation(f + "init.std", "must be in (0, 10]"));
        }
        if (d.vocab() != null && d.vocab() != 2) {
            if ("makkuva-minimal".equals(m.family())) {
                out.add(new Violation(f + "family", "makkuva-minimal needs binary data (data.vocab 2), got vocab " + d.vocab()));
            }
            if (BINARY_INIT_SCHEMES.contains(m.init().scheme())) {
                out.add(new Violation(f + "init.scheme", m.init().scheme() + " needs binary data (data.vocab 2), got vocab " + d.vocab()));
            }
        }
        Double vStd = m.init().vStd();
        if (vStd != null && !(vStd >= 0 && vStd <= 10)) {
            out.add(new Violation(f + "init.vStd", "must be in [0, 10]"));
        }
        if (m.init().values() != null) {
            Set<String> params = parameterNames(m);
            for (Map.Entry<String, List<Double>> e : m.init().values().entrySet()) {
                String field = f + "init.values." + e.getKey();
                if (!params.contains(e.getKey())) {
                    out.add(new Violation(field, "is not a parameter of this model; parameters: " + params.stream().sorted().toList()));
                } else if (e.getValue() == null || e.getValue().isEmpty()
                        || e.getValue().stream().anyMatch(x -> x == null || !Double.isFinite(x))) {
                    out.add(new Violation(field, "must list finite numbers (row-major)"));
                }
            }
        }
    }

    /** What only some families read, and which data each family trains on. */
    private static void validateFamilyFields(ModelSpec m, DataSpec d, String f, List<Violation> out) {
        String fam = m.family();
        boolean deep = ModelSpec.DEEP.equals(fam), classifier = ModelSpec.CLASSIFIER.equals(fam);
        if (deep) {
            range(out, f + "depth", m.depth(), 1, MAX_DEPTH);
            oneOf(out, f + "residualScaling", m.residualScaling(), RESIDUAL_SCALINGS);
            if (m.beta() == null || !(m.beta() > 0 && m.beta() <= 100)) {
                out.add(new Violation(f + "beta", "must be in (0, 100]"));
            }
            if ("depth-mup".equals(m.parameterization()) && "none".equals(m.residualScaling())) {
                out.add(new Violation(f + "residualScaling", "depth-mup scales the residual branches: use inv-sqrt-depth or beta-over-depth"));
            }
            if (Boolean.TRUE.equals(m.layerNorm()) && m.dModel() != null && m.dModel() < 2) {
                out.add(new Violation(f + "layerNorm", "needs dModel >= 2"));
            }
            oneOf(out, f + "layerNormPosition", m.layerNormPosition(), LAYER_NORM_POSITIONS);
            if (Boolean.FALSE.equals(m.causal()) && "linear".equals(m.attention())) {
                out.add(new Violation(f + "causal", "bidirectional attention has the softmax and gaussian kernels, not linear"));
            }
            if (m.qkInitScale() == null || !(m.qkInitScale() >= 0 && m.qkInitScale() <= 10)) {
                out.add(new Violation(f + "qkInitScale", "must be in [0, 10]"));
            }
            if (m.headDim() != null) {
                range(out, f + "headDim", m.headDim(), 1, 1024);
            }
        } else {
            if (m.layerNormPosition() != null && !"pre".equals(m.layerNormPosition())) {
                out.add(new Violation(f + "layerNormPosition", "is read only by the deep family"));
            }
            if (Boolean.FALSE.equals(m.causal())) {
                out.add(new Violation(f + "causal", "is read only by the deep family"));
            }
            if (m.qkInitScale() != null && m.qkInitScale() != 1.0) {
                out.add(new Violation(f + "qkInitScale", "is read only by the deep family"));
            }
            if (m.headDim() != null) {
                out.add(new Violation(f + "headDim", "is read only by the deep family"));
            }
            if (m.depth() != null && m.depth() != 1) {
                out.add(new Violation(f + "depth", "only the deep family has more than one layer (family " + fam + ")"));
            }
            if (m.residualScaling() != null && !"none".equals(m.residualScaling())) {
                out.add(new Violation(f + "residualScaling", "is read only by the deep family"));
            }
            if (Boolean.TRUE.equals(m.layerNorm())) {
                out.add(new Violation(f + "layerNorm", "is read only by the deep family"));
            }
            if (m.parameterization() != null && !"standard".equals(m.parameterization())) {
                out.add(new Violation(f + "parameterization", "mup and depth-mup are defined for the deep family only"));
            }
        }
        Set<String> schemes = FAMILY_INIT_SCHEMES.get(fam);
        if (schemes != null && m.init().scheme() != null && INIT_SCHEMES.contains(m.init().scheme())
                && !schemes.contains(m.init().scheme())) {
            out.add(new Violation(f + "init.scheme", "family " + fam + " is initialized by one of "
                    + schemes.stream().sorted().toList() + ", not '" + m.init().scheme() + "'"));
        }
        if (classifier) {
            oneOf(out, f + "readout", m.readout(), READOUTS);
            if (m.attention() != null && ATTENTIONS.contains(m.attention()) && !CLASSIFIER_ATTENTIONS.contains(m.attention())) {
                out.add(new Violation(f + "attention", "the classifier's kernels are " + CLASSIFIER_ATTENTIONS.stream().sorted().toList()
                        + ", not '" + m.attention() + "'"));
            }
            if ("fixed".equals(m.readout()) && m.dModel() != null && m.dModel() % 2 != 0) {
                out.add(new Violation(f + "dModel", "readout fixed splits the values into +1 and -1 halves: dModel must be even"));
            }
        } else if (m.attention() != null && ATTENTIONS.contains(m.attention()) && !TOKEN_ATTENTIONS.contains(m.attention())) {
            out.add(new Violation(f + "attention", "family " + fam + " has the kernels " + TOKEN_ATTENTIONS.stream().sorted().toList()));
        }
        if (classifier && m.loss() != null) {
            oneOf(out, f + "loss", m.loss(), Set.of("logistic", "squared"));
        }
        if (!classifier && m.loss() != null) {
            out.add(new Violation(f + "loss", "is read only by the two-layer-classifier family"));
        }
        if (!classifier && m.readout() != null && !"linear".equals(m.readout())) {
            out.add(new Violation(f + "readout", "is read only by the two-layer-classifier family"));
        }
        if (d.family() == null || !DATA_FAMILIES.contains(d.family()) || !MODEL_FAMILIES.contains(fam)) {
            return; // named elsewhere
        }
        if (classifier && !CLASSIFICATION_DATA.contains(d.family())) {
            out.add(new Violation(f + "family", "two-layer-classifier needs labelled data (data.family one of "
                    + CLASSIFICATION_DATA.stream().sorted().toList() + "), got " + d.family()));
        } else if (!classifier && !DataSpec.MARKOV.equals(d.family())) {
            out.add(new Violation(f + "family", fam + " predicts the next token and needs markov data; for "
                    + d.family() + " use two-layer-classifier"));
        }
    }

    /** The parameter names the engine builds for this model (dynamics-engine's SingleLayerTransformer / MinimalTransformer). */
    static Set<String> parameterNames(ModelSpec m) {
        Set<String> p = new java.util.LinkedHashSet<>();
        boolean classifier = ModelSpec.CLASSIFIER.equals(m.family());
        if (classifier) {
            p.addAll(List.of("emb/wte", "emb/wpe", "layer0/attn/wq", "layer0/attn/wk", "layer0/attn/wv", "head/w",
                    "head/bias"));
            return p;
        }
        p.addAll(List.of("emb/wte", "emb/wpe"));
        int layers = ModelSpec.DEEP.equals(m.family()) && m.depth() != null ? Math.max(1, Math.min(m.depth(), MAX_DEPTH)) : 1;
        for (int l = 0; l < layers; l++) {
            String b = "layer" + l + "/";
            p.addAll(List.of(b + "attn/wq", b + "attn/wk", b + "attn/wv", b + "attn/wo"));
            if (!Boolean.FALSE.equals(m.mlp())) {
                p.add(b + "mlp/w1");
                p.add(b + "mlp/w2");
            }
        }
        if (Boolean.FALSE.equals(m.tiedEmbedding())) {
            p.add("head/w");
        }
        p.add("head/bias");
        return p;
    }

    private static void validateTrain(TrainSpec t, DataSpec d, ModelSpec m, String f, List<Violation> out) {
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
        for (String beta : List.of("beta1", "beta2")) {
            Double b = "beta1".equals(beta) ? t.beta1() : t.beta2();
            if (b != null && !(b >= 0 && b < 1)) {
                out.add(new Violation(f + beta, "must be in [0, 1)"));
            }
        }
        if (t.sampling() != null && !Set.of("fresh", "replacement").contains(t.sampling())) {
            out.add(new Violation(f + "sampling", "must be one of [fresh, replacement], not '" + t.sampling() + "'"));
        }
        if (t.fresh() && t.steps() != null && t.batch() != null && (long) t.steps() * t.batch() > 100_000_000L) {
            out.add(new Violation(f + "sampling", "fresh sampling needs steps × batch training sequences: at most 1e8"));
        }
        if (t.fresh() && "gd".equals(t.optimizer())) {
            out.add(new Violation(f + "sampling", "gd is full-batch: fresh sampling does not apply"));
        }
        if (t.trainable() == null || t.trainable().isEmpty()) {
            out.add(new Violation(f + "trainable", "must name at least one parameter group"));
        } else {
            Set<String> params = parameterNames(m);
            for (int i = 0; i < t.trainable().size(); i++) {
                String g = t.trainable().get(i);
                if (g != null && params.contains(g)) {
                    continue; // an exact parameter name
                }
                oneOf(out, f + "trainable[" + i + "]", g, TRAINABLE);
                if ("mlp".equals(g) && Boolean.FALSE.equals(m.mlp())) {
                    out.add(new Violation(f + "trainable[" + i + "]", "names no parameter: model.mlp is false"));
                }
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
