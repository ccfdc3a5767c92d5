package dev.tdlab.datagen.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tdlab.contracts.events.Baselines;
import dev.tdlab.contracts.events.DatasetReady;
import dev.tdlab.contracts.events.RunPlanned;
import dev.tdlab.contracts.spec.DataSpec;
import dev.tdlab.contracts.spec.RunSpec;
import dev.tdlab.core.data.PatchDataset;
import dev.tdlab.core.data.TokenCodec;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Content addresses, generation of every family, shard layout and the wire format of the theory; no servers. */
class FamiliesTest {

    static DataSpec binary(double p, double q, int seqLen, int train, int eval) {
        return DatasetService.checked(new DataSpec("markov", null, null, p, q, null, null, seqLen, train, eval));
    }

    static DataSpec spec(String family, Map<String, Object> fields) throws Exception {
        Map<String, Object> m = new java.util.HashMap<>(fields);
        m.put("family", family);
        ObjectMapper json = new ObjectMapper();
        return DatasetService.checked(json.readValue(json.writeValueAsString(m), DataSpec.class));
    }

    @Test
    void theIdIsTheNormalizedSpecAndSeed() {
        DataSpec pq = binary(0.2, 0.3, 32, 100, 10);
        DataSpec table = DatasetService.checked(new DataSpec("markov", 1, 2, null, null,
                List.of(List.of(0.8, 0.2), List.of(0.3, 0.7)), null, 32, 100, 10));
        assertEquals(Families.datasetId(pq, 1), Families.datasetId(table, 1), "p/q and the table they mean");
        assertEquals(32, Families.datasetId(pq, 1).length());
        assertNotEquals(Families.datasetId(pq, 1), Families.datasetId(pq, 2));
        assertNotEquals(Families.datasetId(pq, 1), Families.datasetId(binary(0.2, 0.3, 32, 101, 10), 1));
        assertNotEquals(Families.datasetId(pq, 1), Families.datasetId(binary(0.2, 0.31, 32, 100, 10), 1));
        assertTrue(Families.canonicalJson(pq, 1).contains("\"generator\":\"" + Families.GENERATOR_VERSION + "\""));
    }

    @Test
    void badSpecsAreRefusedNamingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetService.checked(
                new DataSpec("markov", 1, 2, null, null, List.of(List.of(0.5, 0.6), List.of(0.5, 0.5)), null, 8, 8, 8)));
        assertTrue(e.getMessage().startsWith("data.transition[0]: must sum to 1"), e.getMessage());
    }

    @Test
    void binaryMarkovIsBitPackedWithExactTheory() {
        DataSpec d = binary(0.2, 0.3, 31, 1000, 100);
        Generated g = Families.generate(d, 7L, 2);
        assertEquals("bits1", g.encoding().wire());
        assertEquals(1000 * 32 / 8, g.train().body().length);
        assertEquals(DatasetService.estimatedBytes(d), g.bytes());
        Baselines b = g.baselines();
        assertEquals(0.544587, b.entropyRate(), 1e-6);          // shared/reference/markov-theory.md
        assertEquals(0.673012, b.unigramEntropy(), 1e-6);
        assertEquals(0.4, b.stationary().get(1), 1e-12);
        assertEquals(b.entropyRate(), b.optimalLoss(), 1e-12);
        assertEquals(0.0, b.optimalLossStdErr());
        assertEquals(List.of(b.unigramEntropy(), b.entropyRate()), b.orderLosses());
        assertNull(b.bayesError());
        // same seed, same bytes; train and eval are different streams
        assertArrayEquals(g.train().body(), Families.generate(d, 7L, 1).train().body());
        assertNotEquals(g.train().body()[0] + "" + g.train().body()[1], g.eval().body()[0] + "" + g.eval().body()[1] + "x");
    }

    /** Shards are slices of the split's stream: concatenated, they are the split; each decodes on its own. */
    @Test
    void shardsAreByteAlignedSlices() {
        for (int seqLen : new int[] {31, 30, 8}) {
            DataSpec d = binary(0.3, 0.4, seqLen, 1001, 37);
            Generated g = Families.generate(d, 3L, 2);
            int per = Encodings.itemsPerShard(g, 700);
            assertEquals(0, per % 8);
            assertTrue((long) per * (seqLen + 1) / 8 <= 700);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] whole = TokenCodec.decode(g.train().body(), 2, 1001 * (seqLen + 1));
            for (int from = 0; from < 1001; from += per) {
                int to = Math.min(1001, from + per);
                byte[] shard = Encodings.shard(g, g.train(), from, to);
                byte[] tokens = TokenCodec.decode(shard, 2, (to - from) * (seqLen + 1));
                assertArrayEquals(java.util.Arrays.copyOfRange(whole, from * (seqLen + 1), to * (seqLen + 1)), tokens);
                all.writeBytes(tokens);
            }
            assertArrayEquals(whole, all.toByteArray());
        }
    }

    @Test
    void orderThreeOnEightTokensUsesBytes() {
        DataSpec d = DatasetService.checked(new DataSpec("markov", 3, 8, null, null, null, 0.5, 64, 200, 20));
        Generated g = Families.generate(d, 1L, 2);
        assertEquals("u8", g.encoding().wire());
        assertEquals(200 * 65, g.train().body().length);
        Baselines b = g.baselines();
        assertEquals(4, b.orderLosses().size());
        assertEquals(512, b.stationary().size());
        assertEquals(8, b.marginal().size());
        // targets 1 and 2 see fewer than 3 tokens: the optimum is above the entropy rate
        assertTrue(b.optimalLoss() > b.entropyRate());
        double expect = (b.orderLosses().get(1) + b.orderLosses().get(2) + 62 * b.entropyRate()) / 64;
        assertEquals(expect, b.optimalLoss(), 1e-12);
        // the table drawn from the seed is in the metadata, and depends on the seed
        Object t1 = g.theory().get("transition");
        Object t2 = Families.generate(d, 2L, 1).theory().get("transition");
        assertTrue(t1 != null && !java.util.Arrays.deepEquals((double[][]) t1, (double[][]) t2));
    }

    @Test
    void inContextMarkovHasTheAddAlphaOptimum() throws Exception {
        DataSpec d = spec("markov", Map.of("inContext", true, "dirichlet", 1.0, "seqLen", 32, "trainSequences", 64, "evalSequences", 8));
        Generated g = Families.generate(d, 1L, 1);
        Baselines b = g.baselines();
        assertEquals(Math.log(2), b.unigramEntropy(), 1e-15);
        assertEquals(0.0, b.optimalLossStdErr(), "binary first order: exact");
        assertTrue(b.optimalLoss() < Math.log(2) && b.optimalLoss() > b.entropyRate());
        assertEquals(32, ((List<?>) g.theory().get("positionLoss")).size());
    }

    @Test
    void sequenceClassificationCarriesLabels() throws Exception {
        DataSpec d = spec("sequence-classification", Map.of("sources", List.of(
                List.of(List.of(0.8, 0.2), List.of(0.3, 0.7)), List.of(List.of(0.6, 0.4), List.of(0.2, 0.8))),
                "seqLen", 15, "trainSequences", 64, "evalSequences", 16));
        Generated g = Families.generate(d, 1L, 1);
        assertEquals("labeled-bits1", g.encoding().wire());
        assertEquals(64, g.train().labels().length);
        byte[] shard = Encodings.shard(g, g.train(), 8, 24);
        assertEquals(16 + 16 * 16 / 8, shard.length);
        assertArrayEquals(java.util.Arrays.copyOfRange(g.train().labels(), 8, 24), java.util.Arrays.copyOf(shard, 16));
        Baselines b = g.baselines();
        assertTrue(b.bayesError() > 0 && b.bayesError() < 0.5);
        assertEquals(0.0, b.bayesErrorStdErr());
        assertEquals(Math.log(2), b.unigramEntropy(), 1e-15);
        assertEquals(DatasetService.estimatedBytes(d), g.bytes());
    }

    @Test
    void patchFamiliesAreFloatRecords() throws Exception {
        DataSpec np = spec("noisy-patch", Map.of("dim", 16, "patches", 3, "labelNoise", 0.1, "trainSequences", 50, "evalSequences", 5));
        Generated g = Families.generate(np, 1L, 2);
        assertEquals("patch-f32", g.encoding().wire());
        assertEquals(50 * PatchDataset.recordBytes(3, 16), g.train().body().length);
        assertEquals(0.1, g.baselines().bayesError());
        assertEquals(DatasetService.estimatedBytes(np), g.bytes());
        int per = Encodings.itemsPerShard(g, 1000);
        assertEquals(1000 / PatchDataset.recordBytes(3, 16), per);
        DataSpec pi = spec("patch-image", Map.of("imageSize", 8, "patchSize", 4, "barLength", 3, "trainSequences", 20, "evalSequences", 5));
        Generated gi = Families.generate(pi, 1L, 2);
        assertEquals(4, gi.patches());
        assertEquals(16, gi.dim());
        assertTrue(gi.baselines().bayesErrorStdErr() > 0, "Monte Carlo, with its error");
        assertEquals(DatasetService.estimatedBytes(pi), gi.bytes());
    }

    /** The theory travels as JSON: the new fields round-trip, and an old three-field Baselines still parses. */
    @Test
    void baselinesRoundTripThroughJson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Baselines b = Families.generate(binary(0.2, 0.3, 15, 16, 8), 1L, 1).baselines();
        DataSpec d = binary(0.2, 0.3, 15, 16, 8);
        RunPlanned planned = RunPlanned.of("r1", "e1", "c", Map.of(), new RunSpec(d, null, null, 3L), 0);
        DatasetReady ready = DatasetReady.of(planned, "id", "sha", 1, 1, 16, 16, 8, 15, 2, b, "http://x");
        DatasetReady back = json.readValue(json.writeValueAsString(ready), DatasetReady.class);
        assertEquals(b, back.baselines());
        assertEquals(d, back.planned().run().data());
        Baselines old = json.readValue("{\"entropyRate\":0.5,\"unigramEntropy\":0.6,\"stationary\":[0.4,0.6]}", Baselines.class);
        assertEquals(new Baselines(0.5, 0.6, List.of(0.4, 0.6)), old);
        DataSpec oldSpec = json.readValue("{\"family\":\"markov\",\"p\":0.2,\"q\":0.3}", DataSpec.class);
        assertEquals(0.2, oldSpec.p());
    }
}
