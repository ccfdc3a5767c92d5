package dev.tdlab.analysis.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** {@code tdlab.datagen.*}: where data-gen is, for the dataset proxy of external runs (data-gen is internal). */
@ConfigMapping(prefix = "tdlab.datagen")
public interface DataGenConfig {

    /** data-gen's base URL (env TDLAB_DATAGEN_URL). */
    @WithDefault("http://localhost:8081")
    String url();

    /** data-gen's service token (env TDLAB_SERVICE_TOKEN), sent as a bearer token; absent when data-gen is open. */
    Optional<String> serviceToken();
}
