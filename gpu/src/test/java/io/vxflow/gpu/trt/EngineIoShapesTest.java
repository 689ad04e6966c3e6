package io.vxflow.gpu.trt;

import static io.vxflow.gpu.trt.EngineKeyTest.DYNAMIC;
import static io.vxflow.gpu.trt.EngineKeyTest.FIXED;
import static io.vxflow.gpu.trt.EngineKeyTest.H200;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vxflow.gpu.infer.ModelInfo;
import org.junit.jupiter.api.Test;

/** The shapes a built engine may come back with, read without TensorRT. */
class EngineIoShapesTest {
    private static long[] in(long batch, ModelInfo m) {
        return new long[] {batch, 3, m.inputHeight(), m.inputWidth()};
    }

    private static long[] out(long batch, ModelInfo m) {
        return new long[] {batch, m.outputSize()};
    }

    private static EngineKey key(ModelInfo m, int maxBatch) {
        return EngineKey.of(m, H200, Precision.FP32, maxBatch, 100600, 26);
    }

    @Test
    void aDynamicBatchStaysDynamic() throws Exception {
        assertThat(EngineIo.checkShapes(in(-1, DYNAMIC), out(-1, DYNAMIC), DYNAMIC, key(DYNAMIC, 8))).isTrue();
        assertThat(EngineIo.checkShapes(in(-1, DYNAMIC), out(-1, DYNAMIC), DYNAMIC, key(DYNAMIC, 1))).isTrue();
    }

    /** What SystemTensorRtGpuTest found on the H200 (TensorRT 10.6): max batch 1 came back as [1, 3, 640, 640]. */
    @Test
    void aDynamicModelBuiltForOneBatchSizeIsAFixedBatchEngineOfThatSize() throws Exception {
        assertThat(EngineIo.checkShapes(in(1, DYNAMIC), out(1, DYNAMIC), DYNAMIC, key(DYNAMIC, 1))).isFalse();
    }

    @Test
    void aFixedBatchThatIsNotTheProfilesOnlySizeIsRefused() {
        assertThatThrownBy(() -> EngineIo.checkShapes(in(1, DYNAMIC), out(1, DYNAMIC), DYNAMIC, key(DYNAMIC, 8)))
                .isInstanceOf(EngineFile.UnusableException.class).hasMessageContaining("input shape is [1, 3");
        assertThatThrownBy(() -> EngineIo.checkShapes(in(1, DYNAMIC), out(-1, DYNAMIC), DYNAMIC, key(DYNAMIC, 1)))
                .isInstanceOf(EngineFile.UnusableException.class).hasMessageContaining("output shape");
    }

    @Test
    void aFixedBatchModelKeepsItsBatch() throws Exception {
        assertThat(EngineIo.checkShapes(in(FIXED.fixedBatch(), FIXED), out(FIXED.fixedBatch(), FIXED), FIXED, key(FIXED, FIXED.fixedBatch())))
                .isFalse();
        assertThatThrownBy(() -> EngineIo.checkShapes(in(-1, FIXED), out(-1, FIXED), FIXED, key(FIXED, FIXED.fixedBatch())))
                .isInstanceOf(EngineFile.UnusableException.class);
    }
}
