package dev.tdlab.analysis.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the API token of a request: {@code Authorization: Bearer <token>}; for {@code GET .../experiments/{id}/stream}
 * only, also {@code ?access_token=<token>} (RFC 6750 §2.3), because a browser's EventSource cannot send headers.
 * No token: anonymous (the resources answer 401 where they need a caller); a malformed header or an unknown token:
 * 401. The challenge is {@code WWW-Authenticate: Bearer realm="tdlab"}.
 */
@ApplicationScoped
public class BearerTokenMechanism implements HttpAuthenticationMechanism {

    public static final String QUERY_PARAMETER = "access_token";
    public static final String CHALLENGE = "Bearer realm=\"tdlab\"";
    /** The one endpoint that accepts the token in its query string. */
    static final Pattern STREAM = Pattern.compile("^/api/v1/experiments/[^/]+/stream/?$");
    /** Longer values are not tokens of this service (ours are 47 characters); refused without hashing. */
    static final int MAX_TOKEN_LENGTH = 256;

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String header = context.request().getHeader("Authorization");
        String token;
        if (header != null) {
            if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
                return Uni.createFrom().failure(new AuthenticationFailedException(
                        "the Authorization header must be 'Bearer <token>'"));
            }
            token = header.substring(7).trim();
        } else {
            token = streamToken(context);
            if (token == null) {
                return Uni.createFrom().nullItem(); // anonymous
            }
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            return Uni.createFrom().failure(new AuthenticationFailedException("unknown token"));
        }
        return identities.authenticate(HttpSecurityUtils.setRoutingContextAttribute(new ApiTokenRequest(token), context));
    }

    /** {@code ?access_token=} of a GET on the stream endpoint, else null. */
    static String streamToken(RoutingContext context) {
        if (context.request().method() != HttpMethod.GET || !STREAM.matcher(context.normalizedPath()).matches()) {
            return null;
        }
        List<String> values = context.queryParam(QUERY_PARAMETER);
        return values == null || values.isEmpty() || values.get(0).isBlank() ? null : values.get(0).trim();
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", CHALLENGE));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ApiTokenRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, "bearer"));
    }
}
