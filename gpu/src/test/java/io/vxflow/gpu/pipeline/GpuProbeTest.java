package io.vxflow.gpu.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the probe tells "no NVIDIA GPU" from "a GPU that CUDA cannot use": the kernel driver's view, without CUDA. */
class GpuProbeTest {
    @TempDir
    Path root;

    @Test
    void aMachineWithoutTheNvidiaDriverShowsNoHardware() throws Exception {
        Path dev = Files.createDirectories(root.resolve("dev"));
        Files.createFile(dev.resolve("null"));
        Files.createFile(dev.resolve("nvidiactl")); // control nodes alone are no GPU
        assertThat(GpuProbe.nvidiaHardware(root.resolve("proc/driver/nvidia/gpus"), dev)).isEmpty();
    }

    @Test
    void gpusShownByTheKernelDriverAreListed() throws Exception {
        Path gpus = Files.createDirectories(root.resolve("proc/driver/nvidia/gpus"));
        Files.createDirectories(gpus.resolve("0000:3b:00.0"));
        Path dev = Files.createDirectories(root.resolve("dev"));
        Files.createFile(dev.resolve("nvidia0"));
        Files.createFile(dev.resolve("nvidia-uvm"));
        assertThat(GpuProbe.nvidiaHardware(gpus, dev)).containsExactly(dev.resolve("nvidia0").toString(),
                gpus.resolve("0000:3b:00.0").toString());
    }

    @Test
    void theStateAgreesWithAvailabilityAndTheReasonSaysWhy() {
        GpuProbe.State state = GpuProbe.state();
        assertThat(GpuProbe.available()).isEqualTo(state == GpuProbe.State.AVAILABLE);
        assertThat(GpuProbe.reason()).isNotBlank().doesNotContain("not probed");
        if (state == GpuProbe.State.BROKEN) {
            assertThat(GpuProbe.reason()).startsWith("an NVIDIA GPU is present (").contains("but CUDA cannot use it");
        } else if (state == GpuProbe.State.NO_GPU) {
            assertThat(GpuProbe.reason()).startsWith("no NVIDIA GPU");
            assertThat(GpuProbe.deviceCount()).isZero();
        } else {
            assertThat(GpuProbe.deviceCount()).isPositive();
        }
    }
}
