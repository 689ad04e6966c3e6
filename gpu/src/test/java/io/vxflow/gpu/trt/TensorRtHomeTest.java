package io.vxflow.gpu.trt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A system TensorRT's home, checked on fake installations (empty files and symbolic links laid out as
 * NVIDIA's tar and packages lay them out): what is accepted, the one-line refusals, and the JavaCPP
 * properties that load it. Nothing here loads a library; {@code SystemTensorRtGpuTest} does, on the
 * GPU machine.
 */
class TensorRtHomeTest {
    @TempDir
    Path dir;

    /** The tar's layout: lib/libnvinfer.so.10 -> libnvinfer.so.10.8.0, and so on. */
    private Path tar(String release, String... libraries) throws IOException {
        Path lib = Files.createDirectories(dir.resolve("TensorRT-" + release + ".43/lib"));
        String major = release.substring(0, release.indexOf('.'));
        for (String name : libraries.length > 0 ? libraries : new String[] {"libnvinfer", "libnvinfer_plugin", "libnvonnxparser"}) {
            Files.createFile(lib.resolve(name + ".so." + release));
            Files.createSymbolicLink(lib.resolve(name + ".so." + major), Path.of(name + ".so." + release));
        }
        return lib.getParent();
    }

    @Test
    void theTarsTopFolderIsAHomeAndItsReleaseIsReadFromTheFileName() throws IOException {
        Path home = tar("10.8.0");
        TensorRtHome.Libraries libs = TensorRtHome.find(home);
        assertThat(libs.directory()).isEqualTo(home.resolve("lib"));
        assertThat(libs.release()).isEqualTo("10.8.0");
        assertThat(TensorRtHome.find(home.resolve("lib")).directory()).isEqualTo(home.resolve("lib"));
    }

    @Test
    void thePackagesLayoutUnderUsrIsAHome() throws IOException {
        Path lib = Files.createDirectories(dir.resolve("usr/lib/x86_64-linux-gnu"));
        for (String l : TensorRtHome.LIBRARIES) {
            Files.createFile(lib.resolve(l));
        }
        TensorRtHome.Libraries libs = TensorRtHome.find(dir.resolve("usr"));
        assertThat(libs.directory()).isEqualTo(lib);
        assertThat(libs.release()).as("no versioned file behind it: known once loaded").isEmpty();
    }

    @Test
    void aMissingFolderIsRefused() {
        assertThatThrownBy(() -> TensorRtHome.find(dir.resolve("nowhere"))).isInstanceOf(TensorRtLibraryException.class)
                .hasMessage("TensorRT home " + dir.resolve("nowhere") + " is not a folder (give the TensorRT tar's top folder, or /usr for"
                        + " NVIDIA's packages)");
    }

    @Test
    void aFolderWithoutTensorRtIsRefused() {
        assertThatThrownBy(() -> TensorRtHome.find(dir)).isInstanceOf(TensorRtLibraryException.class)
                .hasMessage("TensorRT home " + dir + " has no libnvinfer.so.10 in lib/, lib/x86_64-linux-gnu/, lib64/ or itself: not a"
                        + " TensorRT 10 installation (give the TensorRT tar's top folder, or /usr for NVIDIA's packages)");
    }

    @Test
    void anotherMajorVersionIsRefusedByName() throws IOException {
        Path eight = tar("8.6.1");
        assertThatThrownBy(() -> TensorRtHome.find(eight)).isInstanceOf(TensorRtLibraryException.class)
                .hasMessage("TensorRT home " + eight + " holds TensorRT 8 (libnvinfer.so.8), not TensorRT 10: vxflow's TensorRT bindings"
                        + " need libnvinfer.so.10 (TensorRT 10.6 or a newer 10.x)");
        Path eleven = tar("11.0.0");
        assertThatThrownBy(() -> TensorRtHome.find(eleven)).hasMessageContaining("holds TensorRT 11 (libnvinfer.so.11), not TensorRT 10");
    }

    @Test
    void aTensorRt10OlderThanTheBindingsIsRefused() throws IOException {
        Path home = tar("10.4.0");
        assertThatThrownBy(() -> TensorRtHome.find(home)).isInstanceOf(TensorRtLibraryException.class)
                .hasMessage("TensorRT 10.4.0 in " + home.resolve("lib") + " is older than 10.6, the release vxflow's TensorRT bindings"
                        + " (JavaCPP 1.5.11) are built against: install 10.6 or newer");
        assertThat(TensorRtHome.find(tar("10.6.0")).release()).isEqualTo("10.6.0");
    }

    @Test
    void aHomeWithoutTheOnnxParserIsRefusedNamingIt() throws IOException {
        Path home = tar("10.9.0", "libnvinfer", "libnvinfer_plugin");
        assertThatThrownBy(() -> TensorRtHome.find(home)).isInstanceOf(TensorRtLibraryException.class)
                .hasMessage("TensorRT home " + home + ": " + home.resolve("lib") + " has libnvinfer.so.10 but not libnvonnxparser.so.10"
                        + " (NVIDIA's packages: libnvinfer-plugin10, libnvonnxparsers10)");
    }

    @Test
    void theLibrariesAreRegisteredUnderTheNamesJavacppsTensorRtClassesLoadThemBy() {
        // the 1.5.11 presets: nvinfer's link "nvinfer@.10", nvinfer_plugin's "nvinfer_plugin@.10", nvonnxparser's "nvonnxparser@.10"
        assertThat(TensorRtHome.LIBRARIES.stream().map(TensorRtHome::javacppName).toList())
                .containsExactly("nvinfer@.10", "nvinfer_plugin@.10", "nvonnxparser@.10");
        assertThat(org.bytedeco.tensorrt.presets.nvinfer.class.getAnnotation(org.bytedeco.javacpp.annotation.Properties.class).value()[0]
                .link()).contains("nvinfer@.10");
        assertThat(org.bytedeco.tensorrt.presets.nvinfer_plugin.class.getAnnotation(org.bytedeco.javacpp.annotation.Properties.class)
                .value()[0].link()).contains("nvinfer_plugin@.10");
        assertThat(org.bytedeco.tensorrt.presets.nvonnxparser.class.getAnnotation(org.bytedeco.javacpp.annotation.Properties.class)
                .value()[0].link()).contains("nvonnxparser@.10");
        assertThatThrownBy(() -> TensorRtHome.javacppName("libnvinfer.so")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLibraryPathCheckKnowsTheSystemFoldersAndLdLibraryPath() {
        assertThat(TensorRtHome.onLibraryPath(Path.of("/usr/lib/x86_64-linux-gnu"), null)).isTrue();
        assertThat(TensorRtHome.onLibraryPath(Path.of("/opt/trt/lib"), "/tmp/vx/lib:/opt/trt/lib/")).isTrue();
        assertThat(TensorRtHome.onLibraryPath(Path.of("/opt/trt/lib"), "/tmp/vx/lib")).isFalse();
        assertThat(TensorRtHome.onLibraryPath(Path.of("/opt/trt/lib"), null)).isFalse();
    }

    @Test
    void thePropertyWinsOverTheEnvironment() {
        String before = System.getProperty(TensorRtHome.PROPERTY);
        try {
            System.setProperty(TensorRtHome.PROPERTY, "/opt/TensorRT-10.8.0.43");
            assertThat(TensorRtHome.configured()).contains(Path.of("/opt/TensorRT-10.8.0.43"));
            System.clearProperty(TensorRtHome.PROPERTY);
            String env = System.getenv(TensorRtHome.ENV);
            assertThat(TensorRtHome.configured()).isEqualTo(env == null || env.isBlank()
                    ? java.util.Optional.empty() : java.util.Optional.of(Path.of(env)));
        } finally {
            if (before == null) {
                System.clearProperty(TensorRtHome.PROPERTY);
            } else {
                System.setProperty(TensorRtHome.PROPERTY, before);
            }
        }
    }
}
