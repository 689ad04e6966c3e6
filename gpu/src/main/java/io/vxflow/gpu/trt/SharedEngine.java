package io.vxflow.gpu.trt;

import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_OUT_OF_MEMORY;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_UNKNOWN;
import static org.bytedeco.cuda.global.cudart.cuCtxSetCurrent;
import static org.bytedeco.cuda.global.cudart.cuDevicePrimaryCtxRelease;
import static org.bytedeco.cuda.global.cudart.cuDevicePrimaryCtxRetain;
import static org.bytedeco.tensorrt.global.nvinfer.createInferRuntime;

import io.vxflow.gpu.cuda.Cuda;
import io.vxflow.gpu.cuda.CudaException;
import io.vxflow.gpu.cuda.GpuDevice;
import io.vxflow.gpu.infer.ModelInfo;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;
import org.bytedeco.tensorrt.nvinfer.IRuntime;

/**
 * One deserialized engine on one GPU, shared by every slot of the process that uses the same key:
 * owns a retain on the device's primary CUDA context (so the engine's memory stays valid however
 * the slots close), the {@code IRuntime} and the {@code ICudaEngine}. Loaded once ({@link #load}),
 * from the cache or by building; closed by {@link TensorRtEngine} when its last user lets go.
 * Thread-safe; {@link #users} is guarded by {@link TensorRtEngine}'s registry.
 */
final class SharedEngine {
    final EngineKey key;
    final ModelInfo model;
    final GpuDevice device;
    int users;

    private final TrtLogger logger = TrtLogger.INSTANCE;
    private final CUctx_st primary = new CUctx_st();
    private boolean primaryRetained;
    private IRuntime runtime;
    private ICudaEngine engine;
    private EngineIo io;
    private TensorRtEngine.Origin origin;
    private String originDetail;
    private long loadMillis;

    private record Deserialized(ICudaEngine engine, EngineIo io) {}

    SharedEngine(EngineKey key, ModelInfo model, GpuDevice device) {
        this.key = key;
        this.model = model;
        this.device = device;
    }

    /** Deserializes the cached plan, or builds one; does nothing when already loaded. */
    synchronized void load() {
        if (engine != null) {
            return;
        }
        try {
            Cuda.check(cuDevicePrimaryCtxRetain(primary, device.handle()), "cuDevicePrimaryCtxRetain");
            primaryRetained = true;
            bind();
            long mark = logger.mark();
            runtime = CppDelete.attach(createInferRuntime(logger), IRuntime::new);
            if (runtime == null || runtime.isNull()) {
                throw new CudaException("createInferRuntime failed: " + logger.errorLine(mark, "no error logged"), CUDA_ERROR_UNKNOWN);
            }
            EngineCache.Loaded<Deserialized> loaded = EngineCache.obtain(model, key, () -> OnnxEngineBuilder.build(model, key),
                    this::deserialize);
            engine = loaded.engine().engine();
            io = loaded.engine().io();
            origin = loaded.origin();
            originDetail = loaded.detail();
            loadMillis = loaded.millis();
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private Deserialized deserialize(byte[] plan) throws EngineFile.UnusableException {
        long mark = logger.mark();
        ICudaEngine e;
        try (BytePointer data = new BytePointer(plan)) {
            e = CppDelete.attach(runtime.deserializeCudaEngine(data, plan.length), ICudaEngine::new);
        }
        if (e == null || e.isNull()) {
            String line = logger.errorLine(mark, "no error logged");
            if (logger.ranOutOfMemorySince(mark)) {
                throw new CudaException("loading the TensorRT engine of model " + model.name() + " ran out of GPU memory: " + line,
                        CUDA_ERROR_OUT_OF_MEMORY);
            }
            throw new EngineFile.UnusableException("TensorRT cannot deserialize it: " + line);
        }
        try {
            return new Deserialized(e, EngineIo.of(e, model, key));
        } catch (EngineFile.UnusableException | RuntimeException x) {
            bind();
            e.close();
            throw x;
        }
    }

    /** Makes the device's primary context current on the calling thread. */
    void bind() {
        Cuda.check(cuCtxSetCurrent(primary), "cuCtxSetCurrent");
    }

    /** A new execution context with its device memory allocated now (TensorRT's static strategy). */
    synchronized IExecutionContext createContext() {
        if (engine == null) {
            throw new IllegalStateException("TensorRT engine of model " + model.name() + " is closed");
        }
        bind();
        long mark = logger.mark();
        IExecutionContext c = CppDelete.attach(engine.createExecutionContext(), IExecutionContext::new);
        if (c == null || c.isNull()) {
            throw new CudaException("creating a TensorRT execution context for model " + model.name() + " failed ("
                    + io.contextMemoryBytes() / (1 << 20) + " MiB of device memory): " + logger.errorLine(mark, "no error logged"),
                    logger.ranOutOfMemorySince(mark) ? CUDA_ERROR_OUT_OF_MEMORY : CUDA_ERROR_UNKNOWN);
        }
        return c;
    }

    synchronized EngineIo io() {
        return io;
    }

    synchronized TensorRtEngine.Origin origin() {
        return origin;
    }

    synchronized String originDetail() {
        return originDetail;
    }

    synchronized long loadMillis() {
        return loadMillis;
    }

    /** The native engine's address, to tell in tests whether two handles share it. */
    synchronized long engineAddress() {
        return engine == null ? 0 : engine.address();
    }

    /** Deletes the engine, then the runtime, then releases the primary context; idempotent. */
    synchronized void close() {
        if (primaryRetained) {
            bind();
        }
        if (engine != null) {
            engine.close();
            engine = null;
        }
        if (runtime != null) {
            runtime.close();
            runtime = null;
        }
        if (primaryRetained) {
            primaryRetained = false;
            cuDevicePrimaryCtxRelease(device.handle());
        }
    }
}
