package io.vxflow.gpu.tensor;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A float32 tensor in native host memory, row-major, with its shape. Owns the memory and frees it in
 * {@link #close()} (idempotent), so a slot that closes gives its batch tensors back at once rather
 * than when the garbage collector gets to them; views handed out before must not be used after.
 * Native consumers such as ONNX Runtime read the direct buffers in place.
 */
public final class HostTensor implements AutoCloseable {
    private final long[] shape;
    private final FloatPointer memory;
    private final FloatBuffer data;
    private final int itemSize;
    private boolean closed;

    private HostTensor(long[] shape, long elements) {
        this.shape = shape;
        this.memory = new FloatPointer(elements);
        memory.zero();
        this.data = memory.asBuffer();
        long item = 1;
        for (int i = 1; i < shape.length; i++) {
            item *= shape[i];
        }
        this.itemSize = Math.toIntExact(item);
    }

    public static HostTensor allocate(long... shape) {
        long n = 1;
        for (long d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("bad shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        Math.toIntExact(n * Float.BYTES);
        return new HostTensor(shape.clone(), n);
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Elements in one item along the first dimension (one image of a batch). */
    public int itemSize() {
        return itemSize;
    }

    /** The whole tensor; the caller must not keep its position or limit changes. */
    public FloatBuffer data() {
        ensureOpen();
        return data.duplicate().clear();
    }

    /** A view of item {@code index} along the first dimension. */
    public FloatBuffer item(int index) {
        if (index < 0 || index >= shape[0]) {
            throw new IndexOutOfBoundsException("item " + index + " of " + shape[0]);
        }
        return data().position(index * itemSize).limit((index + 1) * itemSize).slice();
    }

    /** A view of the first {@code n} items, for a partly filled batch. */
    public FloatBuffer firstItems(int n) {
        return data().limit(n * itemSize).slice();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("tensor " + Arrays.toString(shape) + " is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            memory.close();
        }
    }
}
