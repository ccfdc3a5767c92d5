package dev.tdlab.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.spec.Violation;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The analysis-service REST API over {@code java.net.http}: JSON in and out with Jackson, a bearer token on
 * every request when there is one, problem+json answers turned into {@link ApiException}.
 */
final class Api {

    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL, true); // verdicts a newer service adds
    static final String PREFIX = "/api/v1";

    private final String base;
    private final String token;
    private final HttpClient http;

    Api(String url, String token) {
        String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.base = u;
        this.token = token == null || token.isBlank() ? null : token.trim();
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    String base() {
        return base;
    }

    JsonNode get(String path) {
        return json(send(request(path).GET().header("Accept", "application/json")));
    }

    JsonNode post(String path, String contentType, String body) {
        return json(send(request(path).header("Content-Type", contentType).header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))));
    }

    JsonNode delete(String path) {
        return json(send(request(path).DELETE().header("Accept", "application/json")));
    }

    /** The body as bytes (reports: CSV, JSON, HTML). */
    byte[] bytes(String path, String accept) {
        return send(request(path).GET().header("Accept", accept));
    }

    /**
     * Reads the server-sent events of {@code path} until the server closes the stream or {@code onEvent}
     * returns false; {@code lastEventId} (may be null) resumes after that event.
     */
    void stream(String path, String lastEventId, Predicate<Sse.Event> onEvent) {
        HttpRequest.Builder b = request(path).GET().header("Accept", "text/event-stream");
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "Interrupted", "interrupted", List.of());
        }
        if (r.statusCode() / 100 != 2) {
            String body;
            try (Stream<String> lines = r.body()) {
                body = String.join("\n", lines.toList());
            }
            throw problem(r.statusCode(), body);
        }
        Sse.Parser parser = new Sse.Parser();
        try (Stream<String> lines = r.body()) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                Sse.Event e = parser.line(it.next());
                if (e != null && !onEvent.test(e)) {
                    return;
                }
            }
        } catch (java.io.UncheckedIOException e) {
            throw unreachable(e.getCause());
        }
    }

    /** {@code path?k=v&…} with the non-null values encoded. */
    static String query(String path, Map<String, Object> params) {
        StringBuilder sb = new StringBuilder(path);
        char sep = '?';
        for (Map.Entry<String, Object> e : params.entrySet()) {
            if (e.getValue() != null) {
                sb.append(sep).append(e.getKey()).append('=')
                        .append(URLEncoder.encode(e.getValue().toString(), StandardCharsets.UTF_8));
                sep = '&';
            }
        }
        return sb.toString();
    }

    static Map<String, Object> params(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private byte[] send(HttpRequest.Builder b) {
        HttpResponse<byte[]> r;
        try {
            r = http.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "Interrupted", "interrupted", List.of());
        }
        if (r.statusCode() / 100 != 2) {
            throw problem(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        }
        return r.body();
    }

    private ApiException unreachable(Throwable e) {
        String why = e instanceof java.net.ConnectException ? "connection refused"
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ApiException(0, "Cannot reach " + base, why + " (is the stack up? ./lab up; or set --url / TDLAB_URL)",
                List.of());
    }

    private static JsonNode json(byte[] body) {
        try {
            return body.length == 0 ? JSON.nullNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new ApiException(0, "Bad response", "not JSON: " + e.getMessage(), List.of());
        }
    }

    /** An error answer: problem+json when it is one (title, detail, violations), else the status and body. */
    static ApiException problem(int status, String body) {
        try {
            JsonNode p = JSON.readTree(body);
            if (p != null && p.isObject() && (p.has("title") || p.has("detail"))) {
                List<Violation> violations = new ArrayList<>();
                for (JsonNode v : p.path("violations")) {
                    violations.add(new Violation(v.path("field").isNull() ? null : v.path("field").asText(null),
                            v.path("message").asText()));
                }
                return new ApiException(status, p.path("title").asText(null), p.path("detail").asText(null), violations);
            }
        } catch (IOException ignored) {
            // not JSON: the body as it is
        }
        String text = body == null ? "" : body.strip();
        return new ApiException(status, null, text.length() > 500 ? text.substring(0, 500) + "…" : text, List.of());
    }

    /** An answer other than 2xx, or no answer at all (status 0). */
    static final class ApiException extends RuntimeException {
        final int status;
        final String title;
        final String detail;
        final List<Violation> violations;

        ApiException(int status, String title, String detail, List<Violation> violations) {
            super((title == null ? "" : title) + (detail == null ? "" : ": " + detail));
            this.status = status;
            this.title = title;
            this.detail = detail;
            this.violations = violations;
        }

        /** What the user reads: {@code HTTP 400 Bad request: detail} and one line per violation. */
        String describe() {
            StringBuilder sb = new StringBuilder("error: ");
            if (status > 0) {
                sb.append("HTTP ").append(status).append(' ');
            }
            sb.append(title == null ? "" : title);
            if (detail != null && !detail.isBlank()) {
                sb.append(title == null ? "" : ": ").append(detail);
            }
            for (Violation v : violations) {
                sb.append("\n  ").append(v.field() == null || v.field().isBlank() ? "(body)" : v.field())
                        .append(": ").append(v.message());
            }
            return sb.toString();
        }
    }
}
