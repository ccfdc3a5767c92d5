package dev.tdlab.datagen.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.events.Baselines;
import dev.tdlab.contracts.shards.ShardProtocol;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.contracts.spec.SpecValidator;
import dev.tdlab.contracts.spec.Violation;
import dev.tdlab.core.data.PatchDataset;
import dev.tdlab.core.data.TokenCodec;
import dev.tdlab.datagen.config.DataGenConfig;
import dev.tdlab.datagen.store.DatasetEntity;
import dev.tdlab.datagen.store.ShardEntity;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.narayana.jta.runtime.TransactionConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Generates, stores and looks up datasets. Content-addressed ({@link Families#datasetId}): the same spec and seed
 * give the same id, so asking twice generates once; concurrent requests for one id are serialized by a PostgreSQL
 * transaction-scoped advisory lock on the id, taken before the second look-up, so only the first generates and the
 * others find its committed rows.
 */
@ApplicationScoped
public class DatasetService {

    private static final Logger LOG = Logger.getLogger(DatasetService.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    EntityManager em;
    @Inject
    DataGenConfig config;
    @Inject
    MeterRegistry registry;

    /** A dataset and whether this call generated it. */
    public record Outcome(DatasetEntity dataset, boolean created) {
    }

    /** The spec with defaults applied, or an IllegalArgumentException naming every bad field. */
    public static DataSpec checked(DataSpec raw) {
        List<Violation> v = SpecValidator.validateData(raw);
        if (!v.isEmpty()) {
            throw new IllegalArgumentException(v.stream().map(x -> x.field() + ": " + x.message())
                    .collect(Collectors.joining("; ")));
        }
        return raw.withDefaults();
    }

    /**
     * Looks the dataset up, or generates and stores it. The spec must be valid ({@link #checked}); a dataset over the
     * quota or a chain without theory is an IllegalArgumentException that says why, and nothing is stored.
     */
    @Transactional
    @TransactionConfiguration(timeout = 1800)
    public Outcome getOrCreate(DataSpec d, long seed) {
        String id = Families.datasetId(d, seed);
        DatasetEntity existing = DatasetEntity.findById(id);
        if (existing != null) {
            return new Outcome(existing, false);
        }
        em.createNativeQuery("SELECT 1 FROM pg_advisory_xact_lock(hashtext(?1))").setParameter(1, id).getSingleResult();
        existing = DatasetEntity.findById(id);
        if (existing != null) {
            return new Outcome(existing, false);
        }
        long estimate = estimatedBytes(d);
        if (estimate > config.maxDatasetBytes()) {
            throw new IllegalArgumentException("the dataset would store " + estimate + " bytes, over the quota "
                    + "tdlab.datagen.max-dataset-bytes = " + config.maxDatasetBytes());
        }
        long t0 = System.nanoTime();
        int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
        Generated g = Families.generate(d, seed, threads);
        long genNanos = System.nanoTime() - t0;
        int perShard = Encodings.itemsPerShard(g, config.shardBytes());
        DatasetEntity e = new DatasetEntity();
        e.id = id;
        e.specJson = Families.canonicalJson(d, seed);
        e.seed = seed;
        e.family = g.family();
        e.encoding = g.encoding().wire();
        e.vocab = g.vocab();
        e.seqLen = g.seqLen();
        e.patches = g.patches();
        e.dim = g.dim();
        e.trainSequences = g.train().items();
        e.evalSequences = g.eval().items();
        e.sequencesPerShard = perShard;
        e.shardCount = (g.train().items() + perShard - 1) / perShard;
        e.evalShardCount = (g.eval().items() + perShard - 1) / perShard;
        e.storedBytes = g.bytes();
        e.generationMs = TimeUnit.NANOSECONDS.toMillis(genNanos);
        Baselines b = g.baselines();
        e.entropyRate = b.entropyRate();
        e.unigramEntropy = b.unigramEntropy();
        e.stationaryJson = b.stationary() == null ? null : json(b.stationary());
        e.baselinesJson = json(b);
        e.theoryJson = json(g.theory());
        e.sha256 = "pending";
        e.persist();
        em.flush();
        MessageDigest all = ShardProtocol.newDigest();
        storeShards(id, "train", g, g.train(), perShard, 0, all);
        storeShards(id, "eval", g, g.eval(), perShard, e.shardCount, all);
        e.sha256 = ShardProtocol.hex(all.digest());
        em.flush();
        registry.counter("tdlab.datasets.generated", "family", g.family()).increment();
        Timer.builder("tdlab.datasets.generation").tag("family", g.family()).register(registry)
                .record(genNanos, TimeUnit.NANOSECONDS);
        LOG.infof("generated dataset %s (%s): %d+%d items, %d bytes in %d shards, generated in %d ms, stored in %d ms",
                id, g.family(), e.trainSequences, e.evalSequences, e.storedBytes, e.shardCount + e.evalShardCount,
                e.generationMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0 - genNanos));
        return new Outcome(e, true);
    }

    /** Bytes the dataset will store, from the spec alone (checked before generating). */
    static long estimatedBytes(DataSpec d) {
        long items = (long) d.trainSequences() + d.evalSequences();
        return switch (d.family()) {
            case DataSpec.NOISY_PATCH -> items * PatchDataset.recordBytes(d.patches(), d.dim());
            case DataSpec.PATCH_IMAGE -> items * PatchDataset.recordBytes(1, d.imageSize() * d.imageSize());
            default -> TokenCodec.encodedBytes(TokenCodec.forVocab(d.vocab()), items * (d.seqLen() + 1))
                    + (DataSpec.SEQUENCE_CLASSIFICATION.equals(d.family()) ? items : 0);
        };
    }

    private void storeShards(String id, String split, Generated g, Generated.Split s, int perShard, int firstNo,
                             MessageDigest all) {
        int no = firstNo;
        for (int from = 0; from < s.items(); from += perShard) {
            int to = Math.min(s.items(), from + perShard);
            byte[] data = Encodings.shard(g, s, from, to);
            all.update(data);
            ShardEntity sh = new ShardEntity();
            sh.key = new ShardEntity.Key(id, no++);
            sh.split = split;
            sh.sequences = to - from;
            sh.sha256 = ShardProtocol.checksum(data);
            sh.data = data;
            em.persist(sh);
            em.flush();
            em.detach(sh);
        }
    }

    public DatasetEntity find(String id) {
        return DatasetEntity.findById(id);
    }

    public ShardEntity shard(String id, int no) {
        return ShardEntity.findById(new ShardEntity.Key(id, no));
    }

    /** The baselines of a stored dataset (rows of the first schema version have only the first three fields). */
    public static Baselines baselines(DatasetEntity e) {
        try {
            if (e.baselinesJson != null) {
                return JSON.readValue(e.baselinesJson, Baselines.class);
            }
            List<Double> st = e.stationaryJson == null ? null : List.of(JSON.readValue(e.stationaryJson, Double[].class));
            return new Baselines(e.entropyRate, e.unigramEntropy, st);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** The full theory of a stored dataset, as JSON-ready maps. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> theory(DatasetEntity e) {
        try {
            return e.theoryJson == null ? Map.of() : JSON.readValue(e.theoryJson, Map.class);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
