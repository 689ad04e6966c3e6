package io.vxflow.gpu.trt;

import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_UNKNOWN;

import io.vxflow.gpu.cuda.CudaException;
import io.vxflow.gpu.cuda.GpuContext;
import java.nio.charset.StandardCharsets;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.nvinfer.Dims4;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

/**
 * One slot's TensorRT execution context: runs the shared engine on the slot's CUDA stream.
 * Owns the {@code IExecutionContext} (with its activation memory, allocated once when it was
 * made) and the native name strings and shape it binds with, so that {@link #enqueue} allocates
 * nothing and never waits for the GPU.
 *
 * <p>Buffers are the caller's: the input holds {@code batch} images of {@link #inputElementsPerImage()}
 * elements of {@link #inputType()} (planar RGB, NCHW), the output receives {@code batch} times
 * {@link #outputElementsPerImage()} float32 values; both at least 256-byte aligned (TensorRT's
 * rule; {@code cuMemAlloc} gives that). Not thread-safe: the slot's thread calls it, with the
 * slot's CUDA context current (as for every stage). Closing waits for the slot's stream and deletes
 * the context; idempotent.
 */
public final class TensorRtContext implements AutoCloseable {
    private static final long ALIGNMENT = 256;

    private final TensorRtEngine owner;
    private final SharedEngine shared;
    private final GpuContext gpu;
    private final EngineIo io;
    private final int maxBatch;
    private final BytePointer inputName;
    private final BytePointer outputName;
    private final Dims64 inputShape;
    private final DeviceAddress address = new DeviceAddress();
    private IExecutionContext context;
    private int boundBatch;
    private long boundInput;
    private long boundOutput;

    TensorRtContext(TensorRtEngine owner, SharedEngine shared, GpuContext gpu, IExecutionContext context, EngineIo io, int maxBatch) {
        this.owner = owner;
        this.shared = shared;
        this.gpu = gpu;
        this.context = context;
        this.io = io;
        this.maxBatch = maxBatch;
        this.inputName = new BytePointer(io.inputName(), StandardCharsets.UTF_8);
        this.outputName = new BytePointer(io.outputName(), StandardCharsets.UTF_8);
        this.inputShape = new Dims4(maxBatch, 3, shared.model.inputHeight(), shared.model.inputWidth());
        this.boundBatch = io.dynamicBatch() ? 0 : maxBatch;
    }

    /**
     * Enqueues inference of images {@code 0..batch-1} on the slot's stream: {@code input} device
     * memory to {@code output} device memory. Returns at once; the results are there when the
     * stream reaches this point. Sets the input shape only when {@code batch} changes and rebinds
     * a tensor only when its address changes.
     *
     * @throws IllegalArgumentException for a batch outside 1..{@link #maxBatch()} (exactly the
     *     model's batch when it is fixed), or an address that is 0 or not 256-byte aligned
     * @throws CudaException when TensorRT refuses the call (its error is logged)
     */
    public void enqueue(long input, long output, int batch) {
        IExecutionContext c = context();
        checkBatch(batch);
        checkAddress(input, "input");
        checkAddress(output, "output");
        if (batch != boundBatch) {
            inputShape.d(0, batch);
            if (!c.setInputShape(inputName, inputShape)) {
                throw refused("setInputShape(batch " + batch + ")");
            }
            boundBatch = batch;
        }
        if (input != boundInput) {
            if (!c.setTensorAddress(inputName, address.at(input))) {
                throw refused("setTensorAddress(input)");
            }
            boundInput = input;
        }
        if (output != boundOutput) {
            if (!c.setTensorAddress(outputName, address.at(output))) {
                throw refused("setTensorAddress(output)");
            }
            boundOutput = output;
        }
        if (!c.enqueueV3(gpu.stream())) {
            throw refused("enqueueV3(batch " + batch + ")");
        }
    }

    private void checkBatch(int batch) {
        if (io.dynamicBatch() ? batch < 1 || batch > maxBatch : batch != maxBatch) {
            throw new IllegalArgumentException("batch " + batch + " for model " + shared.model.name() + ": the engine takes "
                    + (io.dynamicBatch() ? "1 to " + maxBatch : "exactly " + maxBatch) + " images");
        }
    }

    private static void checkAddress(long address, String what) {
        if (address == 0 || address % ALIGNMENT != 0) {
            throw new IllegalArgumentException(what + " device address 0x" + Long.toHexString(address)
                    + " must be non-zero and 256-byte aligned");
        }
    }

    private CudaException refused(String call) {
        return new CudaException("TensorRT refused " + call + " for model " + shared.model.name() + " (its error is logged above)",
                CUDA_ERROR_UNKNOWN);
    }

    private IExecutionContext context() {
        if (context == null) {
            throw new IllegalStateException("TensorRT context of model " + shared.model.name() + " is closed");
        }
        return context;
    }

    public int maxBatch() {
        return maxBatch;
    }

    public TensorDataType inputType() {
        return io.inputType();
    }

    public TensorDataType outputType() {
        return io.outputType();
    }

    public long inputElementsPerImage() {
        return io.inputElementsPerImage();
    }

    public long outputElementsPerImage() {
        return io.outputElementsPerImage();
    }

    /** Bytes of {@code batch} images of input. */
    public long inputBytes(int batch) {
        return io.inputBytes(batch);
    }

    /** Bytes of {@code batch} images of output. */
    public long outputBytes(int batch) {
        return io.outputBytes(batch);
    }

    /** The engine handle this context was made from. */
    public TensorRtEngine engine() {
        return owner;
    }

    IExecutionContext nativeContext() {
        return context;
    }

    @Override
    public void close() {
        if (context == null) {
            return;
        }
        try {
            gpu.synchronize(); // kernels still running use the context's memory
        } catch (IllegalStateException slotClosed) {
            // the slot's GpuContext closed first; its close() already waited for the stream
        }
        shared.bind();
        context.close();
        context = null;
        inputShape.close();
        inputName.close();
        outputName.close();
        owner.forget(this);
    }
}
