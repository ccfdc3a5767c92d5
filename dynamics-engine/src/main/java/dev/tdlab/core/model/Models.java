package dev.tdlab.core.model;

import dev.tdlab.core.model.deep.DeepConfig;
import dev.tdlab.core.model.deep.DeepTransformer;
import dev.tdlab.core.model.makkuvaminimal.MinimalConfig;
import dev.tdlab.core.model.makkuvaminimal.MinimalTransformer;
import dev.tdlab.core.model.singlelayer.SingleLayerConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerTransformer;
import dev.tdlab.core.model.twolayerclassifier.ClassifierConfig;
import dev.tdlab.core.model.twolayerclassifier.PatchClassifier;

import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/** The {@link ModelDefinition} of each model family. */
public final class Models {

    private Models() {
    }

    /** The definition of the config's family. */
    public static ModelDefinition of(ModelConfig config) {
        if (config instanceof SingleLayerConfig c) return new SingleLayer(c);
        if (config instanceof MinimalConfig c) return new Minimal(c);
        if (config instanceof DeepConfig c) return new Deep(c);
        if (config instanceof ClassifierConfig c) return new Classifier(c);
        throw new IllegalArgumentException("unknown model config " + config);
    }

    private static boolean decays(String name, Map<String, long[]> shapes) {
        // as nanoGPT/Makkuva: decay the weight matrices; not biases, not the positional embedding
        return shapes.get(name).length == 2 && !name.equals(SingleLayerTransformer.WPE);
    }

    private record SingleLayer(SingleLayerConfig config) implements ModelDefinition {
        @Override public boolean scalarInput() {
            return false;
        }

        @Override public List<String> parameterNames() {
            return SingleLayerTransformer.parameterNames(config);
        }

        @Override public Map<String, long[]> shapes() {
            return SingleLayerTransformer.shapes(config);
        }

        @Override public Map<String, double[]> initialParameters(long seed) {
            return SingleLayerTransformer.initialParameters(config, seed);
        }

        @Override public SameDiff build(DataType dtype, Map<String, double[]> params) {
            return SingleLayerTransformer.build(config, dtype, params);
        }

        @Override public boolean weightDecay(String parameter) {
            return decays(parameter, shapes());
        }

        @Override public List<String> attentionEntropies() {
            return config.attention().equals("linear") ? List.of() : List.of(SingleLayerTransformer.ATTN_ENTROPY);
        }
    }

    private record Minimal(MinimalConfig config) implements ModelDefinition {
        @Override public boolean scalarInput() {
            return true;
        }

        @Override public List<String> parameterNames() {
            return MinimalTransformer.parameterNames(config);
        }

        @Override public Map<String, long[]> shapes() {
            return MinimalTransformer.shapes(config);
        }

        @Override public Map<String, double[]> initialParameters(long seed) {
            return MinimalTransformer.initialParameters(config, seed);
        }

        @Override public SameDiff build(DataType dtype, Map<String, double[]> params) {
            return MinimalTransformer.build(config, dtype, params);
        }

        @Override public boolean weightDecay(String parameter) {
            return decays(parameter, shapes());
        }

        @Override public List<String> attentionEntropies() {
            return config.attention().equals("linear") ? List.of() : List.of(SingleLayerTransformer.ATTN_ENTROPY);
        }
    }

    private record Deep(DeepConfig config) implements ModelDefinition {
        @Override public boolean scalarInput() {
            return false;
        }

        @Override public List<String> parameterNames() {
            return DeepTransformer.parameterNames(config);
        }

        @Override public Map<String, long[]> shapes() {
            return DeepTransformer.shapes(config);
        }

        @Override public Map<String, double[]> initialParameters(long seed) {
            return DeepTransformer.initialParameters(config, seed);
        }

        @Override public SameDiff build(DataType dtype, Map<String, double[]> params) {
            return DeepTransformer.build(config, dtype, params);
        }

        @Override public boolean weightDecay(String parameter) {
            return decays(parameter, shapes());
        }

        @Override public List<String> attentionEntropies() {
            return DeepTransformer.attentionEntropies(config);
        }

        @Override public Map<String, String> familyMetrics() {
            return DeepTransformer.familyMetrics(config);
        }

        @Override public Map<String, List<String>> layerGradNorms() {
            return DeepTransformer.layerGradNorms(config);
        }
    }

    private record Classifier(ClassifierConfig config) implements ModelDefinition {
        @Override public boolean scalarInput() {
            return false;
        }

        @Override public List<String> parameterNames() {
            return PatchClassifier.parameterNames(config);
        }

        @Override public Map<String, long[]> shapes() {
            return PatchClassifier.shapes(config);
        }

        @Override public Map<String, double[]> initialParameters(long seed) {
            return PatchClassifier.initialParameters(config, seed);
        }

        @Override public SameDiff build(DataType dtype, Map<String, double[]> params) {
            return PatchClassifier.build(config, dtype, params);
        }

        @Override public boolean weightDecay(String parameter) {
            return decays(parameter, shapes());
        }

        @Override public List<String> attentionEntropies() {
            return config.attention().equals("gaussian-unnormalized") ? List.of() : List.of(PatchClassifier.ATTN_ENTROPY);
        }
    }
}
