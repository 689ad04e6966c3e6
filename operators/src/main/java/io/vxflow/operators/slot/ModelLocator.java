package io.vxflow.operators.slot;

import io.vxflow.gpu.infer.ModelException;
import io.vxflow.gpu.infer.ModelInspector;
import io.vxflow.gpu.pipeline.PipelineSpec;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * Finds the model file on a TaskManager. The path the client checked is used when it is readable
 * here (same machine, shared file system, a baked-in image) and its content has the SHA-256 the
 * client computed; otherwise the copy Flink's distributed cache shipped under {@link #CACHE_NAME},
 * which must have that hash too. A file at the same path with other content (a model updated on one
 * machine but not another) is never used: engine caches and results key on the client's hash.
 * Hashes are remembered per path, size and modification time, so slots do not re-read the file.
 */
public final class ModelLocator {
    /** Name under which the job registers the model with Flink's distributed cache. */
    public static final String CACHE_NAME = "vxflow-model";

    private static final Map<String, String> HASHES = new ConcurrentHashMap<>();

    private ModelLocator() {}

    static PipelineSpec localize(RuntimeContext ctx, PipelineSpec spec) {
        return localize(spec, () -> ctx.getDistributedCache().getFile(CACHE_NAME));
    }

    /** As above, with the distributed cache lookup given: it may throw when nothing was shipped. */
    static PipelineSpec localize(PipelineSpec spec, Supplier<File> shipped) {
        Path declared = Path.of(spec.model().path());
        String want = spec.model().sha256();
        String localHash = localHash(declared);
        if (want.equals(localHash)) {
            return spec;
        }
        File cached;
        try {
            cached = shipped.get();
        } catch (RuntimeException e) {
            throw new ModelException("model " + declared + (localHash == null ? " is not readable on this TaskManager" : " on this TaskManager differs from the one the job was submitted with (sha256 " + ModelInspector.shortHash(localHash) + " instead of " + ModelInspector.shortHash(want) + ")")
                    + " and was not shipped with the job: " + e.getMessage(), e);
        }
        String shippedHash = hash(cached.toPath());
        if (!want.equals(shippedHash)) {
            throw new ModelException("the model shipped with the job (" + cached + ") has sha256 " + ModelInspector.shortHash(shippedHash) + ", not the submitted "
                    + ModelInspector.shortHash(want));
        }
        return spec.withModelPath(cached.getAbsolutePath());
    }

    /** The hash of the file at the declared path, or null when there is no readable file there. */
    private static String localHash(Path declared) {
        if (!Files.isRegularFile(declared) || !Files.isReadable(declared)) {
            return null;
        }
        try {
            return hash(declared);
        } catch (ModelException e) {
            return null; // an I/O error here (a flaky network mount): the shipped copy serves as well
        }
    }

    static String hash(Path file) {
        String key;
        try {
            key = file.toAbsolutePath() + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            throw new ModelException("model " + file + " cannot be read: " + e.getMessage(), e);
        }
        return HASHES.computeIfAbsent(key, k -> ModelInspector.sha256(file));
    }
}
