package dev.tdlab.analysis.security;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import io.quarkus.security.UnauthorizedException;

/** Who is calling (the request's identity): the admin, or one tenant. */
@ApplicationScoped
public class Caller {

    @Inject
    SecurityIdentity identity;
    @Inject
    AuthConfig config;

    public boolean admin() {
        return identity.hasRole(TokenIdentityProvider.ADMIN);
    }

    /** The tenant that owns what this caller creates: its own, or the default tenant for the admin. */
    public String tenant() {
        if (identity.isAnonymous()) {
            throw new UnauthorizedException("no API token");
        }
        String t = identity.getAttribute(TokenIdentityProvider.TENANT_ATTRIBUTE);
        return t == null ? config.defaultTenant() : t;
    }

    /** Whether this caller may see a resource of that tenant: the admin sees every tenant's. */
    public boolean sees(String tenantId) {
        return admin() || tenant().equals(tenantId);
    }

    /** The tenant to filter listings by; null for the admin (everything). */
    public String scope() {
        return admin() ? null : tenant();
    }
}
