package io.vxflow.gpu.infer;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.vxflow.gpu.tensor.HostTensor;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU inference with ONNX Runtime: runs the first {@code n} images of a host batch tensor and writes
 * the output into a host tensor, both read and written in place (ONNX Runtime's pre-allocated
 * outputs), so a batch costs no Java allocation beyond ONNX Runtime's own.
 *
 * <p>Owns one {@link OrtSession}; {@link #run} may be called from several slots at once (ONNX
 * Runtime sessions are thread-safe), which is how one engine serves a TaskManager. Tensor views for
 * each batch size are created per calling tensor pair and kept until {@link #close()}.
 */
public final class OnnxRuntimeEngine implements AutoCloseable {
    private final ModelInfo model;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final Map<TensorKey, OnnxTensor> views = new HashMap<>();

    private record TensorKey(HostTensor tensor, int n) {}

    /** @param threads intra-op threads for each run (1 when many slots share the CPU) */
    public OnnxRuntimeEngine(ModelInfo model, int threads) {
        this.model = model;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(Math.max(1, threads));
            options.setInterOpNumThreads(1);
            session = env.createSession(model.path(), options);
        } catch (OrtException e) {
            throw new ModelException("model " + model.path() + " cannot be loaded by ONNX Runtime: " + e.getMessage(), e);
        }
    }

    public ModelInfo model() {
        return model;
    }

    /**
     * Runs images {@code 0..n-1} of {@code input} ({@code [cap, 3, H, W]}) into {@code output} ({@code
     * [cap, ...outputShape]}).
     */
    public void run(HostTensor input, HostTensor output, int n) {
        if (model.fixedBatch() > 0 && n != model.fixedBatch()) {
            throw new IllegalArgumentException("model " + model.name() + " takes batches of exactly " + model.fixedBatch());
        }
        try {
            OnnxTensor in = view(input, n);
            OnnxTensor out = view(output, n);
            try (OrtSession.Result r = session.run(Map.of(model.inputName(), in), Map.of(model.outputName(), out))) {
                // results land in 'output' in place
            }
        } catch (OrtException e) {
            throw new IllegalStateException("inference with " + model.name() + " failed: " + e.getMessage(), e);
        }
    }

    private synchronized OnnxTensor view(HostTensor t, int n) throws OrtException {
        TensorKey key = new TensorKey(t, n);
        OnnxTensor v = views.get(key);
        if (v == null) {
            long[] shape = t.shape();
            shape[0] = n;
            v = OnnxTensor.createTensor(env, t.firstItems(n), shape);
            views.put(key, v);
        }
        return v;
    }

    /** Drops the tensor views made for these tensors (a slot closing; the engine lives on for others). */
    public synchronized void forget(HostTensor... tensors) {
        var it = views.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            for (HostTensor t : tensors) {
                if (e.getKey().tensor() == t) {
                    e.getValue().close();
                    it.remove();
                    break;
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        views.values().forEach(OnnxValue::close);
        views.clear();
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
