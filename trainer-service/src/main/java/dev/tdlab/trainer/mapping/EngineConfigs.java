package dev.tdlab.trainer.mapping;

import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.contracts.spec.InitSpec;
import dev.tdlab.contracts.spec.ModelSpec;
import dev.tdlab.contracts.spec.RunSpec;
import dev.tdlab.core.model.twolayerclassifier.ClassifierConfig;
import dev.tdlab.core.model.deep.DeepConfig;
import dev.tdlab.core.model.makkuvaminimal.MinimalConfig;
import dev.tdlab.core.model.ModelConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerConfig;
import dev.tdlab.core.optim.OptimizerConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A run's spec (contracts) as the engine's configuration records: one model config per family, the optimizer. */
public final class EngineConfigs {

    private EngineConfigs() {
    }

    /** The engine's model of a run: the spec's family and sizes, with T and V from its dataset. */
    public static ModelConfig model(RunSpec s, DatasetReady r) {
        var m = s.model();
        double vStd = m.init().vStd() == null ? 0.0 : m.init().vStd();
        Map<String, double[]> values = new LinkedHashMap<>();
        if (m.init().values() != null) {
            m.init().values().forEach((k, v) -> values.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
        }
        if (ModelSpec.MAKKUVA_MINIMAL.equals(m.family())) {
            return new MinimalConfig(r.seqLen(), m.dModel(), m.heads(), m.mlp(), m.tiedEmbedding(), m.init().scheme(),
                    m.init().std(), vStd, m.attention(), values);
        }
        if (ModelSpec.DEEP.equals(m.family())) {
            // auto: xavier under the standard parameterization, N(0, std^2) under mup / depth-mup (1/sqrt(fan-in) is in
            // their forward pass): the same function at init, so a sweep over the parameterization compares like with like
            String scheme = !"auto".equals(m.init().scheme()) ? m.init().scheme()
                    : "standard".equals(m.parameterization()) ? "xavier" : "gaussian";
            // mup for Adam-like optimizers: the Adam form of the embedding/readout multipliers (DeepConfig)
            String form = !"standard".equals(m.parameterization())
                    && List.of("adam", "adamw", "signgd").contains(s.train().optimizer()) ? "adam" : "sgd";
            return new DeepConfig(r.vocab(), r.seqLen(), m.dModel(), m.heads(), m.depth(), m.residualScaling(), m.beta(),
                    m.layerNorm(), m.mlp(), 4, m.tiedEmbedding(), m.attention(), m.parameterization(), scheme,
                    m.init().std(), values, m.layerNormPosition(), m.causal(), m.qkInitScale(), form);
        }
        if (ModelSpec.CLASSIFIER.equals(m.family())) {
            return classifier(s, r, values);
        }
        return new SingleLayerConfig(r.vocab(), r.seqLen(), m.dModel(), m.heads(), m.mlp(), 4, m.tiedEmbedding(),
                m.init().scheme(), m.init().std(), m.attention(), vStd, values);
    }

    /**
     * The two-layer classifier: {@code readout: fixed} is Li et al.'s model (sum over queries, unscaled scores, ±1/m_v
     * second layer, values of width dModel = 2·m_v); {@code readout: linear} Song et al.'s (mean pooling, scores scaled
     * by 1/√width, a trained linear readout). Patches enter as they are (D from the data); tokens through a learned
     * embedding of width dModel. The attention width (queries, keys, values) is dModel.
     */
    static ClassifierConfig classifier(RunSpec s, DatasetReady r, Map<String, double[]> values) {
        var m = s.model();
        var d = s.data();
        boolean li = "fixed".equals(m.readout());
        boolean tokens = DataSpec.SEQUENCE_CLASSIFICATION.equals(d.family());
        int inputDim = tokens ? r.vocab() : DataSpec.PATCH_IMAGE.equals(d.family()) ? d.patchSize() * d.patchSize() : d.dim();
        return new ClassifierConfig(tokens ? "tokens" : "patches", r.seqLen(), inputDim, tokens ? m.dModel() : 0,
                m.heads(), m.dModel(), m.dModel(), m.attention(), !li, li ? "sum" : "mean", m.readout(), m.init().scheme(),
                m.init().std(), valueStd(m.init()), values, m.loss() == null ? "logistic" : m.loss());
    }

    /** The classifier's W_V std: {@code init.vStd} when given (> 0; Song et al.'s Q/K-to-V scale), else {@code init.std}. */
    static double valueStd(InitSpec init) {
        return init.vStd() != null && init.vStd() > 0 ? init.vStd() : init.std();
    }

    /**
     * The optimizer of the spec. For the deep family under {@code mup} / {@code depth-mup}, {@code train.lr} is the base
     * rate η₀ and the rate used is η₀ times Bordelon et al.'s width/depth multiplier ({@link DeepConfig#lrMultiplier}),
     * so that one η₀ means the same at every width: that is what a learning-rate-transfer sweep compares.
     */
    public static OptimizerConfig optimizer(RunSpec s) {
        double lr = s.train().lr();
        var m = s.model();
        if (ModelSpec.DEEP.equals(m.family()) && !"standard".equals(m.parameterization())) {
            lr *= DeepConfig.lrMultiplier(m.parameterization(), s.train().optimizer(), m.dModel() / m.heads(), m.heads(),
                    m.depth(), m.residualScaling());
        }
        OptimizerConfig d = OptimizerConfig.of(s.train().optimizer(), lr);
        double beta1 = s.train().beta1() != null ? s.train().beta1() : d.beta1();
        double beta2 = s.train().beta2() != null ? s.train().beta2() : d.beta2();
        return new OptimizerConfig(s.train().optimizer(), lr, beta1, beta2, d.eps(),
                s.train().weightDecay(), s.train().schedule(), s.train().warmup());
    }
}
