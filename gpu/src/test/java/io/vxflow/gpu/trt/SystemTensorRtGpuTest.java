package io.vxflow.gpu.trt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vxflow.gpu.testing.GpuTest;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TensorRT from a system home, loaded the way {@code --tensorrt-home} loads it, in a fresh JVM each
 * ({@link SystemTensorRtProbe}: JavaCPP's loader state is per process). The home is {@code
 * -Dvxflow.test.tensorrt-home}, else {@code $VXFLOW_TENSORRT_HOME}, else the first folder on
 * {@code LD_LIBRARY_PATH} with a {@code libnvinfer.so.10} (on the GPU machine: the pack's {@code
 * /tmp/vx/lib}, TensorRT 10.6 from JavaCPP's redist jar, which is what every device run has loaded).
 * On a Blackwell machine with TensorRT 10.8+ installed, point the property at it: this is then the
 * test that the bindings built against 10.6 run a newer 10.x.
 */
@GpuTest
class SystemTensorRtGpuTest {
    private static final Pattern DIFF = Pattern.compile("max \\|TensorRT - ONNX Runtime\\| = ([0-9.]+|Infinity)");

    @TempDir
    Path cache;

    @Test
    void theHomesTensorRtLoadsAloneAndRunsAnEngineItBuilt() throws Exception {
        Path home = home();
        Path dir = TensorRtHome.find(home).directory().toRealPath();
        List<String> out = probe(home.toString(), "engine");
        System.out.println(String.join("\n", out));
        assertThat(out).anySatisfy(l -> assertThat(l).startsWith("loaded 10.").contains(" from " + dir + "/libnvinfer.so"));
        assertThat(out).as("one libnvinfer in the process, the home's").anySatisfy(l -> assertThat(l)
                .startsWith("libnvinfer files mapped: [" + dir + "/libnvinfer.so").doesNotContain(","));
        String engine = out.stream().filter(l -> l.startsWith("engine FP32")).findFirst().orElseThrow(() -> new AssertionError(
                "no engine line in the probe's output:\n" + String.join("\n", out)));
        assertThat(engine).contains("BUILT");
        Matcher m = DIFF.matcher(engine);
        assertThat(m.find()).isTrue();
        // as TensorRtEngineGpuTest compares: every score within 1e-3, boxes within 1e-3 where a class scores
        assertThat(out).as("fp32 engine vs ONNX Runtime").contains("fp32 comparison: MATCHES within TensorRtEngineGpuTest's tolerances");
        assertThat(out).noneMatch(l -> l.startsWith("key mismatch"));
    }

    @Test
    void withoutAHomeTheLibraryPathsTensorRtIsTheOneLoaded() throws Exception {
        Optional<Path> onPath = onLibraryPath();
        assumeTrue(onPath.isPresent(), "no libnvinfer.so.10 on LD_LIBRARY_PATH (the GPU machine's pack puts one there with --trt)");
        List<String> out = probe("-");
        System.out.println(String.join("\n", out));
        assertThat(out).anySatisfy(l -> assertThat(l).startsWith("loaded 10.").contains(" from " + onPath.get().toRealPath() + "/libnvinfer.so"));
    }

    private List<String> probe(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dvxflow.cache.dir=" + cache, "-cp", System.getProperty("java.class.path"), SystemTensorRtProbe.class.getName()));
        cmd.addAll(List.of(args));
        Path log = cache.resolve("probe.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the probe ran past 300 s:\n" + Files.readString(log));
        }
        List<String> out = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("probe exit code; its output:\n%s", String.join("\n", out)).isZero();
        return out;
    }

    private static Path home() {
        String given = System.getProperty("vxflow.test.tensorrt-home", System.getenv(TensorRtHome.ENV));
        if (given != null && !given.isBlank()) {
            return Path.of(given);
        }
        Optional<Path> onPath = onLibraryPath();
        assumeTrue(onPath.isPresent(), "no TensorRT home: set -Dvxflow.test.tensorrt-home or " + TensorRtHome.ENV
                + ", or put a TensorRT 10 lib folder on LD_LIBRARY_PATH");
        return onPath.get();
    }

    private static Optional<Path> onLibraryPath() {
        String path = System.getenv("LD_LIBRARY_PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String entry : path.split(File.pathSeparator)) {
            if (!entry.isBlank() && Files.exists(Path.of(entry, "libnvinfer.so.10"))) {
                return Optional.of(Path.of(entry));
            }
        }
        return Optional.empty();
    }
}
