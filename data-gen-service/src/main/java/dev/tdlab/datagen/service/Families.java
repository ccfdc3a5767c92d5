package dev.tdlab.datagen.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tdlab.contracts.events.Baselines;
import dev.tdlab.contracts.shards.ShardEncoding;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.core.data.Dirichlet;
import dev.tdlab.core.data.InContextMarkovSampler;
import dev.tdlab.core.data.MarkovSampler;
import dev.tdlab.core.data.NoisyPatchConfig;
import dev.tdlab.core.data.NoisyPatchGenerator;
import dev.tdlab.core.data.PatchDataset;
import dev.tdlab.core.data.PatchImageConfig;
import dev.tdlab.core.data.PatchImageGenerator;
import dev.tdlab.core.data.Streams;
import dev.tdlab.core.theory.Estimate;
import dev.tdlab.core.theory.InContextTheory;
import dev.tdlab.core.theory.NoisyPatchTheory;
import dev.tdlab.core.theory.OrderKChain;
import dev.tdlab.core.theory.PatchImageTheory;
import dev.tdlab.core.theory.SequenceClassificationTheory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * From a (validated, defaulted) data spec and a seed to a content address, a dataset and its theory. Pure Java, no
 * framework: the service stores what this makes.
 *
 * <p><b>Content address.</b> The id is the first 32 hex digits of the SHA-256 of the normalized spec: a JSON object
 * with sorted keys holding the generator version, the family, exactly the fields that determine the bytes (p/q become
 * the transition table they mean, so both spellings of one chain give one id) and the seed. Shard size and thread
 * count do not change the bytes, so they are not in it.
 *
 * <p><b>Streams.</b> Train and eval come from the independent substreams {@code Streams.key(seed, "train")} and
 * {@code Streams.key(seed, "eval")}; a random (dirichlet) table from {@code "table"} (sequence-classification:
 * {@code "table0"}, {@code "table1"}). Theory that needs Monte Carlo uses the fixed seed {@value #THEORY_SEED}, so it
 * is the same for every seed of a spec (and cached).
 */
final class Families {

    /** Bump when the bytes generated for a given normalized spec change. */
    static final String GENERATOR_VERSION = "datagen-2";
    /** Seed of every Monte Carlo theory estimate. */
    static final long THEORY_SEED = 20241107L;
    /** Largest table included in the theory metadata (V^k · V entries). */
    static final int MAX_TABLE_IN_METADATA = 65536;

    private static final ObjectMapper CANON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private static final TheoryCache CACHE = new TheoryCache(64);

    private Families() {
    }

    // ---------------------------------------------------------------- content address

    /** What determines the bytes, and nothing else. */
    static Map<String, Object> normalized(DataSpec d, long seed) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("generator", GENERATOR_VERSION);
        n.put("family", d.family());
        switch (d.family()) {
            case DataSpec.NOISY_PATCH -> {
                n.put("dim", d.dim());
                n.put("patches", d.patches());
                n.put("signal", d.signal());
                n.put("noiseStd", d.noiseStd());
                n.put("sparsity", d.sparsity());
                n.put("labelNoise", d.labelNoise());
            }
            case DataSpec.PATCH_IMAGE -> {
                n.put("imageSize", d.imageSize());
                n.put("patchSize", d.patchSize());
                n.put("barLength", d.barLength());
                n.put("signal", d.signal());
                n.put("noiseStd", d.noiseStd());
            }
            case DataSpec.SEQUENCE_CLASSIFICATION -> {
                n.put("order", d.order());
                n.put("vocab", d.vocab());
                n.put("seqLen", d.seqLen());
                if (d.sources() != null) n.put("sources", d.sources());
                else n.put("dirichlet", d.dirichlet());
            }
            default -> {
                n.put("order", d.order());
                n.put("vocab", d.vocab());
                n.put("seqLen", d.seqLen());
                if (Boolean.TRUE.equals(d.inContext())) {
                    n.put("inContext", true);
                    n.put("dirichlet", d.dirichlet());
                } else if (d.dirichlet() != null) {
                    n.put("dirichlet", d.dirichlet());
                } else {
                    n.put("transition", transitionOf(d));
                }
            }
        }
        n.put("trainSequences", d.trainSequences());
        n.put("evalSequences", d.evalSequences());
        n.put("seed", seed);
        return n;
    }

    static String canonicalJson(DataSpec d, long seed) {
        return json(normalized(d, seed));
    }

    static String datasetId(DataSpec d, long seed) {
        return sha256(canonicalJson(d, seed).getBytes(StandardCharsets.UTF_8)).substring(0, 32);
    }

    /** The rows of a fixed markov spec: p/q as the binary table they mean, or the transition as given. */
    static List<List<Double>> transitionOf(DataSpec d) {
        if (d.p() != null || d.q() != null) {
            return List.of(List.of(1 - d.p(), d.p()), List.of(d.q(), 1 - d.q()));
        }
        if (d.transition() == null) {
            throw new IllegalArgumentException("data: a markov spec needs p/q, transition or dirichlet");
        }
        return d.transition();
    }

    // ---------------------------------------------------------------- generation

    /** Generates both splits and the theory; throws IllegalArgumentException naming what is wrong with the data. */
    static Generated generate(DataSpec d, long seed, int threads) {
        long trainKey = Streams.key(seed, "train"), evalKey = Streams.key(seed, "eval");
        int nTrain = d.trainSequences(), nEval = d.evalSequences();
        switch (d.family()) {
            case DataSpec.NOISY_PATCH -> {
                NoisyPatchConfig cfg = new NoisyPatchConfig(d.dim(), d.patches(), d.signal(), d.noiseStd(), d.sparsity(), d.labelNoise(),
                        Boolean.TRUE.equals(d.matchNorms()));
                PatchDataset tr = NoisyPatchGenerator.generate(cfg, nTrain, trainKey, threads);
                PatchDataset ev = NoisyPatchGenerator.generate(cfg, nEval, evalKey, threads);
                double err = NoisyPatchTheory.bayesError(cfg), xent = NoisyPatchTheory.bayesLogLoss(cfg);
                String how = "closed form: the signal patch reveals the clean label, so the Bayes error is the label noise";
                Map<String, Object> th = new LinkedHashMap<>();
                th.put("bayesError", err);
                th.put("bayesLogLoss", xent);
                th.put("labelPriorEntropy", Math.log(2));
                th.put("snr", NoisyPatchTheory.snr(cfg));
                th.put("method", how);
                return new Generated(d.family(), ShardEncoding.PATCH_F32, null, null, cfg.patches(), cfg.dim(),
                        new Generated.Split(nTrain, null, tr.encoded()), new Generated.Split(nEval, null, ev.encoded()),
                        new Baselines(null, Math.log(2), null, xent, 0.0, null, null, err, 0.0, how), th);
            }
            case DataSpec.PATCH_IMAGE -> {
                PatchImageConfig cfg = new PatchImageConfig(d.imageSize(), d.patchSize(), d.barLength(), d.signal(), d.noiseStd());
                PatchDataset tr = PatchImageGenerator.generate(cfg, nTrain, trainKey, threads);
                PatchDataset ev = PatchImageGenerator.generate(cfg, nEval, evalKey, threads);
                PatchImageTheory.Result r = CACHE.get("patch-image:" + cfg, () -> PatchImageTheory.compute(cfg, THEORY_SEED));
                Map<String, Object> th = new LinkedHashMap<>();
                th.put("bayesError", r.bayesError().value());
                th.put("bayesErrorStdErr", r.bayesError().stdErr());
                th.put("bayesLogLoss", r.bayesLogLoss().value());
                th.put("bayesLogLossStdErr", r.bayesLogLoss().stdErr());
                th.put("labelPriorEntropy", Math.log(2));
                th.put("method", r.bayesError().method());
                return new Generated(d.family(), ShardEncoding.PATCH_F32, null, null, cfg.patches(), cfg.patchDim(),
                        new Generated.Split(nTrain, null, tr.encoded()), new Generated.Split(nEval, null, ev.encoded()),
                        new Baselines(null, Math.log(2), null, r.bayesLogLoss().value(), r.bayesLogLoss().stdErr(),
                                null, null, r.bayesError().value(), r.bayesError().stdErr(), r.bayesError().method()), th);
            }
            case DataSpec.SEQUENCE_CLASSIFICATION -> {
                OrderKChain[] src = new OrderKChain[2];
                for (int c = 0; c < 2; c++) {
                    src[c] = d.sources() != null
                            ? chain(d.order(), d.vocab(), d.sources().get(c), "sources[" + c + "]")
                            : dirichletChain(d, Streams.key(seed, "table" + c), "the dirichlet draw of source " + c);
                }
                MarkovSampler.Labeled tr = MarkovSampler.sampleLabeled(src, nTrain, d.seqLen(), trainKey, threads);
                MarkovSampler.Labeled ev = MarkovSampler.sampleLabeled(src, nEval, d.seqLen(), evalKey, threads);
                String key = "seqcls:" + digest(List.of(src[0].table(), src[1].table())) + ":" + d.seqLen();
                SequenceClassificationTheory.Result r = CACHE.get(key,
                        () -> SequenceClassificationTheory.compute(src, d.seqLen(), THEORY_SEED));
                Map<String, Object> th = new LinkedHashMap<>();
                th.put("bayesError", r.bayesError().value());
                th.put("bayesErrorStdErr", r.bayesError().stdErr());
                th.put("bayesLogLoss", r.bayesLogLoss().value());
                th.put("bayesLogLossStdErr", r.bayesLogLoss().stdErr());
                th.put("labelPriorEntropy", Math.log(2));
                th.put("method", r.bayesError().method());
                List<Object> sources = new ArrayList<>();
                for (OrderKChain c : src) sources.add(chainTheory(c, d.seqLen(), true));
                th.put("sources", sources);
                return new Generated(d.family(), ShardEncoding.forVocab(d.vocab(), true), d.vocab(),
                        d.seqLen(), null, null, new Generated.Split(nTrain, tr.labels(), tr.tokens()),
                        new Generated.Split(nEval, ev.labels(), ev.tokens()),
                        new Baselines(null, Math.log(2), null, r.bayesLogLoss().value(), r.bayesLogLoss().stdErr(),
                                null, null, r.bayesError().value(), r.bayesError().stdErr(), r.bayesError().method()), th);
            }
            default -> {
                if (Boolean.TRUE.equals(d.inContext())) {
                    return inContext(d, trainKey, evalKey, threads);
                }
                OrderKChain chain = d.dirichlet() != null
                        ? dirichletChain(d, Streams.key(seed, "table"), "the dirichlet draw")
                        : CACHE.get("chain:" + digest(transitionOf(d)) + ":" + d.order(),
                                () -> chain(d.order(), d.vocab(), transitionOf(d), "transition"));
                byte[] tr = MarkovSampler.sampleEncoded(chain, nTrain, d.seqLen(), trainKey, threads);
                byte[] ev = MarkovSampler.sampleEncoded(chain, nEval, d.seqLen(), evalKey, threads);
                Map<String, Object> th = chainTheory(chain, d.seqLen(), d.dirichlet() != null);
                Baselines b = new Baselines(chain.entropyRate(), chain.unigramEntropy(), boxed(chain.stationary()),
                        chain.optimalLoss(d.seqLen()), 0.0, boxed(chain.orderLosses()), boxed(chain.marginal()),
                        null, null, (String) th.get("method"));
                return new Generated(d.family(), ShardEncoding.forVocab(chain.vocab(), false), chain.vocab(), d.seqLen(), null, null,
                        new Generated.Split(nTrain, null, tr), new Generated.Split(nEval, null, ev), b, th);
            }
        }
    }

    private static Generated inContext(DataSpec d, long trainKey, long evalKey, int threads) {
        int k = d.order(), v = d.vocab(), t = d.seqLen();
        double alpha = d.dirichlet();
        byte[] tr = InContextMarkovSampler.sampleEncoded(k, v, alpha, d.trainSequences(), t, trainKey, threads);
        byte[] ev = InContextMarkovSampler.sampleEncoded(k, v, alpha, d.evalSequences(), t, evalKey, threads);
        InContextTheory.Result r = CACHE.get("icl:" + k + ":" + v + ":" + alpha + ":" + t,
                () -> InContextTheory.compute(k, v, alpha, t, THEORY_SEED));
        Estimate h = r.entropyRate();
        Map<String, Object> th = new LinkedHashMap<>();
        th.put("optimalLoss", r.optimalLoss().value());
        th.put("optimalLossStdErr", r.optimalLoss().stdErr());
        th.put("bayesPredictor", "add-alpha counting estimator (n(s,y) + alpha) / (n(s) + V alpha)");
        th.put("positionLoss", boxed(r.positionLoss()));
        th.put("positionLossStdErr", boxed(r.positionStdErr()));
        th.put("entropyRate", h == null ? null : h.value());
        th.put("entropyRateStdErr", h == null ? null : h.stdErr());
        th.put("entropyRateMethod", h == null ? "not computed (vocab^order > 256, or a drawn chain without a unique stationary law)" : h.method());
        th.put("unigramEntropy", r.unigramEntropy());
        th.put("method", r.optimalLoss().method());
        Double[] uniform = new Double[v];
        Arrays.fill(uniform, 1.0 / v);
        Baselines b = new Baselines(h == null ? null : h.value(), r.unigramEntropy(), null, r.optimalLoss().value(),
                r.optimalLoss().stdErr(), null, Arrays.asList(uniform), null, null, r.optimalLoss().method());
        return new Generated(d.family(), ShardEncoding.forVocab(v, false), v, t, null, null,
                new Generated.Split(d.trainSequences(), null, tr), new Generated.Split(d.evalSequences(), null, ev), b, th);
    }

    private static OrderKChain dirichletChain(DataSpec d, long key, String what) {
        double[] table = Dirichlet.table(d.order(), d.vocab(), d.dirichlet(), key);
        try {
            return OrderKChain.ofFlat(d.order(), d.vocab(), table);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " (alpha " + d.dirichlet() + ") has no usable theory: "
                    + e.getMessage() + "; try another seed or a larger dirichlet");
        }
    }

    private static OrderKChain chain(int order, int vocab, List<List<Double>> rows, String field) {
        double[][] t = new double[rows.size()][];
        for (int i = 0; i < t.length; i++) t[i] = rows.get(i).stream().mapToDouble(Double::doubleValue).toArray();
        if (t.length > 0 && t[0].length != vocab) {
            throw new IllegalArgumentException(field + ": rows must have vocab = " + vocab + " entries");
        }
        try {
            return OrderKChain.of(order, t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage());
        }
    }

    static Map<String, Object> chainTheory(OrderKChain c, int seqLen, boolean withTable) {
        Map<String, Object> th = new LinkedHashMap<>();
        th.put("order", c.order());
        th.put("vocab", c.vocab());
        th.put("entropyRate", c.entropyRate());
        th.put("unigramEntropy", c.unigramEntropy());
        th.put("orderLosses", boxed(c.orderLosses()));
        th.put("optimalLoss", c.optimalLoss(seqLen));
        th.put("marginal", boxed(c.marginal()));
        th.put("stationary", boxed(c.stationary()));
        if (withTable) {
            th.put("transition", c.states() * c.vocab() <= MAX_TABLE_IN_METADATA ? c.transition() : null);
        }
        th.put("method", "exact: stationary k-gram law by Gaussian elimination with partial pivoting on the recurrent "
                + "class (not simulation); losses are conditional entropies of the stationary (k+1)-gram law");
        return th;
    }

    static List<Double> boxed(double[] xs) {
        List<Double> l = new ArrayList<>(xs.length);
        for (double x : xs) l.add(x);
        return Collections.unmodifiableList(l);
    }

    static String json(Object o) {
        try {
            return CANON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String digest(Object o) {
        return sha256(json(o).getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A small LRU cache of theory results: sweeps over seeds of one spec solve the theory once. */
    static final class TheoryCache {
        private final Map<String, Object> map;

        TheoryCache(int capacity) {
            this.map = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
                    return size() > capacity;
                }
            });
        }

        @SuppressWarnings("unchecked")
        <T> T get(String key, Supplier<T> compute) {
            Object v = map.get(key);
            if (v == null) {
                v = compute.get(); // computed outside the lock: two first requests may both compute (same result)
                map.put(key, v);
            }
            return (T) v;
        }
    }
}
