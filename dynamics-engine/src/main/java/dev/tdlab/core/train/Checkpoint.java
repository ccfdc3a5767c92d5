package dev.tdlab.core.train;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything needed to continue a training run bit-identically: resuming from a checkpoint taken after step k gives
 * the same steps k+1.. (losses, gradient norms, evaluations, parameters) as the run that was not interrupted.
 *
 * @param fingerprint    identity of (model config, optimizer config, batch/steps/seed/trainable, training set):
 *                       resuming under anything else is refused
 * @param step           updates done
 * @param params         master parameters in double precision, by name (every parameter, frozen ones included)
 * @param optimizerSteps the optimizer's update count (bias correction)
 * @param optimizerState the optimizer's buffers (Optimizer#state)
 * @param samplerDraws   batch indices drawn so far from the sampling stream (the data cursor): the stream is
 *                       {@code new SplittableRandom(seed).split()}, replayed for this many draws on resume
 * @param lastTrainLoss  the last step's batch loss
 * @param lastEvalLoss   the last evaluation's loss
 * @param lastEvalStdErr its standard error
 */
public record Checkpoint(String fingerprint, int step, Map<String, double[]> params, int optimizerSteps,
                         double[][] optimizerState, long samplerDraws, double lastTrainLoss, double lastEvalLoss,
                         double lastEvalStdErr) {

    private static final int MAGIC = 0x7464636b; // "tdck"
    private static final int VERSION = 1;

    public Checkpoint {
        if (fingerprint == null || params == null || optimizerState == null) {
            throw new IllegalArgumentException("checkpoint fields must not be null");
        }
        if (step < 0 || optimizerSteps < 0 || samplerDraws < 0) throw new IllegalArgumentException("negative counter");
        Map<String, double[]> p = new LinkedHashMap<>();
        params.forEach((k, v) -> p.put(k, v.clone()));
        params = Collections.unmodifiableMap(p);
        double[][] s = new double[optimizerState.length][];
        for (int i = 0; i < s.length; i++) s[i] = optimizerState[i].clone();
        optimizerState = s;
    }

    /** A self-describing binary form (big-endian; doubles as IEEE bits, so exact). */
    public byte[] toBytes() {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bos);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            writeString(out, fingerprint);
            out.writeInt(step);
            out.writeInt(params.size());
            for (Map.Entry<String, double[]> e : params.entrySet()) {
                writeString(out, e.getKey());
                writeDoubles(out, e.getValue());
            }
            out.writeInt(optimizerSteps);
            out.writeInt(optimizerState.length);
            for (double[] a : optimizerState) writeDoubles(out, a);
            out.writeLong(samplerDraws);
            out.writeDouble(lastTrainLoss);
            out.writeDouble(lastEvalLoss);
            out.writeDouble(lastEvalStdErr);
            out.flush();
            return bos.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads {@link #toBytes()}; throws IllegalArgumentException on anything else. */
    public static Checkpoint fromBytes(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            if (in.readInt() != MAGIC) throw new IllegalArgumentException("not a tdlab checkpoint");
            int version = in.readInt();
            if (version != VERSION) throw new IllegalArgumentException("checkpoint version " + version + " unsupported");
            String fp = readString(in);
            int step = in.readInt();
            int np = in.readInt();
            Map<String, double[]> params = new LinkedHashMap<>();
            for (int i = 0; i < np; i++) params.put(readString(in), readDoubles(in));
            int optSteps = in.readInt();
            double[][] state = new double[in.readInt()][];
            for (int i = 0; i < state.length; i++) state[i] = readDoubles(in);
            long draws = in.readLong();
            double tl = in.readDouble(), el = in.readDouble(), es = in.readDouble();
            if (in.available() != 0) throw new IllegalArgumentException("trailing bytes after the checkpoint");
            return new Checkpoint(fp, step, params, optSteps, state, draws, tl, el, es);
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) throw iae;
            throw new IllegalArgumentException("corrupt checkpoint: " + e, e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) throw new IOException("bad string length " + n);
        return new String(in.readNBytes(n), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void writeDoubles(DataOutputStream out, double[] a) throws IOException {
        out.writeInt(a.length);
        for (double x : a) out.writeLong(Double.doubleToRawLongBits(x));
    }

    private static double[] readDoubles(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || (long) n * 8 > in.available()) throw new IOException("bad array length " + n);
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = Double.longBitsToDouble(in.readLong());
        return a;
    }
}
