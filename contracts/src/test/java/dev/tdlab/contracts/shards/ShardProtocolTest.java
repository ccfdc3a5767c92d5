package dev.tdlab.contracts.shards;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardProtocolTest {

    @Test
    void pathsFollowTheTemplate() {
        assertEquals("/api/v1/datasets/{id}/shards/{n}", ShardProtocol.SHARD_PATH);
        assertEquals("/api/v1/datasets/ds-1/shards/7", ShardProtocol.shardPath("ds-1", 7));
        assertEquals("http://data-gen:8081/api/v1/datasets/ds-1/shards/0",
                ShardProtocol.shardUri("http://data-gen:8081", "ds-1", 0).toString());
        assertEquals("X-Encoding", ShardProtocol.ENCODING);
        assertEquals("X-Checksum-SHA256", ShardProtocol.CHECKSUM);
    }

    @Test
    void checksumIsLowercaseHexSha256OfTheBody() {
        // FIPS 180-2 test vector
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                ShardProtocol.checksum("abc".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                ShardProtocol.checksum(new byte[0]));
    }

    @Test
    void verifiesOnlyTheExactChecksum() {
        byte[] body = {1, 2, 3};
        String sum = ShardProtocol.checksum(body);
        assertTrue(ShardProtocol.verifies(body, sum));
        assertFalse(ShardProtocol.verifies(body, sum.toUpperCase()));
        assertFalse(ShardProtocol.verifies(new byte[]{1, 2, 4}, sum));
        assertFalse(ShardProtocol.verifies(body, null));
        assertFalse(ShardProtocol.verifies(body, ""));
    }

    @Test
    void datasetChecksumIsOverAllShardBodiesInOrder() {
        MessageDigest d = ShardProtocol.newDigest();
        d.update(new byte[]{1, 2});
        d.update(new byte[]{3});
        assertEquals(ShardProtocol.checksum(new byte[]{1, 2, 3}), ShardProtocol.hex(d.digest()));
    }

    @Test
    void encodingsHaveTheirWireNames() {
        assertEquals("bits1", ShardEncoding.BITS1.wire());
        assertEquals("u8", ShardEncoding.U8.wire());
        assertEquals("labeled-bits1", ShardEncoding.LABELED_BITS1.wire());
        assertEquals("labeled-u8", ShardEncoding.LABELED_U8.wire());
        assertEquals("patch-f32", ShardEncoding.PATCH_F32.wire());
        for (ShardEncoding e : ShardEncoding.values()) {
            assertEquals(e, ShardEncoding.fromWire(e.wire()).orElseThrow());
        }
        assertTrue(ShardEncoding.fromWire("u16le").isEmpty());
        assertTrue(ShardEncoding.fromWire(null).isEmpty());
        assertEquals(ShardEncoding.U8, ShardEncoding.DEFAULT);
    }

    @Test
    void labelsAndTokenLayouts() {
        assertTrue(ShardEncoding.LABELED_U8.labeled());
        assertFalse(ShardEncoding.U8.labeled());
        assertEquals(ShardEncoding.BITS1, ShardEncoding.LABELED_BITS1.tokenLayout());
        assertEquals(ShardEncoding.U8, ShardEncoding.LABELED_U8.tokenLayout());
        assertEquals(ShardEncoding.U8, ShardEncoding.U8.tokenLayout());
        assertFalse(ShardEncoding.PATCH_F32.tokens());
        assertTrue(ShardEncoding.LABELED_BITS1.tokens());
    }

    @Test
    void encodingForAVocabulary() {
        assertEquals(ShardEncoding.BITS1, ShardEncoding.forVocab(2, false));
        assertEquals(ShardEncoding.LABELED_BITS1, ShardEncoding.forVocab(2, true));
        assertEquals(ShardEncoding.U8, ShardEncoding.forVocab(3, false));
        assertEquals(ShardEncoding.LABELED_U8, ShardEncoding.forVocab(256, true));
        assertThrows(IllegalArgumentException.class, () -> ShardEncoding.forVocab(257, false));
        assertThrows(IllegalArgumentException.class, () -> ShardEncoding.forVocab(1, false));
    }
}
