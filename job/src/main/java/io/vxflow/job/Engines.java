package io.vxflow.job;

import io.vxflow.gpu.cuda.GpuContext;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.trt.Precision;
import io.vxflow.gpu.trt.TensorRtEngine;
import java.io.PrintStream;

/**
 * Fills the TensorRT engine cache ahead of time, so that no slot builds an engine while streams wait
 * (a detector's build takes minutes): {@code vxflow engine build}, and {@code demo} and {@code bench}
 * before they start streams. The slots then load the cached plan in seconds.
 */
public final class Engines {
    private Engines() {}

    /** What preparing an engine did. */
    public record Prepared(TensorRtEngine.Origin origin, long millis, String detail) {}

    /**
     * Builds (or finds in the cache) the engine the job's slots will ask for: the same model,
     * precision and max batch on GPU {@code gpu}; prints progress to {@code console}.
     */
    public static Prepared prepare(ModelInfo model, boolean fp16, int maxBatch, int gpu, PrintStream console) {
        long t0 = System.nanoTime();
        try (GpuContext ctx = GpuContext.open(gpu);
                TensorRtEngine engine = TensorRtEngine.acquire(model, ctx.device(), Precision.of(fp16), maxBatch)) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            console.printf("  engine: %s %s, max batch %d on GPU %d: %s in %.1f s%n", model.name(), fp16 ? "fp16" : "fp32", maxBatch, gpu,
                    engine.origin() == TensorRtEngine.Origin.CACHE ? "loaded from the cache" : "built and cached", ms / 1000.0);
            return new Prepared(engine.origin(), ms, engine.originDetail());
        }
    }
}
