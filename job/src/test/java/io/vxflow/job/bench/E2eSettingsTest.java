package io.vxflow.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The job's command line for each kind of run. */
class E2eSettingsTest {
    private final E2eSettings.Pipeline gpu = new E2eSettings.Pipeline("squares", "gpu", "nvdec", null, 16, 5L, "fp16",
            Map.of("vxflow.detect.iou", "0.5"));

    @Test
    void theMainRunPassesWhatWasGiven() {
        assertThat(gpu.runFlags(16)).containsExactly("--model", "squares", "--backend", "gpu", "--parallelism", "16", "--batch", "16",
                "--max-wait-ms", "5", "--precision", "fp16", "-Dvxflow.detect.iou=0.5");
        assertThat(new E2eSettings.Pipeline("m.onnx", "cpu", "cpu", null, null, null, null, Map.of()).runFlags(2))
                .as("the job's own defaults where nothing was given").containsExactly("--model", "m.onnx", "--backend", "cpu", "--parallelism", "2");
    }

    @Test
    void theConventionalPipelineDecodesOnTheCpu() {
        assertThat(gpu.withDecode("cpu").runFlags(16)).contains("--backend", "gpu").contains("-Dvxflow.decode.engine=cpu", "-Dvxflow.detect.iou=0.5");
        assertThat(gpu.onCpu().runFlags(16)).contains("--backend", "cpu").doesNotContain("-Dvxflow.decode.engine=cpu");
    }

    @Test
    void slotsDefaultToOnePerCoreAndAtMostOnePerStream() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(gpu.slotsFor(1)).isEqualTo(1);
        assertThat(gpu.slotsFor(1000)).isEqualTo(cores);
        assertThat(new E2eSettings.Pipeline("squares", "gpu", "nvdec", 32, null, null, null, Map.of()).slotsFor(4)).isEqualTo(32);
    }
}
