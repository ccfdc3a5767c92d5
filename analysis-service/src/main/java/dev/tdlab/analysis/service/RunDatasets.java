package dev.tdlab.analysis.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.analysis.config.DataGenConfig;
import dev.tdlab.analysis.mapping.ExternalRunViews;
import dev.tdlab.analysis.problem.ProblemException;
import dev.tdlab.analysis.store.ExperimentStore;
import dev.tdlab.analysis.store.RunEntity;
import dev.tdlab.contracts.spec.RunSpec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run's dataset as the researcher sees it: data-gen is internal (its API answers only its service token), so the
 * metadata and the shards of the dataset a run was planned with are read from data-gen here, for a caller who may see
 * the run. Shards are streamed through, never held in memory.
 */
@ApplicationScoped
public class RunDatasets {

    /** The headers of a shard that describe its body, passed on as they are. */
    public static final List<String> SHARD_HEADERS = List.of("Content-Length", "X-Checksum-SHA256", "X-Sequences",
            "X-Split", "X-Encoding", "X-Family");

    @Inject
    DataGenConfig config;
    @Inject
    ExperimentStore store;
    @Inject
    ExternalRuns externalRuns;
    @Inject
    ObjectMapper mapper;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A shard's body and the headers that describe it. */
    public record Shard(InputStream body, Map<String, String> headers) {
    }

    /** The run's data spec and seed, data-gen's metadata of its dataset and the URLs of its shards. */
    public ExternalRunViews.RunDataset describe(RunEntity r, String apiBase) {
        String datasetId = ready(r);
        HttpResponse<InputStream> resp = get("/api/v1/datasets/" + datasetId);
        JsonNode meta;
        try (InputStream in = resp.body()) {
            meta = mapper.readTree(in);
        } catch (IOException e) {
            throw unavailable("data-gen's answer could not be read: " + e.getMessage());
        }
        if (resp.statusCode() != 200) {
            throw unavailable("data-gen answered " + resp.statusCode() + " for dataset " + datasetId);
        }
        int train = meta.path("shardCount").asInt(0);
        int eval = meta.path("evalShardCount").asInt(0);
        List<String> shards = new ArrayList<>(train + eval);
        for (int n = 0; n < train + eval; n++) {
            shards.add(apiBase + "/api/v1/runs/" + r.id + "/dataset/shards/" + n);
        }
        RunSpec spec = externalRuns.runSpec(store.find(r.experimentId), r);
        return new ExternalRunViews.RunDataset(r.id, r.experimentId, r.seed, datasetId, spec.data(), meta, train, eval,
                shards);
    }

    /** Shard {@code n} of the run's dataset (train shards first, then eval shards); 404 past the last one. */
    public Shard shard(RunEntity r, int n) {
        String datasetId = ready(r);
        HttpResponse<InputStream> resp = get("/api/v1/datasets/" + datasetId + "/shards/" + n);
        if (resp.statusCode() == 404) {
            close(resp.body());
            throw ProblemException.notFound("no shard " + n + " of the dataset of run " + r.id);
        }
        if (resp.statusCode() != 200) {
            close(resp.body());
            throw unavailable("data-gen answered " + resp.statusCode() + " for shard " + n + " of dataset " + datasetId);
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String h : SHARD_HEADERS) {
            resp.headers().firstValue(h).ifPresent(v -> headers.put(h, v));
        }
        return new Shard(resp.body(), headers);
    }

    private static String ready(RunEntity r) {
        if (r.datasetId == null) {
            throw new ProblemException(409, "Dataset not ready", "the dataset of run " + r.id
                    + " is not ready yet (status " + r.status + "): try again in a few seconds", List.of());
        }
        return r.datasetId;
    }

    private HttpResponse<InputStream> get(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(config.url() + path)).timeout(Duration.ofSeconds(60));
        config.serviceToken().ifPresent(t -> b.header("Authorization", "Bearer " + t));
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unavailable("data-gen is not reachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted");
        }
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ProblemException unavailable(String detail) {
        return new ProblemException(502, "Bad gateway", detail, List.of());
    }
}
