package dev.tdlab.core.model;

import dev.tdlab.core.model.deep.DeepConfig;
import dev.tdlab.core.model.makkuvaminimal.MinimalConfig;
import dev.tdlab.core.model.singlelayer.SingleLayerConfig;
import dev.tdlab.core.model.twolayerclassifier.ClassifierConfig;

/**
 * A model family's config record: {@link SingleLayerConfig} (Makkuva's single-layer transformer on one-hot tokens) or
 * {@link MinimalConfig} (the exact minimal model of the Makkuva code: scalar tokens, one logit), {@link DeepConfig}
 * (L blocks with residual scaling and a parameterization: Noci, Bordelon), {@link ClassifierConfig} (one attention
 * layer and a readout to one logit over patches or tokens: Li, Song). {@link Models#of} turns one into the
 * {@link ModelDefinition} the trainer uses.
 */
public interface ModelConfig {

    /** Context length T. */
    int seqLen();

    /** Token values V the model reads and predicts. */
    int vocab();

    /** Attention heads per layer. */
    int heads();
}
