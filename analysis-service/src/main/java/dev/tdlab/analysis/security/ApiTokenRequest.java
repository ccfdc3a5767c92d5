package dev.tdlab.analysis.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A bearer token presented by a request, to be resolved to the admin or a tenant by {@link TokenIdentityProvider}. */
final class ApiTokenRequest extends BaseAuthenticationRequest {

    private final String token;

    public ApiTokenRequest(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }
}
