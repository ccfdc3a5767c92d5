package dev.tdlab.contracts.shards;

import java.util.Optional;

/**
 * How a shard body is laid out, named on the wire by {@link ShardProtocol#ENCODING}. A shard holds whole items
 * (sequences or examples) of one split, in item order:
 * <ul>
 *   <li>{@code bits1} (V = 2): the tokens (items × (seqLen+1), row-major) as one bit stream, least significant bit
 *       first ({@code numpy.packbits(x, bitorder='little')}), zero padding in the last byte;</li>
 *   <li>{@code u8} (3 ≤ V ≤ 256): one unsigned byte per token, row-major;</li>
 *   <li>{@code labeled-bits1} / {@code labeled-u8} (sequence classification): one label byte per sequence, then the
 *       tokens as in bits1 / u8;</li>
 *   <li>{@code patch-f32} (patch families): one record per example: int8 label, int8 clean label, uint8 aux0,
 *       uint8 aux1, then patches × dim float32 little-endian (patch-major).</li>
 * </ul>
 */
public enum ShardEncoding {
    BITS1("bits1"),
    U8("u8"),
    LABELED_BITS1("labeled-bits1"),
    LABELED_U8("labeled-u8"),
    PATCH_F32("patch-f32");

    /** What a shard response without {@link ShardProtocol#ENCODING} is read as. */
    public static final ShardEncoding DEFAULT = U8;

    private static final String LABELED = "labeled-";

    private final String wire;

    ShardEncoding(String wire) {
        this.wire = wire;
    }

    /** The name in {@link ShardProtocol#ENCODING} and in a dataset's {@code format.encoding}. */
    public String wire() {
        return wire;
    }

    /** One label byte per item comes before the tokens. */
    public boolean labeled() {
        return wire.startsWith(LABELED);
    }

    /** Token sequences (labeled or not), as opposed to patch records. */
    public boolean tokens() {
        return this != PATCH_F32;
    }

    /** The token layout after the labels: BITS1 or U8 (itself when not labeled); PATCH_F32 for patches. */
    public ShardEncoding tokenLayout() {
        return switch (this) {
            case LABELED_BITS1 -> BITS1;
            case LABELED_U8 -> U8;
            default -> this;
        };
    }

    /** The encoding of token sequences over V symbols: bits1 for V = 2, u8 up to 256; labeled when asked. */
    public static ShardEncoding forVocab(int vocab, boolean labeled) {
        if (vocab < 2 || vocab > 256) {
            throw new IllegalArgumentException("no shard encoding for vocab " + vocab + " (2..256)");
        }
        if (vocab == 2) {
            return labeled ? LABELED_BITS1 : BITS1;
        }
        return labeled ? LABELED_U8 : U8;
    }

    /** The encoding a wire name names, or empty for a name this version does not know. */
    public static Optional<ShardEncoding> fromWire(String wire) {
        for (ShardEncoding e : values()) {
            if (e.wire.equals(wire)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return wire;
    }
}
