package dev.tdlab.analysis.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** {@code tdlab.auth.*}: who may call the API. */
@ConfigMapping(prefix = "tdlab.auth")
public interface AuthConfig {

    /** The operator's token (env TDLAB_ADMIN_TOKEN): creates tenants and tokens, sees every tenant. Absent: no admin. */
    Optional<String> adminToken();

    /** The tenant the admin's own submissions (and the experiments from before tenants) belong to. */
    @WithDefault("default")
    String defaultTenant();
}
