package dev.tdlab.datagen.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tdlab.contracts.events.Baselines;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.core.data.MarkovGenerator;
import dev.tdlab.core.data.TokenDataset;
import dev.tdlab.core.theory.MarkovChain;
import dev.tdlab.datagen.config.DataGenConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Generates, stores and looks up datasets. Content-addressed: the id is a hash of the normalized
 * data spec and the seed, so the same request generates once; concurrent requests for the same id
 * are serialized by a PostgreSQL advisory lock on the id.
 */
@ApplicationScoped
public class DatasetService {

    private static final Logger LOG = Logger.getLogger(DatasetService.class);
    /** Bump when the generator's output for a given spec and seed changes. */
    static final String GENERATOR_VERSION = "markov-v1";

    private static final ObjectMapper CANON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    @Inject
    EntityManager em;
    @Inject
    DataGenConfig config;

    /** The chain a (validated, defaulted) markov data spec describes. */
    public static MarkovChain chainOf(DataSpec d) {
        if (d.p() != null && d.q() != null) {
            return MarkovChain.binary(d.p(), d.q());
        }
        if (d.transition() != null) {
            double[][] t = d.transition().stream()
                    .map(row -> row.stream().mapToDouble(Double::doubleValue).toArray()).toArray(double[][]::new);
            return MarkovChain.of(t);
        }
        throw new IllegalArgumentException("data: a markov spec needs p/q or transition");
    }

    /** Normalized spec: what determines the tokens, and nothing else. */
    static Map<String, Object> normalized(DataSpec d, long seed) {
        MarkovChain chain = chainOf(d);
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("generator", GENERATOR_VERSION);
        n.put("family", d.family());
        n.put("order", d.order());
        n.put("vocab", chain.vocab());
        n.put("transition", chain.transition());
        n.put("seqLen", d.seqLen());
        n.put("trainSequences", d.trainSequences());
        n.put("evalSequences", d.evalSequences());
        n.put("seed", seed);
        return n;
    }

    public static String datasetId(DataSpec d, long seed) {
        try {
            return sha256(CANON.writeValueAsBytes(normalized(d, seed))).substring(0, 32);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The theory of the spec's source, exact. */
    public static Baselines baselines(DataSpec d) {
        MarkovChain chain = chainOf(d);
        return new Baselines(chain.entropyRate(), chain.unigramEntropy(),
                Arrays.stream(chain.stationary()).boxed().toList());
    }

    /** Looks the dataset up, or generates and stores it. */
    @Transactional
    public DatasetEntity getOrCreate(DataSpec d, long seed) {
        String id = datasetId(d, seed);
        em.createNativeQuery("SELECT 1 FROM pg_advisory_xact_lock(hashtext(?1))").setParameter(1, id).getSingleResult();
        DatasetEntity existing = DatasetEntity.findById(id);
        if (existing != null) {
            return existing;
        }
        long t0 = System.nanoTime();
        MarkovChain chain = chainOf(d);
        SplittableRandom streams = new SplittableRandom(seed);
        long trainSeed = streams.nextLong();
        long evalSeed = streams.nextLong();
        TokenDataset train = MarkovGenerator.generate(chain, d.trainSequences(), d.seqLen(), trainSeed);
        TokenDataset eval = MarkovGenerator.generate(chain, d.evalSequences(), d.seqLen(), evalSeed);
        int row = d.seqLen() + 1;
        int perShard = Math.max(1, config.shardBytes() / row);

        Baselines b = baselines(d);
        DatasetEntity e = new DatasetEntity();
        e.id = id;
        e.specJson = json(normalized(d, seed));
        e.seed = seed;
        e.vocab = chain.vocab();
        e.seqLen = d.seqLen();
        e.trainSequences = d.trainSequences();
        e.evalSequences = d.evalSequences();
        e.sequencesPerShard = perShard;
        e.shardCount = (d.trainSequences() + perShard - 1) / perShard;
        e.evalShardCount = (d.evalSequences() + perShard - 1) / perShard;
        MessageDigest all = digest();
        all.update(train.tokens());
        all.update(eval.tokens());
        e.sha256 = HexFormat.of().formatHex(all.digest());
        e.entropyRate = b.entropyRate();
        e.unigramEntropy = b.unigramEntropy();
        e.stationaryJson = json(b.stationary());
        e.persist();
        em.flush();
        storeShards(id, "train", train, perShard, 0);
        storeShards(id, "eval", eval, perShard, e.shardCount);
        LOG.infof("generated dataset %s: %d+%d sequences of %d tokens in %.0f ms", id, d.trainSequences(),
                d.evalSequences(), row, (System.nanoTime() - t0) / 1e6);
        return e;
    }

    private void storeShards(String id, String split, TokenDataset ds, int perShard, int firstNo) {
        int row = ds.seqLen() + 1;
        byte[] tokens = ds.tokens();
        int shards = 0;
        for (int start = 0; start < ds.numSequences(); start += perShard) {
            int n = Math.min(perShard, ds.numSequences() - start);
            byte[] data = Arrays.copyOfRange(tokens, start * row, (start + n) * row);
            ShardEntity s = new ShardEntity();
            s.key = new ShardEntity.Key(id, firstNo + shards);
            s.split = split;
            s.sequences = n;
            s.sha256 = sha256(data);
            s.data = data;
            em.persist(s);
            em.flush();
            em.detach(s);
            shards++;
        }
    }

    public DatasetEntity find(String id) {
        return DatasetEntity.findById(id);
    }

    public ShardEntity shard(String id, int no) {
        return ShardEntity.findById(new ShardEntity.Key(id, no));
    }

    public List<Double> stationary(DatasetEntity e) {
        try {
            return Arrays.asList(CANON.readValue(e.stationaryJson, Double[].class));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static String json(Object o) {
        try {
            return CANON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] data) {
        return HexFormat.of().formatHex(digest().digest(data));
    }

    static String sha256(String s) {
        return sha256(s.getBytes(StandardCharsets.UTF_8));
    }
}
