package dev.tdlab.datagen.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Typed configuration of data-gen ({@code tdlab.datagen.*}). */
@ConfigMapping(prefix = "tdlab.datagen")
public interface DataGenConfig {

    /** Base URL under which other services reach this one. */
    String publicUrl();

    /** Target size of one shard in bytes. */
    @WithDefault("1048576")
    int shardBytes();

    /** Quota: most bytes one dataset may store (both splits); a bigger one fails its run naming this property. */
    @WithDefault("335544320")
    long maxDatasetBytes();

    /** Generator threads; 0 = every available processor. The bytes do not depend on it. */
    @WithDefault("0")
    int threads();
}
