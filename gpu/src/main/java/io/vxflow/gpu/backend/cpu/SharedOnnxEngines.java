package io.vxflow.gpu.backend.cpu;

import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.infer.OnnxRuntimeEngine;
import java.util.HashMap;
import java.util.Map;

/**
 * One ONNX Runtime engine per model and process (a TaskManager), shared by its slots and closed
 * when the last slot lets go. Keyed by the model's content hash.
 */
final class SharedOnnxEngines {
    private static final Map<String, Entry> ENGINES = new HashMap<>();

    private static final class Entry {
        final OnnxRuntimeEngine engine;
        int users;

        Entry(OnnxRuntimeEngine engine) {
            this.engine = engine;
        }
    }

    private SharedOnnxEngines() {}

    static synchronized OnnxRuntimeEngine acquire(ModelInfo model, int threads) {
        String key = model.sha256() + "/" + threads;
        Entry e = ENGINES.computeIfAbsent(key, k -> new Entry(new OnnxRuntimeEngine(model, threads)));
        e.users++;
        return e.engine;
    }

    static synchronized void release(OnnxRuntimeEngine engine) {
        var it = ENGINES.entrySet().iterator();
        while (it.hasNext()) {
            Entry e = it.next().getValue();
            if (e.engine == engine && --e.users == 0) {
                e.engine.close();
                it.remove();
                return;
            }
        }
    }
}
