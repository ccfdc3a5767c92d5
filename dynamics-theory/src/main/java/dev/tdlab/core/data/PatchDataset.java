package dev.tdlab.core.data;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Examples made of patches of real numbers (the {@code noisy-patch} and {@code patch-image} families), stored as
 * fixed-size little-endian records, which is also their storage and wire format:
 *
 * <pre>
 * record i (recordBytes = 4 + 4 * patches * dim bytes):
 *   byte 0      label         int8   noisy-patch: observed label y ∈ {-1, +1}; patch-image: class 0 or 1
 *   byte 1      clean label   int8   the label before label noise (equal to byte 0 when there is none)
 *   byte 2      aux0          uint8  noisy-patch: index of the signal patch; patch-image: row of the object
 *   byte 3      aux1          uint8  noisy-patch: 0; patch-image: column of the object
 *   bytes 4..   x             float32[patches][dim], patch-major
 * </pre>
 *
 * In numpy: {@code np.frombuffer(b, dtype=[('y','i1'),('yClean','i1'),('aux0','u1'),('aux1','u1'),('x','<f4',(P,D))])}.
 */
public final class PatchDataset implements Dataset {

    public static final int HEADER_BYTES = 4;

    static final VarHandle FLOAT_LE = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] records;
    private final int examples;
    private final int patches;
    private final int dim;

    PatchDataset(byte[] records, int examples, int patches, int dim) {
        this.records = records;
        this.examples = examples;
        this.patches = patches;
        this.dim = dim;
    }

    /** Wraps records read back from storage; the array is copied and its length checked. */
    public static PatchDataset of(byte[] records, int examples, int patches, int dim) {
        if (examples < 1 || patches < 1 || dim < 1) {
            throw new IllegalArgumentException("examples, patches and dim must be >= 1");
        }
        long need = (long) examples * recordBytes(patches, dim);
        if (records == null || records.length != need) {
            throw new IllegalArgumentException(examples + " records of " + patches + "x" + dim + " take " + need
                    + " bytes, got " + (records == null ? 0 : records.length));
        }
        return new PatchDataset(records.clone(), examples, patches, dim);
    }

    public static int recordBytes(int patches, int dim) {
        return HEADER_BYTES + 4 * patches * dim;
    }

    public int examples() {
        return examples;
    }

    /** {@link #examples()}. */
    @Override
    public int size() {
        return examples;
    }

    public int patches() {
        return patches;
    }

    public int dim() {
        return dim;
    }

    public int recordBytes() {
        return recordBytes(patches, dim);
    }

    public int label(int i) {
        return records[offset(i)];
    }

    public int cleanLabel(int i) {
        return records[offset(i) + 1];
    }

    public int aux0(int i) {
        return records[offset(i) + 2] & 0xff;
    }

    public int aux1(int i) {
        return records[offset(i) + 3] & 0xff;
    }

    /** Value {@code j} of patch {@code patch} of example {@code i}. */
    public float value(int i, int patch, int j) {
        if (patch < 0 || patch >= patches || j < 0 || j >= dim) throw new IndexOutOfBoundsException(patch + "," + j);
        return (float) FLOAT_LE.get(records, offset(i) + HEADER_BYTES + 4 * (patch * dim + j));
    }

    /** The records of examples [from, to) as stored (a copy). */
    public byte[] encoded(int from, int to) {
        if (from < 0 || to > examples || from > to) throw new IndexOutOfBoundsException(from + ".." + to);
        return Arrays.copyOfRange(records, from * recordBytes(), to * recordBytes());
    }

    /** All records (a copy). */
    public byte[] encoded() {
        return records.clone();
    }

    private int offset(int i) {
        if (i < 0 || i >= examples) throw new IndexOutOfBoundsException("example " + i);
        return i * recordBytes();
    }
}
