package io.vxflow.gpu.trt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vxflow.gpu.bench.InferenceParity;
import io.vxflow.gpu.cuda.GpuContext;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.infer.ModelInspector;
import io.vxflow.gpu.testing.GpuTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * CPU backend (ONNX Runtime, fp32) against GPU backend (TensorRT, fp16) on architecture-realistic
 * models with random weights, exported by {@code tools/export_models.py} into {@code
 * $VXFLOW_TEST_MODELS} (the GPU machine has PyTorch; nothing is downloaded). Classifier: top-1 equal on
 * at least 99% of images. Detector, both ways: at least 99% of the CPU's detections scoring 0.3 or more
 * matched one to one by a GPU detection of the same class with IoU at least 0.9 and a score within
 * 0.05, and at least 99% of the GPU's likewise (extra GPU boxes count against it). ResNet-50's engine is
 * built for batch 64, as the benchmark builds it (they share the engine cache); the detector's for 8,
 * which builds in a fraction of the time.
 */
@GpuTest
class ModelParityGpuTest {

    private static Path model(String name) {
        String dir = System.getenv("VXFLOW_TEST_MODELS");
        assumeTrue(dir != null, "set VXFLOW_TEST_MODELS to the folder tools/export_models.py wrote");
        Path p = Path.of(dir, name);
        assumeTrue(Files.isRegularFile(p), p + " is missing: run tools/export_models.py");
        return p;
    }

    @Test
    void resnet50Top1AgreesOnAtLeast99PercentOfImages() {
        ModelInfo m = ModelInspector.inspect(model("resnet50-224.onnx"));
        try (GpuContext ctx = GpuContext.open(0)) {
            InferenceParity.Result r = InferenceParity.run(m, ctx, Precision.FP16, 64, 128, 0.05f);
            System.out.println("resnet50 parity: " + r);
            assertThat(r.compared()).as("images compared").isEqualTo(128);
            assertThat(r.unmatchedCpu()).as("images whose top-1 differs (%s)", r).isLessThanOrEqualTo(r.compared() / 100);
        }
    }

    @Test
    void yoloDetectionsMatchAtIou09() {
        ModelInfo m = ModelInspector.inspect(model("yolov8s-640.onnx"));
        try (GpuContext ctx = GpuContext.open(0)) {
            InferenceParity.Result r = InferenceParity.run(m, ctx, Precision.FP16, 8, 64, 0.05f);
            System.out.println("yolov8s parity: " + r);
            assertThat(r.compared()).as("CPU detections to compare").isPositive();
            assertThat(r.gpuCompared()).as("GPU detections to compare").isPositive();
            assertThat(r.unmatchedCpu()).as("CPU detections the GPU did not reproduce (%s)", r).isLessThanOrEqualTo(r.compared() / 100);
            assertThat(r.unmatchedGpu()).as("GPU detections the CPU does not have (%s)", r).isLessThanOrEqualTo(r.gpuCompared() / 100);
        }
    }
}
