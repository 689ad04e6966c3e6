package io.vxflow.gpu.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What runs without a GPU: creating FFmpeg's CUDA device fails with a message that says where and why. */
class NvdecDeviceTest {

    @Test
    void cudaDeviceThatCannotBeCreatedIsReportedWithTheGpuIndexAndFfmpegsError() {
        // no driver here, or no GPU 99 on a GPU machine: FFmpeg fails either way
        assertThatThrownBy(() -> NvdecDevice.createCudaDevice(99))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot create FFmpeg's CUDA device on GPU 99: ")
                .hasMessageMatching(".*: .+ \\(-\\d+\\); .*");
    }

    @Test
    void refusedPrimaryContextIsExplained() {
        assertThat(NvdecDevice.creationFailure(2, -95))
                .contains("GPU 2")
                .contains("scheduling flags other than CU_CTX_SCHED_BLOCKING_SYNC");
    }
}
