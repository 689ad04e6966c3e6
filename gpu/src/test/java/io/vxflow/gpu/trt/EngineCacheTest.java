package io.vxflow.gpu.trt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vxflow.gpu.infer.ModelException;
import io.vxflow.gpu.infer.ModelInfo;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache's decisions (load, build, rebuild and why), with a stand-in build and loader: no TensorRT needed. */
class EngineCacheTest {
    static final ModelInfo MODEL = new ModelInfo("squares-640", "/nowhere/squares-640.onnx", "cd".repeat(32), "images", 640, 640,
            0, "output0", new long[] {7, 6400}, ModelInfo.Kind.YOLO_DETECTOR, List.of("red", "green", "blue"));
    static final EngineKey KEY = key(4);

    @TempDir
    Path cache;
    String previous;
    final AtomicInteger builds = new AtomicInteger();
    final Supplier<byte[]> build = () -> ("plan #" + builds.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
    final EngineCache.Loader<String> loader = plan -> new String(plan, StandardCharsets.UTF_8);

    @BeforeEach
    void useTemporaryCache() {
        previous = System.getProperty("vxflow.cache.dir");
        System.setProperty("vxflow.cache.dir", cache.toString());
    }

    @AfterEach
    void restoreCache() {
        if (previous == null) {
            System.clearProperty("vxflow.cache.dir");
        } else {
            System.setProperty("vxflow.cache.dir", previous);
        }
    }

    @Test
    void buildsOnceThenLoadsFromTheCache() throws Exception {
        EngineCache.Loaded<String> first = EngineCache.obtain(MODEL, KEY, build, loader);
        assertThat(first.origin()).isEqualTo(TensorRtEngine.Origin.BUILT);
        assertThat(first.detail()).startsWith("cache miss: no ").contains(KEY.fileName(MODEL.name()));
        assertThat(first.engine()).isEqualTo("plan #1");
        assertThat(EngineFile.read(entry(), KEY)).asString(StandardCharsets.UTF_8).isEqualTo("plan #1");

        EngineCache.Loaded<String> second = EngineCache.obtain(MODEL, KEY, build, loader);
        assertThat(second.origin()).isEqualTo(TensorRtEngine.Origin.CACHE);
        assertThat(second.detail()).isEqualTo(entry().toString());
        assertThat(second.engine()).isEqualTo("plan #1");
        assertThat(builds).hasValue(1);
    }

    @Test
    void aCorruptEntryIsRebuiltAndReplaced() throws Exception {
        EngineCache.obtain(MODEL, KEY, build, loader);
        try (RandomAccessFile f = new RandomAccessFile(entry().toFile(), "rw")) {
            f.seek(f.length() - 1);
            f.write('X');
        }
        EngineCache.Loaded<String> again = EngineCache.obtain(MODEL, KEY, build, loader);
        assertThat(again.origin()).isEqualTo(TensorRtEngine.Origin.BUILT);
        assertThat(again.detail()).contains("unusable", "checksum mismatch");
        assertThat(again.engine()).isEqualTo("plan #2");
        assertThat(EngineCache.obtain(MODEL, KEY, build, loader).origin()).isEqualTo(TensorRtEngine.Origin.CACHE);
    }

    @Test
    void anEntryTheLoaderRejectsIsRebuilt() {
        EngineCache.obtain(MODEL, KEY, build, loader);
        AtomicBoolean rejectOnce = new AtomicBoolean(true);
        EngineCache.Loaded<String> again = EngineCache.obtain(MODEL, KEY, build, plan -> {
            if (rejectOnce.getAndSet(false)) {
                throw new EngineFile.UnusableException("TensorRT cannot deserialize it: version tag mismatch");
            }
            return new String(plan, StandardCharsets.UTF_8);
        });
        assertThat(again.origin()).isEqualTo(TensorRtEngine.Origin.BUILT);
        assertThat(again.detail()).contains("version tag mismatch");
        assertThat(again.engine()).isEqualTo("plan #2");
    }

    @Test
    void aMissSaysHowCachedEnginesOfTheModelDiffer() {
        EngineCache.obtain(MODEL, KEY, build, loader);
        EngineCache.Loaded<String> other = EngineCache.obtain(MODEL, key(8), build, loader);
        assertThat(other.origin()).isEqualTo(TensorRtEngine.Origin.BUILT);
        assertThat(other.detail()).contains("cached engines of this model differ", "max batch 4 instead of 8");
    }

    @Test
    void aChangedBuilderSettingIsANewKeyAndTheMissSaysWhichSettingDiffers() {
        EngineCache.obtain(MODEL, KEY, build, loader);
        EngineKey smallerWorkspace = new EngineKey(MODEL.sha256(), 100600, 26, "NVIDIA H200", 9, 0, Precision.FP16, 4, TensorDataType.FLOAT16,
                new BuildSettings(64, 1024, 1, 4, List.of("+FP16")));
        EngineCache.Loaded<String> other = EngineCache.obtain(MODEL, smallerWorkspace, build, loader);
        assertThat(other.origin()).isEqualTo(TensorRtEngine.Origin.BUILT);
        assertThat(other.engine()).isEqualTo("plan #2");
        assertThat(other.detail()).contains("workspace 64..4096 MiB instead of 64..1024 MiB");
        assertThat(EngineCache.obtain(MODEL, KEY, build, loader).engine()).as("the first key's plan is still there").isEqualTo("plan #1");
    }

    @Test
    void anEntryOfTheOlderFormatIsRebuiltAndTheLogSaysWhy() throws Exception {
        // what the previous vxflow left: format 1, under the model's name and the hash of its shorter key
        Path old = cache.resolve("engines").resolve("squares-640-0123456789abcdef.engine");
        Files.createDirectories(old.getParent());
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(Files.newOutputStream(old))) {
            out.write(EngineFile.MAGIC);
            out.writeInt(1);
            out.writeUTF(MODEL.sha256());
        }
        EngineCache.Loaded<String> loaded = EngineCache.obtain(MODEL, KEY, build, loader);
        assertThat(loaded.origin()).isEqualTo(TensorRtEngine.Origin.BUILT);
        assertThat(loaded.detail()).contains("cache miss", "squares-640-0123456789abcdef.engine: engine file format 1, from an older vxflow");
        // and a format-1 file where this key's entry goes is replaced
        Files.copy(old, entry(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        EngineCache.Loaded<String> replaced = EngineCache.obtain(MODEL, KEY, build, loader);
        assertThat(replaced.origin()).isEqualTo(TensorRtEngine.Origin.BUILT);
        assertThat(replaced.detail()).contains("is unusable (engine file format 1");
        assertThat(EngineCache.obtain(MODEL, KEY, build, loader).origin()).isEqualTo(TensorRtEngine.Origin.CACHE);
    }

    @Test
    void aFailedBuildLeavesNoEntry() throws Exception {
        assertThatThrownBy(() -> EngineCache.obtain(MODEL, KEY, () -> {
            throw new ModelException("model squares-640 cannot be parsed");
        }, loader)).isInstanceOf(ModelException.class);
        assertThat(Files.exists(entry())).isFalse();
    }

    @Test
    void aFreshPlanTheLoaderRejectsIsAModelErrorAndIsNotCached() {
        assertThatThrownBy(() -> EngineCache.obtain(MODEL, KEY, build, plan -> {
            throw new EngineFile.UnusableException("the engine's output shape is [-1, 7, 8400]");
        })).isInstanceOf(ModelException.class).hasMessageContaining("squares-640").hasMessageContaining("[-1, 7, 8400]");
        assertThat(Files.exists(entry())).isFalse();
    }

    @Test
    void anUnusableCacheDirectoryStillBuilds() throws Exception {
        Path notADirectory = Files.writeString(cache.resolve("file"), "x");
        System.setProperty("vxflow.cache.dir", notADirectory.resolve("sub").toString());
        EngineCache.Loaded<String> loaded = EngineCache.obtain(MODEL, KEY, build, loader);
        assertThat(loaded.origin()).isEqualTo(TensorRtEngine.Origin.BUILT);
        assertThat(loaded.detail()).contains("engine cache unavailable");
    }

    private Path entry() {
        return cache.resolve("engines").resolve(KEY.fileName(MODEL.name()));
    }

    private static EngineKey key(int maxBatch) {
        return new EngineKey(MODEL.sha256(), 100600, 26, "NVIDIA H200", 9, 0, Precision.FP16, maxBatch, TensorDataType.FLOAT16,
                EngineKeyTest.settings(Precision.FP16, maxBatch));
    }
}
