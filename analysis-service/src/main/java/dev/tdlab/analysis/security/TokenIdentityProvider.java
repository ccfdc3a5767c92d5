package dev.tdlab.analysis.security;

import io.agroal.api.AgroalDataSource;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Resolves a token: the configured admin token (compared in constant time) → role {@code admin}; else the SHA-256 of
 * the token looked up in {@code api_tokens} (not revoked) → role {@code tenant}, principal = the tenant's id. Unknown:
 * 401. Plain JDBC on a worker thread: no ORM session is needed for one indexed lookup.
 */
@ApplicationScoped
class TokenIdentityProvider implements IdentityProvider<ApiTokenRequest> {

    public static final String ADMIN = "admin";
    public static final String TENANT = "tenant";
    /** Identity attributes: the caller's tenant, and the id of the token used (tenants only). */
    public static final String TENANT_ATTRIBUTE = "tdlab.tenant";
    public static final String TOKEN_ATTRIBUTE = "tdlab.token";

    @Inject
    AuthConfig config;
    @Inject
    AgroalDataSource db;

    @Override
    public Class<ApiTokenRequest> getRequestType() {
        return ApiTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ApiTokenRequest request, AuthenticationRequestContext context) {
        return context.runBlocking(() -> identify(request.token()));
    }

    SecurityIdentity identify(String token) {
        if (config.adminToken().isPresent() && Tokens.same(token, config.adminToken().get())) {
            return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(ADMIN)).addRole(ADMIN)
                    .addAttribute(TENANT_ATTRIBUTE, config.defaultTenant()).build();
        }
        try (Connection c = db.getConnection();
             PreparedStatement st = c.prepareStatement(
                     "SELECT id, tenant_id FROM analysis.api_tokens WHERE token_hash = ? AND revoked_at IS NULL")) {
            st.setString(1, Tokens.hash(token));
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new AuthenticationFailedException("unknown or revoked token");
                }
                String tenant = rs.getString(2);
                return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(tenant)).addRole(TENANT)
                        .addAttribute(TENANT_ATTRIBUTE, tenant).addAttribute(TOKEN_ATTRIBUTE, rs.getString(1)).build();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("token lookup failed: " + e.getMessage(), e);
        }
    }
}
