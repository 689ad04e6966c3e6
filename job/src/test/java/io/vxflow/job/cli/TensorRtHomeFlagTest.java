package io.vxflow.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code --tensorrt-home DIR} on the commands that load TensorRT in their own JVM: listed in their
 * help, and a home vxflow cannot use is refused with one line before anything else runs (so on this
 * machine, without a GPU, too). Loading a real system TensorRT is {@code SystemTensorRtGpuTest}'s job.
 */
class TensorRtHomeFlagTest {
    private final StringWriter err = new StringWriter();
    private final StringWriter out = new StringWriter();

    @TempDir
    Path dir;

    private int run(String... args) {
        CommandLine cmd = Vxflow.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "demo", "bench", "engine"})
    void theCommandsThatLoadTensorRtHaveTheFlag(String command) {
        assertThat(run(command, "--help")).isZero();
        assertThat(out.toString()).contains("--tensorrt-home=DIR").contains("VXFLOW_TENSORRT_HOME");
    }

    @Test
    void aMissingHomeIsOneLine() {
        Path nowhere = dir.resolve("TensorRT-10.8.0.43");
        assertThat(run("engine", "build", "--model", "squares", "--tensorrt-home", nowhere.toString())).isEqualTo(2);
        assertThat(err.toString().lines().toList()).containsExactly("vxflow engine: TensorRT home " + nowhere + " is not a folder (give the"
                + " TensorRT tar's top folder, or /usr for NVIDIA's packages)");
    }

    @Test
    void aHomeWithoutTensorRt10IsOneLine() throws IOException {
        assertThat(run("bench", "ops", "--tensorrt-home", dir.toString())).isEqualTo(2);
        assertThat(err.toString().lines().toList()).containsExactly("vxflow bench: TensorRT home " + dir + " has no libnvinfer.so.10 in lib/,"
                + " lib/x86_64-linux-gnu/, lib64/ or itself: not a TensorRT 10 installation (give the TensorRT tar's top folder, or /usr for"
                + " NVIDIA's packages)");
    }

    @Test
    void anotherMajorVersionIsOneLine() throws IOException {
        Path lib = Files.createDirectories(dir.resolve("TensorRT-11.0.0.12/lib"));
        Files.createFile(lib.resolve("libnvinfer.so.11.0.0"));
        Files.createSymbolicLink(lib.resolve("libnvinfer.so.11"), Path.of("libnvinfer.so.11.0.0"));
        Path home = lib.getParent();
        assertThat(run("demo", "--streams", "1", "--tensorrt-home", home.toString())).isEqualTo(2);
        assertThat(err.toString().lines().toList()).containsExactly("vxflow demo: TensorRT home " + home + " holds TensorRT 11"
                + " (libnvinfer.so.11), not TensorRT 10: vxflow's TensorRT bindings need libnvinfer.so.10 (TensorRT 10.6 or a newer 10.x)");
        err.getBuffer().setLength(0);
        assertThat(run("run", "--bootstrap", "localhost:9092", "--model", "squares", "--tensorrt-home", home.toString())).isEqualTo(2);
        assertThat(err.toString().lines().toList()).hasSize(1).first().asString().startsWith("vxflow run: TensorRT home " + home + " holds");
    }
}
