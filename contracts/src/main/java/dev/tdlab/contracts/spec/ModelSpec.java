package dev.tdlab.contracts.spec;

/**
 * Which model a run trains.
 *
 * @param family           {@code single-layer} (Makkuva et al.)
 * @param dModel           embedding width d
 * @param heads            attention heads (must divide dModel)
 * @param attention        attention kernel: {@code softmax}
 * @param mlp              whether the block has its ReLU MLP (d → 4d → d)
 * @param tiedEmbedding    whether the output layer reuses the token embedding
 * @param init             initialization
 * @param parameterization {@code standard}
 */
public record ModelSpec(
        String family,
        Integer dModel,
        Integer heads,
        String attention,
        Boolean mlp,
        Boolean tiedEmbedding,
        InitSpec init,
        String parameterization) {

    public ModelSpec withDefaults() {
        return new ModelSpec(
                family == null ? "single-layer" : family,
                dModel == null ? 4 : dModel,
                heads == null ? 1 : heads,
                attention == null ? "softmax" : attention,
                mlp == null ? Boolean.TRUE : mlp,
                tiedEmbedding == null ? Boolean.TRUE : tiedEmbedding,
                init == null ? new InitSpec(null, null).withDefaults() : init.withDefaults(),
                parameterization == null ? "standard" : parameterization);
    }
}
