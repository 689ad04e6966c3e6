package io.vxflow.gpu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where vxflow keeps what is expensive to make and safe to reuse: compiled kernels, TensorRT
 * engines, the demo clip. {@code $VXFLOW_CACHE_DIR} (or the system property {@code
 * vxflow.cache.dir}) if set, else {@code ~/.cache/vxflow}.
 */
public final class VxflowCache {
    private VxflowCache() {}

    public static Path root() {
        String dir = System.getProperty("vxflow.cache.dir", System.getenv("VXFLOW_CACHE_DIR"));
        return dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".cache", "vxflow");
    }

    /** A subdirectory of the cache, created if needed. */
    public static Path directory(String name) {
        Path d = root().resolve(name);
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create cache directory " + d, e);
        }
        return d;
    }
}
