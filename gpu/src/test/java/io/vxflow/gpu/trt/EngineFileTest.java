package io.vxflow.gpu.trt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache file format: what it accepts, and that it rejects every kind of damage with a reason. */
class EngineFileTest {
    static final EngineKey KEY = new EngineKey("ab".repeat(32), 100600, 26, "NVIDIA H200", 9, 0, Precision.FP16, 4,
            TensorDataType.FLOAT16, EngineKeyTest.settings(Precision.FP16, 4));

    @TempDir
    Path dir;

    @Test
    void readsBackWhatItWrote() throws Exception {
        byte[] plan = plan(100_000);
        Path file = dir.resolve("m.engine");
        EngineFile.write(file, KEY, plan);
        assertThat(EngineFile.read(file, KEY)).isEqualTo(plan);
        assertThat(EngineFile.readKey(file)).isEqualTo(KEY);
        try (var files = Files.list(dir)) {
            assertThat(files).as("no temporary file left behind").containsExactly(file);
        }
    }

    @Test
    void aSecondWriteReplacesTheFirst() throws Exception {
        Path file = dir.resolve("m.engine");
        EngineFile.write(file, KEY, plan(10));
        byte[] second = plan(20);
        EngineFile.write(file, KEY, second);
        assertThat(EngineFile.read(file, KEY)).isEqualTo(second);
    }

    @Test
    void aMissingFileIsACacheMiss() {
        assertThatThrownBy(() -> EngineFile.read(dir.resolve("none.engine"), KEY)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void aFlippedPlanByteFailsTheChecksum() throws Exception {
        Path file = written(1000);
        flipByte(file, Files.size(file) - 10);
        assertUnusable(file, KEY, "checksum mismatch");
    }

    @Test
    void anotherKeyIsRefusedWithTheFieldsThatDiffer() throws Exception {
        Path file = written(10);
        EngineKey wanted = new EngineKey(KEY.modelSha256(), 100700, 3, "NVIDIA H100", 9, 0, Precision.FP16, 8,
                TensorDataType.FLOAT16, new BuildSettings(64, 2048, 1, 8, java.util.List.of("+FP16", "+SPARSE_WEIGHTS")));
        assertUnusable(file, wanted, "TensorRT 10.6.0.26 instead of 10.7.0.3", "GPU NVIDIA H200 (sm_90) instead of NVIDIA H100",
                "max batch 4 instead of 8", "workspace 64..4096 MiB instead of 64..2048 MiB",
                "optimization profile batch 1..4 (opt 4) instead of batch 1..8 (opt 8)", "builder flags [+FP16] instead of [+FP16, +SPARSE_WEIGHTS]");
    }

    @Test
    void anEngineFileOfTheFormerFormatIsRefusedAsOlder() throws Exception {
        Path file = dir.resolve("old.engine");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            // format 1: the key without the builder settings, then the plan
            out.write(EngineFile.MAGIC);
            out.writeInt(1);
            out.writeUTF(KEY.modelSha256());
            out.writeInt(100600);
            out.writeInt(26);
            out.writeUTF("NVIDIA H200");
            out.writeInt(9);
            out.writeInt(0);
            out.writeUTF("FP16");
            out.writeInt(4);
            out.writeUTF("FLOAT16");
            out.writeLong(3);
            out.write(EngineFile.sha256(new byte[3], 0, 3));
            out.write(new byte[3]);
        }
        Files.write(file, bytes.toByteArray());
        assertUnusable(file, KEY, "engine file format 1, from an older vxflow whose cache key left out the builder settings");
    }

    @Test
    void aForeignFileIsNotAnEngineFile() throws Exception {
        Path file = dir.resolve("x.engine");
        Files.writeString(file, "ir_version: 8 (this is not a plan)");
        assertUnusable(file, KEY, "not a vxflow engine file");
    }

    @Test
    void anotherFormatVersionIsRefused() throws Exception {
        Path file = written(10);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(EngineFile.MAGIC.length);
            f.writeInt(EngineFile.FORMAT_VERSION + 1);
        }
        assertUnusable(file, KEY, "format " + (EngineFile.FORMAT_VERSION + 1));
    }

    @Test
    void truncationAndAppendingAreDetected() throws Exception {
        Path file = written(1000);
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, all.length - 1));
        assertUnusable(file, KEY, "truncated or appended");
        Files.write(file, Arrays.copyOf(all, all.length + 7));
        assertUnusable(file, KEY, "truncated or appended");
        Files.write(file, Arrays.copyOf(all, 30));
        assertUnusable(file, KEY, "truncated header");
    }

    @Test
    void fileNamesAreStableReadableAndDifferPerKey() {
        String name = KEY.fileName("squares-640");
        assertThat(name).matches("squares-640-[0-9a-f]{16}\\.engine").isEqualTo(KEY.fileName("squares-640"));
        assertThat(KEY.fileName("../we ird/name")).startsWith("model.._we_ird_name-").doesNotContain("/", " ");
        EngineKey fp32 = new EngineKey(KEY.modelSha256(), 100600, 26, "NVIDIA H200", 9, 0, Precision.FP32, 4, TensorDataType.FLOAT32,
                EngineKeyTest.settings(Precision.FP32, 4));
        EngineKey otherBuild = new EngineKey(KEY.modelSha256(), 100600, 27, "NVIDIA H200", 9, 0, Precision.FP16, 4,
                TensorDataType.FLOAT16, EngineKeyTest.settings(Precision.FP16, 4));
        assertThat(fp32.fileName("squares-640")).isNotEqualTo(name);
        assertThat(otherBuild.fileName("squares-640")).isNotEqualTo(name);
        assertThat(KEY.canonical()).contains("tensorrt=100600.26", "gpu=NVIDIA H200", "cc=9.0", "precision=FP16", "maxBatch=4",
                "input=FLOAT16", "workspace=64..4096MiB", "profile=batch 1..4 (opt 4)", "flags=+FP16");
        assertThat(KEY.tensorRt()).isEqualTo("10.6.0.26");
    }

    private Path written(int planBytes) throws IOException {
        Path file = dir.resolve("m.engine");
        EngineFile.write(file, KEY, plan(planBytes));
        return file;
    }

    private static byte[] plan(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x40);
        }
    }

    private static void assertUnusable(Path file, EngineKey key, String... reasons) {
        assertThatThrownBy(() -> EngineFile.read(file, key)).isInstanceOf(EngineFile.UnusableException.class)
                .message().contains(reasons);
    }
}
