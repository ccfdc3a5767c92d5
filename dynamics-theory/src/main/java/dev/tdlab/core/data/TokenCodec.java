package dev.tdlab.core.data;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Compact storage of token streams, chosen by the vocabulary size:
 * <ul>
 *   <li>{@link Encoding#BITS1} (V = 2): one bit per token, in one stream, least significant bit first: token
 *       {@code i} is bit {@code i % 8} of byte {@code i / 8}; the last byte is padded with zero bits. This is
 *       {@code numpy.packbits(tokens, bitorder='little')} of the flat token array.</li>
 *   <li>{@link Encoding#U8} (3 ≤ V ≤ 256): one unsigned byte per token.</li>
 *   <li>{@link Encoding#U16LE} (257 ≤ V ≤ 65536): two bytes per token, little-endian unsigned.</li>
 * </ul>
 * A dataset's tokens are sequences of {@code seqLen + 1} tokens one after another (row-major), so sequence {@code s},
 * position {@code t} is token {@code s * (seqLen + 1) + t} of the stream.
 */
public final class TokenCodec {

    /** How tokens are laid out in bytes. */
    public enum Encoding {
        BITS1("bits1"), U8("u8"), U16LE("u16le");

        private final String id;

        Encoding(String id) {
            this.id = id;
        }

        /** The name used in metadata and in the {@code X-Encoding} header. */
        public String id() {
            return id;
        }

        public static Encoding of(String id) {
            for (Encoding e : values()) if (e.id.equals(id)) return e;
            throw new IllegalArgumentException("unknown token encoding '" + id + "' (known: bits1, u8, u16le)");
        }
    }

    /** Most tokens the 16-bit encoding can hold. */
    public static final int MAX_VOCAB = 65536;

    static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long[] SPREAD = new long[256];

    static {
        for (int b = 0; b < 256; b++) {
            long w = 0;
            for (int i = 0; i < 8; i++) w |= (long) ((b >>> i) & 1) << (8 * i);
            SPREAD[b] = w;
        }
    }

    private TokenCodec() {
    }

    /** The encoding of a vocabulary of size {@code vocab}. */
    public static Encoding forVocab(int vocab) {
        if (vocab < 2 || vocab > MAX_VOCAB) {
            throw new IllegalArgumentException("vocab must be in [2," + MAX_VOCAB + "], got " + vocab);
        }
        return vocab == 2 ? Encoding.BITS1 : vocab <= 256 ? Encoding.U8 : Encoding.U16LE;
    }

    /** Bytes that {@code tokens} tokens take. */
    public static long encodedBytes(Encoding e, long tokens) {
        if (tokens < 0) throw new IllegalArgumentException("tokens must be >= 0, got " + tokens);
        return switch (e) {
            case BITS1 -> (tokens + 7) / 8;
            case U8 -> tokens;
            case U16LE -> 2 * tokens;
        };
    }

    /** Encodes byte tokens (unsigned, each below {@code vocab} ≤ 256). */
    public static byte[] encode(byte[] tokens, int vocab) {
        if (tokens == null) throw new IllegalArgumentException("tokens is null");
        Encoding e = forVocab(vocab);
        if (e == Encoding.U16LE) throw new IllegalArgumentException("vocab " + vocab + " needs 16-bit tokens: use encode16");
        checkRange(tokens, vocab);
        if (e == Encoding.U8) return tokens.clone();
        byte[] out = new byte[(int) encodedBytes(e, tokens.length)];
        int full = tokens.length / 8;
        for (int b = 0; b < full; b++) {
            long w = (long) LONG_LE.get(tokens, b * 8);
            // each byte is 0 or 1: gather bit 0 of every byte into one byte
            out[b] = (byte) (((w & 0x0101010101010101L) * 0x0102040810204080L) >>> 56);
        }
        for (int i = full * 8; i < tokens.length; i++) out[i >>> 3] |= (byte) (tokens[i] << (i & 7));
        return out;
    }

    /** Decodes {@code count} tokens (vocab ≤ 256) to one unsigned byte each. */
    public static byte[] decode(byte[] data, int vocab, int count) {
        Encoding e = forVocab(vocab);
        if (e == Encoding.U16LE) throw new IllegalArgumentException("vocab " + vocab + " needs 16-bit tokens: use decode16");
        checkLength(data, e, count);
        byte[] out;
        if (e == Encoding.U8) {
            out = java.util.Arrays.copyOf(data, count);
        } else {
            out = new byte[count];
            int full = count / 8;
            for (int b = 0; b < full; b++) LONG_LE.set(out, b * 8, SPREAD[data[b] & 0xff]);
            for (int i = full * 8; i < count; i++) out[i] = (byte) ((data[i >>> 3] >>> (i & 7)) & 1);
            if (count % 8 != 0 && (data[count >>> 3] & 0xff) >>> (count & 7) != 0) {
                throw new IllegalArgumentException("padding bits after token " + count + " are not zero");
            }
        }
        checkRange(out, vocab);
        return out;
    }

    /** Encodes 16-bit tokens (read as unsigned) below {@code vocab}. */
    public static byte[] encode16(short[] tokens, int vocab) {
        forVocab(vocab);
        byte[] out = new byte[2 * tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            int t = tokens[i] & 0xffff;
            if (t >= vocab) throw new IllegalArgumentException("token " + t + " at index " + i + " is not below vocab " + vocab);
            out[2 * i] = (byte) t;
            out[2 * i + 1] = (byte) (t >>> 8);
        }
        return out;
    }

    /** Decodes {@code count} little-endian 16-bit tokens. */
    public static short[] decode16(byte[] data, int vocab, int count) {
        forVocab(vocab);
        checkLength(data, Encoding.U16LE, count);
        short[] out = new short[count];
        for (int i = 0; i < count; i++) {
            int t = (data[2 * i] & 0xff) | (data[2 * i + 1] & 0xff) << 8;
            if (t >= vocab) throw new IllegalArgumentException("token " + t + " at index " + i + " is not below vocab " + vocab);
            out[i] = (short) t;
        }
        return out;
    }

    private static void checkLength(byte[] data, Encoding e, int count) {
        if (data == null) throw new IllegalArgumentException("data is null");
        if (count < 0) throw new IllegalArgumentException("count must be >= 0, got " + count);
        long need = encodedBytes(e, count);
        if (data.length != need) {
            throw new IllegalArgumentException(count + " tokens in " + e.id() + " take " + need + " bytes, got " + data.length);
        }
    }

    private static void checkRange(byte[] tokens, int vocab) {
        if (vocab >= 256) return;
        for (int i = 0; i < tokens.length; i++) {
            if ((tokens[i] & 0xff) >= vocab) {
                throw new IllegalArgumentException("token " + (tokens[i] & 0xff) + " at index " + i + " is not below vocab " + vocab);
            }
        }
    }
}
