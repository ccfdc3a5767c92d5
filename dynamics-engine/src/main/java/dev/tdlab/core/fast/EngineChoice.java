package dev.tdlab.core.fast;

import dev.tdlab.core.model.ModelConfig;
import dev.tdlab.core.model.deep.DeepConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerConfig;
import dev.tdlab.core.model.twolayerclassifier.ClassifierConfig;
import java.util.List;

/**
 * Which engine trains a run: the SameDiff graph (the engine of record) or the hand-written kernels of this package.
 *
 * <ul>
 *   <li>{@code samediff}: always the graph;</li>
 *   <li>{@code fast}: the kernels; a model they do not compute is an error (no silent fallback when pinned);</li>
 *   <li>{@code auto} (default): the kernels for a model they compute ({@link #fastComputes}) where they are
 *       measured faster: the single-layer family and the deep family up to {@link #autoMaxD}, the two-layer
 *       classifier up to {@link #AUTO_MAX_POSITIONS}; else the graph.</li>
 * </ul>
 * The train option ({@code TrainConfig.engine}) wins; when it is {@code auto}, the system property
 * {@value #PROPERTY} (same values) may pin the engine for the whole JVM.
 */
public final class EngineChoice {

    /** The system property that pins the engine when the train option is {@code auto}. */
    public static final String PROPERTY = "tdlab.engine";
    /** Accepted values. */
    public static final List<String> NAMES = List.of("auto", "samediff", "fast");
    /**
     * Widest residual the automatic choice gives to the kernels when they run on the Vector API ({@code Rows.VECTOR}),
     * for the single-layer and the deep family alike, measured side by side in float32 runs (the kernels' dense
     * products in float32; bench/engine, one thread per side, quiet machine, wall ms per step, best of 2 rounds;
     * d=128: 1 round). Single-layer, T=256, B=16: d=16: 3.97 against the graph's 9.30; d=64: 20.2 against 22.5;
     * d=128: 67.0 against 49.1 (the graph's BLAS products win). Deep, L=8, T=64, B=16: d=64: 33.9 against 61.4;
     * d=128: 127.2 against 126.5 (even: the graph keeps it).
     */
    public static final int AUTO_MAX_D = 64;
    /**
     * The same without the Vector API (plain loops, ~4-8x slower at d ≥ 16): d=8: 48 ms per step against the graph's 46;
     * d=16: 82 against 61. The deep family (L=8, T=64, B=16, thread CPU): d=8: 29 against 32; d=16: 49 against 34.
     */
    public static final int AUTO_MAX_D_PLAIN = 8;
    /**
     * Most attention positions (patches, or tokens + 1) of a two-layer classifier the automatic choice gives to the
     * kernels: their attention loops are O(n²) per head without BLAS; measured per step (thread CPU) against the graph,
     * tokens d=16: n=32 0.71 vs 1.96 ms, n=65 2.41 vs 2.28 ms; d=32, n=257 50 vs 16 ms; Li's patches (n=2) 0.10 vs 2.0 ms.
     */
    public static final int AUTO_MAX_POSITIONS = 32;

    private EngineChoice() {
    }

    /**
     * Whether the kernels compute this model: the single-layer family with softmax attention (any V, T, d, heads, MLP,
     * tying, init; {@link SingleLayerKernels}), the two-layer classifier (every option; {@link ClassifierKernels}) and
     * the deep family with softmax causal attention, the standard parameterization and pre-LN or no LN
     * ({@link DeepKernels}).
     */
    public static boolean fastComputes(ModelConfig c) {
        return c instanceof SingleLayerConfig s && SingleLayerKernels.supports(s)
                || c instanceof ClassifierConfig k && ClassifierKernels.supports(k)
                || c instanceof DeepConfig p && DeepKernels.supports(p);
    }

    /** Whether {@code auto} gives a model the kernels compute to them (see the class comment). */
    static boolean autoFast(ModelConfig c) {
        if (c instanceof ClassifierConfig k) return k.positions() <= AUTO_MAX_POSITIONS;
        if (c instanceof DeepConfig p) return p.dModel() <= autoMaxD();
        return ((SingleLayerConfig) c).dModel() <= autoMaxD();
    }

    /** {@link #AUTO_MAX_D} when the kernels run on the Vector API in this JVM, else {@link #AUTO_MAX_D_PLAIN}. */
    public static int autoMaxD() {
        return Rows.VECTOR ? AUTO_MAX_D : AUTO_MAX_D_PLAIN;
    }

    /** Checks a requested engine name. */
    public static String check(String engine) {
        if (engine == null || !NAMES.contains(engine)) {
            throw new IllegalArgumentException("engine must be one of " + NAMES + ", got " + engine);
        }
        return engine;
    }

    /**
     * True when the run uses the kernels.
     *
     * @param requested the train option (auto, samediff, fast)
     * @throws IllegalArgumentException when {@code fast} is pinned for a model the kernels do not compute
     */
    public static boolean useFast(ModelConfig c, String requested) {
        String e = check(requested);
        if (e.equals("auto")) e = check(System.getProperty(PROPERTY, "auto").trim());
        return switch (e) {
            case "samediff" -> false;
            case "fast" -> {
                if (!fastComputes(c)) {
                    throw new IllegalArgumentException("engine fast computes the single-layer family with softmax "
                            + "attention, the two-layer classifier and the deep family with softmax causal attention, "
                            + "the standard parameterization and pre-LN only, not " + c);
                }
                yield true;
            }
            default -> fastComputes(c) && autoFast(c);
        };
    }
}
