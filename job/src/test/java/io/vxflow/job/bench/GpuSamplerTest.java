package io.vxflow.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** nvidia-smi's CSV lines, including fields it cannot report. */
class GpuSamplerTest {

    @Test
    void parsesUtilisationAndMemory() {
        assertThat(GpuSampler.parse(5, "45, 30, 12345")).isEqualTo(new GpuSampler.Sample(5, 45, 30, 12345));
        GpuSampler.Sample partial = GpuSampler.parse(5, "[N/A], 12, 800");
        assertThat(partial.gpuUtil()).isNaN();
        assertThat(partial.decoderUtil()).isEqualTo(12);
    }

    @Test
    void messagesAreNotSamples() {
        assertThat(GpuSampler.parse(5, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.")).isNull();
        assertThat(GpuSampler.parse(5, "[N/A], [N/A], [N/A]")).isNull();
        assertThat(GpuSampler.parse(5, "")).isNull();
    }
}
