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
}
