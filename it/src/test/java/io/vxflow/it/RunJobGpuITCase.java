package io.vxflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.connectors.broker.EmbeddedKafkaBroker;
import io.vxflow.connectors.results.FrameResult;
import io.vxflow.gpu.testing.GpuTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The walking skeleton's end-to-end scenario with {@code --backend gpu} (NVDEC, CUDA kernels,
 * TensorRT fp16): the same results as the CPU backend, frame for frame, boxes within 1.5 px and
 * scores within 0.01.
 */
@GpuTest
class RunJobGpuITCase {

    @Test
    void gpuBackendGivesTheSameResultsAsTheCpuBackend() {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build()) {
            broker.start();
            Map<String, List<FrameResult>> gpu = RunJobITCase.runScenario(broker, "gpu", "gpu");
            RunJobITCase.assertScenario(gpu);
            assertThat(gpu.get("cam-high").get(0).backend()).isEqualTo("gpu");
            assertThat(gpu.get("cam-high").get(0).decoder()).isEqualTo("nvdec");
            Map<String, List<FrameResult>> cpu = RunJobITCase.runScenario(broker, "cpu", "cpu-ref");
            for (String stream : cpu.keySet()) {
                List<FrameResult> c = cpu.get(stream), g = gpu.get(stream);
                assertThat(g).hasSameSizeAs(c);
                for (int i = 0; i < c.size(); i++) {
                    assertSameDetections(c.get(i), g.get(i));
                }
            }
        }
    }

    static void assertSameDetections(FrameResult cpu, FrameResult gpu) {
        assertThat(gpu.pts()).isEqualTo(cpu.pts());
        assertThat(gpu.detections()).as("%s frame %d", cpu.stream(), cpu.frame()).hasSameSizeAs(cpu.detections());
        for (FrameResult.DetectionJson c : cpu.detections()) {
            boolean matched = gpu.detections().stream().anyMatch(g -> g.classId() == c.classId() && Math.abs(g.score() - c.score()) <= 0.01f
                    && Math.abs(g.x1() - c.x1()) <= 1.5f && Math.abs(g.y1() - c.y1()) <= 1.5f && Math.abs(g.x2() - c.x2()) <= 1.5f
                    && Math.abs(g.y2() - c.y2()) <= 1.5f);
            assertThat(matched).as("%s frame %d: %s among %s", cpu.stream(), cpu.frame(), c, gpu.detections()).isTrue();
        }
    }
}
