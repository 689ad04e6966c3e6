package io.vxflow.operators.slot;

import io.vxflow.gpu.infer.ModelException;
import io.vxflow.gpu.pipeline.PipelineSpec;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * Finds the model file on a TaskManager: the path the client checked when it is readable here
 * (same machine, shared file system or a baked-in image), else the copy Flink's distributed cache
 * shipped under {@link #CACHE_NAME}. Files are matched by size; the engine caches key on the
 * content hash the client computed.
 */
public final class ModelLocator {
    /** Name under which the job registers the model with Flink's distributed cache. */
    public static final String CACHE_NAME = "vxflow-model";

    private ModelLocator() {}

    static PipelineSpec localize(RuntimeContext ctx, PipelineSpec spec) {
        Path declared = Path.of(spec.model().path());
        if (Files.isReadable(declared)) {
            return spec;
        }
        File cached;
        try {
            cached = ctx.getDistributedCache().getFile(CACHE_NAME);
        } catch (RuntimeException e) {
            throw new ModelException("model " + declared + " is not readable on this TaskManager and was not shipped with the job: "
                    + e.getMessage(), e);
        }
        return spec.withModelPath(cached.getAbsolutePath());
    }
}
