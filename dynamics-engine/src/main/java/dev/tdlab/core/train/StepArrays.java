package dev.tdlab.core.train;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Array memory for SameDiff's gradient session that is reused from one training step to the next.
 *
 * <p>ND4J 1.0.0-M2.1's default session memory ({@code ArrayCacheMemoryMgr}) gets back only a few of the arrays a
 * {@code calculateGradientsAndOutputs} call allocates (4 of 80 for the single-layer model at T=256). The rest, about
 * 30 MB per step there, become garbage that the JVM frees later, and every step allocates and page-faults fresh
 * native memory (a fifth of the step's time was in the kernel's page-fault handler).
 *
 * <p>Here every array the session asks for during a step is handed out from a pool keyed by (type, shape, order),
 * and {@link #recycle} returns all of them to the pool at the start of the next step. That is correct only if
 * nothing from the previous step is still read: {@link TrainingRun} copies gradients and outputs into Java arrays
 * before it starts the next step. The arrays are not zeroed (the default manager's reused arrays are not either).
 * Variables, constants and placeholders are not allocated through a session's memory manager and are untouched.
 */
final class StepArrays extends AbstractMemoryMgr {

    private final Map<Key, ArrayDeque<INDArray>> free = new HashMap<>();
    private final List<INDArray> handedOut = new ArrayList<>();

    private record Key(DataType type, List<Long> shape, char order) {
        static Key of(DataType type, long[] shape, char order) {
            return new Key(type, Arrays.stream(shape).boxed().toList(), order);
        }
    }

    /** Makes the gradient session of {@code sd} on this thread use these arrays (once it exists; no-op after that). */
    void attachTo(SameDiff sd) {
        SameDiff grad = sd.getFunction("grad");
        if (grad == null) return;
        InferenceSession s = grad.getSessions().get(Thread.currentThread().getId());
        if (s != null && s.getMmgr() != this) s.setMmgr(this);
    }

    /** Every array handed out since the last call is free again: call it between steps, never during one. */
    void recycle() {
        for (INDArray a : handedOut) {
            free.computeIfAbsent(Key.of(a.dataType(), a.shape(), a.ordering()), k -> new ArrayDeque<>()).add(a);
        }
        handedOut.clear();
    }

    private INDArray take(DataType type, long[] shape, char order) {
        ArrayDeque<INDArray> q = free.get(Key.of(type, shape, order));
        INDArray a = q == null ? null : q.poll();
        if (a == null) a = Nd4j.createUninitializedDetached(type, order, shape);
        handedOut.add(a);
        return a;
    }

    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
        return take(dataType, shape, 'c');
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        if (descriptor.isEmpty()) return Nd4j.create(descriptor);
        return take(descriptor.dataType(), descriptor.getShape(), descriptor.getOrder());
    }

    @Override
    public void release(INDArray array) {
        // kept until recycle(): the whole step's arrays are reused together
    }

    @Override
    public void close() {
        // the pool lives as long as its TrainingRun
    }
}
