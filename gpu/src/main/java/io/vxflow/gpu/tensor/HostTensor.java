package io.vxflow.gpu.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A float32 tensor in direct (native-order) host memory, row-major, with its shape. Owns its buffer,
 * which the garbage collector frees; native consumers such as ONNX Runtime read it in place.
 */
public final class HostTensor {
    private final long[] shape;
    private final FloatBuffer data;
    private final int itemSize;

    private HostTensor(long[] shape, FloatBuffer data) {
        this.shape = shape;
        this.data = data;
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
        ByteBuffer bytes = ByteBuffer.allocateDirect(Math.toIntExact(n * Float.BYTES)).order(ByteOrder.nativeOrder());
        return new HostTensor(shape.clone(), bytes.asFloatBuffer());
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
        return data.duplicate().clear();
    }

    /** A view of item {@code index} along the first dimension. */
    public FloatBuffer item(int index) {
        if (index < 0 || index >= shape[0]) {
            throw new IndexOutOfBoundsException("item " + index + " of " + shape[0]);
        }
        return data.duplicate().clear().position(index * itemSize).limit((index + 1) * itemSize).slice();
    }

    /** A view of the first {@code n} items, for a partly filled batch. */
    public FloatBuffer firstItems(int n) {
        return data.duplicate().clear().limit(n * itemSize).slice();
    }
}
