package io.vxflow.gpu.trt;

import io.vxflow.gpu.cuda.GpuContext;
import io.vxflow.gpu.cuda.GpuDevice;
import io.vxflow.gpu.infer.ModelException;
import io.vxflow.gpu.infer.ModelInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A slot's hold on a TensorRT engine for an ONNX model. The engine itself (the deserialized
 * {@code ICudaEngine}) exists once per process, GPU and {@link EngineKey}, shared by every slot
 * that acquires the same key and deleted when the last holder closes; each slot makes its own
 * {@link TensorRtContext} with {@link #newContext}.
 *
 * <p>{@link #acquire} loads the engine from the engine cache ({@code <vxflow cache>/engines}) or
 * builds it from the model, which takes from seconds to minutes and is logged: why it builds, every
 * 10 s that it still builds, and how long it took. A model TensorRT cannot parse or build fails
 * here, at job start, with a {@link ModelException}; running out of GPU memory fails with a
 * {@code CudaException}.
 *
 * <p>Limits: one image input {@code [batch, 3, H, W]} and one output read (others are pruned);
 * batch 1 to {@code maxBatch} with a single optimization profile; input float16 ({@link
 * Precision#FP16}) or float32, output float32, both linear. Closing is idempotent and closes the
 * contexts made from this handle first. A handle is meant for one slot's thread.
 */
public final class TensorRtEngine implements AutoCloseable {
    /** Where a loaded engine's plan came from. */
    public enum Origin {
        /** Deserialized from an intact cache entry: no build. */
        CACHE,
        /** Built from the ONNX model in this process (and written to the cache). */
        BUILT
    }

    private record RegistryKey(EngineKey key, int deviceIndex) {}

    private static final Map<RegistryKey, SharedEngine> ENGINES = new HashMap<>();

    private final RegistryKey registryKey;
    private final SharedEngine shared;
    private final List<TensorRtContext> contexts = new ArrayList<>();
    private boolean closed;

    private TensorRtEngine(RegistryKey registryKey, SharedEngine shared) {
        this.registryKey = registryKey;
        this.shared = shared;
    }

    /**
     * The engine of {@code model} on {@code device} at {@code precision} for batches up to {@code
     * maxBatch}: shared when this process already holds it, else loaded from the cache or built.
     * Close the returned handle when the slot closes.
     *
     * @throws IllegalArgumentException when {@code maxBatch} is below 1, or differs from a model's
     *     fixed batch
     * @throws ModelException when the model is missing, changed, or not something TensorRT builds
     * @throws TensorRtLibraryException when the TensorRT libraries are unusable ({@link TensorRtLibrary#load})
     */
    public static TensorRtEngine acquire(ModelInfo model, GpuDevice device, Precision precision, int maxBatch) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(precision, "precision");
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be at least 1, not " + maxBatch);
        }
        if (model.fixedBatch() > 0 && maxBatch != model.fixedBatch()) {
            throw new IllegalArgumentException("model " + model.name() + " has a fixed batch of " + model.fixedBatch()
                    + "; set the max batch to it");
        }
        // keyed by the TensorRT actually loaded (a system TensorRT's, see TensorRtHome): plans load only in the release that built them
        TensorRtLibrary trt = TensorRtLibrary.load();
        EngineKey key = EngineKey.of(model, device, precision, maxBatch, trt.version(), trt.build());
        RegistryKey rk = new RegistryKey(key, device.index());
        SharedEngine shared;
        synchronized (ENGINES) {
            shared = ENGINES.computeIfAbsent(rk, k -> new SharedEngine(key, model, device));
            shared.users++;
        }
        try {
            shared.load();
        } catch (RuntimeException | Error e) {
            release(rk, shared);
            throw e;
        }
        return new TensorRtEngine(rk, shared);
    }

    /**
     * A new execution context for {@code gpu}'s slot, enqueuing on its stream; its device memory
     * is allocated now, once.
     *
     * @throws IllegalArgumentException when {@code gpu} is on another device than the engine
     */
    public synchronized TensorRtContext newContext(GpuContext gpu) {
        ensureOpen();
        if (gpu.device().index() != shared.device.index()) {
            throw new IllegalArgumentException("engine of model " + shared.model.name() + " lives on GPU " + shared.device.index()
                    + ", the slot's context on GPU " + gpu.device().index());
        }
        TensorRtContext c = new TensorRtContext(this, shared, gpu, shared.createContext(), shared.io(), shared.key.maxBatch());
        contexts.add(c);
        return c;
    }

    synchronized void forget(TensorRtContext context) {
        contexts.remove(context);
    }

    public EngineKey key() {
        return shared.key;
    }

    public ModelInfo model() {
        return shared.model;
    }

    public int maxBatch() {
        return shared.key.maxBatch();
    }

    /** Element type of the image input: {@link TensorDataType#FLOAT16} for fp16 engines. */
    public TensorDataType inputType() {
        return shared.io().inputType();
    }

    /** Element type of the output: always {@link TensorDataType#FLOAT32}. */
    public TensorDataType outputType() {
        return shared.io().outputType();
    }

    /** Input elements per image, {@code 3 * H * W}, planar RGB. */
    public long inputElementsPerImage() {
        return shared.io().inputElementsPerImage();
    }

    /** Output elements per image, {@link ModelInfo#outputSize()}. */
    public long outputElementsPerImage() {
        return shared.io().outputElementsPerImage();
    }

    /** Bytes of an input batch tensor holding {@code batch} images. */
    public long inputBytes(int batch) {
        return shared.io().inputBytes(batch);
    }

    /** Bytes of an output tensor holding {@code batch} images' results. */
    public long outputBytes(int batch) {
        return shared.io().outputBytes(batch);
    }

    /** Device memory each {@link TensorRtContext} allocates for activations. */
    public long contextMemoryBytes() {
        return shared.io().contextMemoryBytes();
    }

    /** Whether the shared engine was loaded from the cache or built. */
    public Origin origin() {
        return shared.origin();
    }

    /** The cache file it came from, or why it was built (cache miss, unusable entry and why). */
    public String originDetail() {
        return shared.originDetail();
    }

    /** How long loading (or building and loading) the shared engine took. */
    public long loadMillis() {
        return shared.loadMillis();
    }

    long engineAddress() {
        return shared.engineAddress();
    }

    /** Engines held by this process (for tests). */
    static int liveEngines() {
        synchronized (ENGINES) {
            return ENGINES.size();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("TensorRT engine handle of model " + shared.model.name() + " is closed");
        }
    }

    /** Closes this handle's contexts, then lets go of the shared engine (deleted by the last holder). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (TensorRtContext c : new ArrayList<>(contexts)) {
            c.close();
        }
        closed = true;
        release(registryKey, shared);
    }

    private static void release(RegistryKey key, SharedEngine shared) {
        synchronized (ENGINES) {
            if (--shared.users == 0) {
                ENGINES.remove(key, shared);
                shared.close();
            }
        }
    }
}
