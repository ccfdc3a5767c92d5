package dev.tdlab.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tdlab.core.data.TokenCodec.Encoding;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenCodecTest {

    @Test
    void encodingFollowsTheVocabulary() {
        assertEquals(Encoding.BITS1, TokenCodec.forVocab(2));
        assertEquals(Encoding.U8, TokenCodec.forVocab(3));
        assertEquals(Encoding.U8, TokenCodec.forVocab(256));
        assertEquals(Encoding.U16LE, TokenCodec.forVocab(257));
        assertEquals(Encoding.U16LE, TokenCodec.forVocab(65536));
        assertThrows(IllegalArgumentException.class, () -> TokenCodec.forVocab(1));
        assertThrows(IllegalArgumentException.class, () -> TokenCodec.forVocab(65537));
        assertEquals(2, TokenCodec.encodedBytes(Encoding.BITS1, 9));
        assertEquals(9, TokenCodec.encodedBytes(Encoding.U8, 9));
        assertEquals(18, TokenCodec.encodedBytes(Encoding.U16LE, 9));
        assertEquals(Encoding.BITS1, Encoding.of("bits1"));
        assertThrows(IllegalArgumentException.class, () -> Encoding.of("zip"));
    }

    /** The layout is numpy.packbits(x, bitorder='little'): token i is bit i % 8 of byte i / 8. */
    @Test
    void bitsAreLeastSignificantFirst() {
        byte[] tokens = {1, 0, 1, 1, 0, 0, 0, 0, 1};
        assertArrayEquals(new byte[] {0b00001101, 0b1}, TokenCodec.encode(tokens, 2));
        byte[] eight = {0, 0, 0, 0, 0, 0, 0, 1};
        assertArrayEquals(new byte[] {(byte) 0x80}, TokenCodec.encode(eight, 2));
    }

    @Test
    void roundTripsEveryLength() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int vocab : new int[] {2, 3, 200, 256}) {
            for (int len = 0; len <= 70; len++) {
                byte[] t = new byte[len];
                for (int i = 0; i < len; i++) t[i] = (byte) rnd.nextInt(vocab);
                byte[] enc = TokenCodec.encode(t, vocab);
                assertEquals(TokenCodec.encodedBytes(TokenCodec.forVocab(vocab), len), enc.length);
                assertArrayEquals(t, TokenCodec.decode(enc, vocab, len), "vocab " + vocab + " length " + len);
            }
        }
        short[] wide = new short[1001];
        for (int i = 0; i < wide.length; i++) wide[i] = (short) rnd.nextInt(50000);
        byte[] enc = TokenCodec.encode16(wide, 50000);
        assertEquals(2002, enc.length);
        assertEquals(wide[0] & 0xff, enc[0] & 0xff);
        assertArrayEquals(wide, TokenCodec.decode16(enc, 50000, wide.length));
    }

    @Test
    void badInputIsRejectedWithAReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TokenCodec.encode(new byte[] {0, 1, 2}, 2));
        assertTrue(e.getMessage().contains("token 2 at index 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TokenCodec.decode(new byte[3], 2, 9));
        assertTrue(e.getMessage().contains("take 2 bytes, got 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TokenCodec.decode(new byte[] {0, (byte) 0x02}, 2, 9));
        assertTrue(e.getMessage().contains("padding"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TokenCodec.decode(new byte[] {5}, 5, 1));
        assertTrue(e.getMessage().contains("not below vocab 5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TokenCodec.encode16(new short[] {300}, 300));
        assertThrows(IllegalArgumentException.class, () -> TokenCodec.encode(new byte[1], 300));
        assertThrows(IllegalArgumentException.class, () -> TokenCodec.decode16(new byte[3], 300, 2));
    }
}
