package io.vxflow.gpu.trt;

import io.vxflow.gpu.VxflowCache;
import io.vxflow.gpu.infer.ModelException;
import io.vxflow.gpu.infer.ModelInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine cache under {@code <vxflow cache>/engines/}: finds the plan for an {@link EngineKey},
 * checks it ({@link EngineFile}), has the loader deserialize it, and when there is none, or it is
 * corrupt, stale or rejected by TensorRT, has one built, stores it and loads that. Every decision
 * is logged with its reason.
 *
 * <p>One build per key at a time: a JVM-wide monitor and an OS file lock ({@code <file>.lock}, left
 * in place) make a second slot or a second TaskManager on the same host wait for the first build
 * and then load its plan instead of building again. When the directory cannot be used the engine
 * is built every time, with a warning.
 */
final class EngineCache {
    private static final Logger LOG = LoggerFactory.getLogger(EngineCache.class);
    private static final ConcurrentHashMap<Path, Object> MONITORS = new ConcurrentHashMap<>();

    /** Turns a plan into a loaded engine, or says why this plan cannot be used. */
    interface Loader<T> {
        T load(byte[] plan) throws EngineFile.UnusableException;
    }

    /** What {@link #obtain} produced: the loaded engine and where its plan came from. */
    record Loaded<T>(T engine, TensorRtEngine.Origin origin, String detail, long millis) {}

    private EngineCache() {}

    static <T> Loaded<T> obtain(ModelInfo model, EngineKey key, Supplier<byte[]> build, Loader<T> loader) {
        Path dir;
        try {
            dir = VxflowCache.directory("engines");
        } catch (UncheckedIOException e) {
            LOG.warn("engine cache unavailable ({}); building {} without caching", e.getMessage(), model.name());
            return buildAndLoad(model, key, build, loader, null, "engine cache unavailable: " + e.getMessage());
        }
        Path file = dir.resolve(key.fileName(model.name()));
        synchronized (MONITORS.computeIfAbsent(file, f -> new Object())) {
            FileLock lock = lock(file);
            try {
                return lookUp(model, key, build, loader, file);
            } finally {
                release(lock);
            }
        }
    }

    private static <T> Loaded<T> lookUp(ModelInfo model, EngineKey key, Supplier<byte[]> build, Loader<T> loader, Path file) {
        long t0 = System.nanoTime();
        String why;
        try {
            byte[] plan = EngineFile.read(file, key);
            T engine = loader.load(plan);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            LOG.info("TensorRT engine for {} ({}) loaded from cache {} in {} ms", model.name(), key.describe(), file, ms);
            return new Loaded<>(engine, TensorRtEngine.Origin.CACHE, file.toString(), ms);
        } catch (NoSuchFileException e) {
            why = "cache miss: no " + file + explainMiss(file.getParent(), model, key);
        } catch (EngineFile.UnusableException e) {
            why = "cached engine " + file + " is unusable (" + e.getMessage() + ")";
            LOG.warn("{}; rebuilding it", why);
        } catch (IOException e) {
            why = "cached engine " + file + " cannot be read (" + e + ")";
            LOG.warn("{}; rebuilding it", why);
        }
        return buildAndLoad(model, key, build, loader, file, why);
    }

    private static <T> Loaded<T> buildAndLoad(ModelInfo model, EngineKey key, Supplier<byte[]> build, Loader<T> loader, Path file,
            String why) {
        LOG.info("building TensorRT engine for {} ({}); {}", model.name(), key.describe(), why);
        long t0 = System.nanoTime();
        byte[] plan = build.get();
        T engine;
        try {
            engine = loader.load(plan);
        } catch (EngineFile.UnusableException e) {
            throw new ModelException("model " + model.name() + " (" + model.path() + "): the engine TensorRT built for it is not"
                    + " usable: " + e.getMessage());
        }
        if (file != null) {
            store(file, key, plan); // only plans that loaded
        }
        return new Loaded<>(engine, TensorRtEngine.Origin.BUILT, why, (System.nanoTime() - t0) / 1_000_000);
    }

    private static void store(Path file, EngineKey key, byte[] plan) {
        try {
            EngineFile.write(file, key, plan);
            LOG.info("cached TensorRT engine in {} ({} KiB)", file, plan.length / 1024);
        } catch (IOException e) {
            LOG.warn("cannot cache the TensorRT engine in {} ({}); the next start builds it again", file, e.toString());
        }
    }

    /**
     * Why the cache missed, when it holds engines of the same model built for other keys, or engines
     * of the model's name that this vxflow cannot use (say, of an older file format, whose key
     * lacked the builder settings: they are left in place for the vxflow that wrote them).
     */
    static String explainMiss(Path dir, ModelInfo model, EngineKey key) {
        String prefix = key.fileName(model.name());
        prefix = prefix.substring(0, prefix.lastIndexOf('-') + 1);
        List<String> reasons = new ArrayList<>();
        List<String> unusable = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, globEscape(prefix) + "*.engine")) {
            for (Path f : files) {
                try {
                    EngineKey other = EngineFile.readKey(f);
                    if (other.modelSha256().equals(key.modelSha256()) && reasons.size() < 3) {
                        reasons.add(f.getFileName() + ": " + String.join(", ", key.differencesFrom(other)));
                    }
                } catch (EngineFile.UnusableException e) {
                    if (unusable.size() < 3) {
                        unusable.add(f.getFileName() + ": " + e.getMessage());
                    }
                } catch (IOException e) {
                    // unreadable neighbours explain nothing
                }
            }
        } catch (IOException | RuntimeException e) {
            return "";
        }
        return (reasons.isEmpty() ? "" : " (cached engines of this model differ: " + String.join("; ", reasons) + ")")
                + (unusable.isEmpty() ? "" : " (cached engines of this name that cannot be used: " + String.join("; ", unusable) + ")");
    }

    private static String globEscape(String s) {
        return s.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
    }

    private static FileLock lock(Path file) {
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                LOG.info("another process is building or writing {}; waiting for it", file.getFileName());
                lock = channel.lock();
            }
            return lock;
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot lock {} ({}); going on without the lock", lockFile, e.toString());
            closeQuietly(channel);
            return null;
        }
    }

    private static void release(FileLock lock) {
        if (lock != null) {
            try {
                lock.release();
            } catch (IOException e) {
                LOG.debug("releasing {} failed: {}", lock, e.toString());
            }
            closeQuietly(lock.channel());
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }
}
