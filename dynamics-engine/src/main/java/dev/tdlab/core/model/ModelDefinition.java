package dev.tdlab.core.model;

import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What the trainer needs to know about a model family: its parameters, their init, its graph, how it reads tokens.
 * Get one with {@link Models#of}. Every graph has placeholders "x", "y" and outputs "loss" (scalar mean over all
 * B·T targets, the only loss variable), "tokenLoss" [B·T] (per token, nats) and one "layerL/attn/entropy" scalar per
 * layer (softmax and gaussian kernels).
 */
public interface ModelDefinition {

    /** The config it was made from. */
    ModelConfig config();

    /** False: x, y are one-hot [B,T,V]; true: x, y are the token values as floats [B,T] (binary models). */
    boolean scalarInput();

    /** Trainable parameter names in a fixed order (the init order, and the order of optimizer state). */
    List<String> parameterNames();

    /** Parameter shapes, in {@link #parameterNames} order. */
    Map<String, long[]> shapes();

    /** Initial values (row-major, by name) for the config's scheme and explicit values. */
    Map<String, double[]> initialParameters(long seed);

    /** The graph in FLOAT or DOUBLE with these parameter values. */
    SameDiff build(DataType dtype, Map<String, double[]> params);

    /** Whether weight decay applies (nanoGPT/Makkuva grouping: weight matrices yes; biases, positions no). */
    boolean weightDecay(String parameter);

    /** Names of the attention-entropy scalars, one per layer; empty for the linear kernel. */
    List<String> attentionEntropies();

    /**
     * The family's extra scalar graph outputs, as metric name → graph variable, fetched with the attention entropies
     * every {@code metricsEvery} steps (e.g. the deep family's {@code rank_collapse/layer3} → {@code
     * layer3/rank_collapse}); empty by default.
     */
    default Map<String, String> familyMetrics() {
        return Map.of();
    }

    /**
     * Gradient-norm metrics reported every {@code metricsEvery} steps, as metric name → parameters whose joint L2
     * norm it is (only their trainable ones; a metric with none is skipped), e.g. the deep family's
     * {@code grad_norm/layer3/q} → [{@code layer3/attn/wq}]; empty by default.
     */
    default Map<String, List<String>> layerGradNorms() {
        return Map.of();
    }

    /**
     * The parameters that {@code groups} name (union, in parameter order); see {@link ParameterGroups}.
     *
     * @throws IllegalArgumentException naming the group, for an unknown group or one that names no parameter here
     */
    default List<String> trainable(List<String> groups) {
        return ParameterGroups.resolve(groups, parameterNames());
    }
}
