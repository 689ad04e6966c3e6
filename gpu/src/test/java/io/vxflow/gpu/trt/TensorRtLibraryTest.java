package io.vxflow.gpu.trt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What vxflow accepts of a loaded TensorRT (its own version, the file it came from), and how it finds
 * that file in {@code /proc/self/maps}. The check runs on values; {@code SystemTensorRtGpuTest} loads
 * a real library on the GPU machine.
 */
class TensorRtLibraryTest {
    static final String MAPS = """
            7f1c2a000000-7f1c2a200000 r--p 00000000 103:02 4456      /opt/TensorRT-10.8.0.43/lib/libnvinfer_plugin.so.10.8.0
            7f1c30000000-7f1c31000000 r-xp 00200000 103:02 4460      /opt/TensorRT-10.8.0.43/lib/libnvinfer.so.10.8.0
            7f1c31000000-7f1c31200000 r--p 01200000 103:02 4460      /opt/TensorRT-10.8.0.43/lib/libnvinfer.so.10.8.0
            7f1c40000000-7f1c40100000 r-xp 00000000 103:02 9901      /home/u/.javacpp/cache/tensorrt.jar/org/bytedeco/tensorrt/linux-x86_64/libjninvinfer.so
            """;

    @Test
    void theReleaseIsTheLibrarysOwnVersion() {
        TensorRtLibrary lib = new TensorRtLibrary(100800, 43, "/opt/TensorRT-10.8.0.43/lib/libnvinfer.so.10.8.0");
        assertThat(lib.release()).isEqualTo("10.8.0.43");
        assertThat(lib.major()).isEqualTo(10);
        assertThat(lib.minor()).isEqualTo(8);
        assertThat(new TensorRtLibrary(100600, 26, "x").release()).isEqualTo("10.6.0.26");
    }

    @Test
    void theFileComesFromTheProcessMaps() {
        assertThat(TensorRtLibrary.mappedLibrary(MAPS)).contains("/opt/TensorRT-10.8.0.43/lib/libnvinfer.so.10.8.0");
        assertThat(TensorRtLibrary.mappedLibraries(MAPS + "7f1e-7f1f r-xp 0 0:0 0   /root/.javacpp/cache/t.jar/libnvinfer.so.10\n"))
                .containsExactly("/opt/TensorRT-10.8.0.43/lib/libnvinfer.so.10.8.0", "/root/.javacpp/cache/t.jar/libnvinfer.so.10");
        assertThat(TensorRtLibrary.mappedLibrary("7f1c-7f1d r-xp 0 0:0 0   /tmp/vx/lib/libnvinfer.so.10\n")).contains("/tmp/vx/lib/libnvinfer.so.10");
        assertThat(TensorRtLibrary.mappedLibrary(MAPS.lines().filter(l -> !l.contains("libnvinfer.so")).reduce("", (a, b) -> a + b + "\n")))
                .isEmpty();
    }

    @Test
    void anotherMajorVersionIsRefused() {
        assertThatThrownBy(() -> TensorRtLibrary.check(new TensorRtLibrary(110000, 5, "/opt/trt/lib/libnvinfer.so.11.0.0"), null))
                .isInstanceOf(TensorRtLibraryException.class)
                .hasMessage("TensorRT 11.0.0.5 (/opt/trt/lib/libnvinfer.so.11.0.0) is not TensorRT 10: vxflow's TensorRT bindings need"
                        + " TensorRT 10.6 or a newer 10.x");
    }

    @Test
    void anOlderTensorRt10IsRefused() {
        assertThatThrownBy(() -> TensorRtLibrary.check(new TensorRtLibrary(100300, 26, "/usr/lib/x86_64-linux-gnu/libnvinfer.so.10.3.0"), null))
                .isInstanceOf(TensorRtLibraryException.class)
                .hasMessage("TensorRT 10.3.0.26 (/usr/lib/x86_64-linux-gnu/libnvinfer.so.10.3.0) is older than 10.6, the release vxflow's"
                        + " TensorRT bindings (JavaCPP 1.5.11) are built against");
    }

    @Test
    void aCopyFromElsewhereThanTheHomeIsRefused(@TempDir Path dir) throws IOException {
        Path home = Files.createDirectories(dir.resolve("trt/lib"));
        Path file = Files.createFile(home.resolve("libnvinfer.so.10.8.0"));
        TensorRtLibrary.check(new TensorRtLibrary(100800, 43, file.toString()), home);
        TensorRtLibrary.check(new TensorRtLibrary(100800, 43, TensorRtLibrary.UNKNOWN_PATH), home);
        TensorRtLibrary.check(new TensorRtLibrary(100600, 26, "/anywhere/libnvinfer.so.10"), null);
        String redist = "/home/u/.javacpp/cache/tensorrt-10.6-1.5.11-linux-x86_64-redist.jar/org/bytedeco/tensorrt/linux-x86_64/libnvinfer.so.10";
        assertThatThrownBy(() -> TensorRtLibrary.check(new TensorRtLibrary(100600, 26, redist), home))
                .isInstanceOf(TensorRtLibraryException.class)
                .hasMessage("TensorRT 10.6.0.26 was loaded from " + redist + ", not from the TensorRT home's " + home + ": JavaCPP loaded another"
                        + " copy (a TensorRT jar on the class path?); remove it from the class path");
    }
}
