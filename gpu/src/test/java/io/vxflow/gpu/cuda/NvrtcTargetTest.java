package io.vxflow.gpu.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What NVRTC compiles for a GPU, given the architectures it knows ({@code nvrtcGetSupportedArchs}). */
class NvrtcTargetTest {
    /** NVRTC 12.6's list (the bundled one): up to sm_90. */
    static final int[] NVRTC_12_6 = {50, 52, 53, 60, 61, 62, 70, 72, 75, 80, 86, 87, 89, 90};
    /** NVRTC 12.8's list: Blackwell added. */
    static final int[] NVRTC_12_8 = {50, 52, 53, 60, 61, 62, 70, 72, 75, 80, 86, 87, 89, 90, 100, 101, 120};

    @Test
    void aGpuNvrtcKnowsGetsNativeCode() {
        assertThat(NvrtcTarget.choose(9, 0, NVRTC_12_6)).isEqualTo(new NvrtcTarget(90, false));
        assertThat(NvrtcTarget.choose(9, 0, NVRTC_12_6).option()).isEqualTo("--gpu-architecture=sm_90");
        assertThat(NvrtcTarget.choose(8, 6, NVRTC_12_6).name()).isEqualTo("sm_86");
        assertThat(NvrtcTarget.choose(12, 0, NVRTC_12_8).name()).isEqualTo("sm_120");
    }

    @Test
    void aGpuNewerThanNvrtcGetsPtxForTheNewestArchitectureNvrtcKnows() {
        NvrtcTarget blackwell = NvrtcTarget.choose(12, 0, NVRTC_12_6);
        assertThat(blackwell).isEqualTo(new NvrtcTarget(90, true));
        assertThat(blackwell.option()).isEqualTo("--gpu-architecture=compute_90");
        assertThat(NvrtcTarget.choose(10, 0, NVRTC_12_6).name()).isEqualTo("compute_90");
    }

    @Test
    void ptxIsNeverForAnArchitectureNewerThanTheGpu() {
        // sm_103 with NVRTC 12.8: compute_120's PTX would not run on it, compute_101's does
        assertThat(NvrtcTarget.choose(10, 3, NVRTC_12_8).name()).isEqualTo("compute_101");
        // an architecture between two NVRTC knows (none between 8.9 and 9.0 exists; say 8.8)
        assertThat(NvrtcTarget.choose(8, 8, NVRTC_12_6).name()).isEqualTo("compute_87");
        assertThat(NvrtcTarget.choose(9, 0, new int[] {120, 90, 100})).isEqualTo(new NvrtcTarget(90, false));
    }

    @Test
    void targetsParseFromNvrtcsNames() {
        assertThat(NvrtcTarget.parse("compute_80")).isEqualTo(new NvrtcTarget(80, true));
        assertThat(NvrtcTarget.parse("sm_120")).isEqualTo(new NvrtcTarget(120, false));
        assertThatThrownBy(() -> NvrtcTarget.parse("sm90")).hasMessage("NVRTC target 'sm90' is not sm_NN or compute_NN");
    }

    @Test
    void aGpuOlderThanEveryArchitectureIsRefused() {
        assertThatThrownBy(() -> NvrtcTarget.choose(3, 5, NVRTC_12_6)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("GPU sm_35 is older than every architecture this NVRTC compiles for [50, 52");
    }
}
