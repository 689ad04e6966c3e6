package io.vxflow.gpu.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.gpu.testing.ClassFileReferences.MethodRef;
import io.vxflow.gpu.testing.CudaMemoryCalls;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Device memory is allocated, freed and copied to or from the host only by {@link GpuContext} and
 * the buffers it owns ({@link DeviceBuffer}, {@link PinnedBuffer}), where {@link MemoryStats}
 * counts it: read from the bytecode of every class of vxflow's GPU module, so a direct {@code
 * cuMemcpy*} or {@code cudaMalloc*} anywhere else (or an FFmpeg hardware-frame transfer, a copy in
 * disguise) fails here, in CI, without a GPU. The other modules are scanned by the job module's
 * {@code DeviceMemoryCallsTest}.
 */
class CudaMemoryCallsTest {
    @Test
    void onlyTheGpuContextAndItsBuffersAllocateFreeOrCopyDeviceMemory() throws Exception {
        Path classes = Path.of(GpuContext.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        CudaMemoryCalls.Scan scan = CudaMemoryCalls.scan(classes);
        assertThat(scan.classes()).as("classes scanned in %s", classes).isGreaterThan(50);
        // the scan sees what it is meant to see: the owners' own calls
        assertThat(scan.ownersCalls()).contains("cuMemAlloc", "cuMemFree", "cuMemAllocHost", "cuMemFreeHost", "cuMemcpyDtoHAsync", "cuMemcpyHtoDAsync");
        assertThat(scan.offenders()).as("device memory calls outside GpuContext and its buffers: route them through GpuContext").isEmpty();
    }

    @Test
    void theCallsItLooksForIncludeArraysAndFfmpegTransfersButNotMemset() {
        String cudart = "org/bytedeco/cuda/global/cudart";
        for (String f : new String[] {"cuMemcpy2DAsync", "cuMemAllocPitch", "cudaMallocAsync", "cuArrayCreate", "cuArray3DCreate", "cuMipmappedArrayCreate",
                "cudaMallocArray", "cuMemHostRegister", "cuMemPoolCreate"}) {
            assertThat(CudaMemoryCalls.isMemoryCall(new MethodRef(cudart, f, "()I"))).as(f).isTrue();
        }
        assertThat(CudaMemoryCalls.isMemoryCall(new MethodRef("org/bytedeco/ffmpeg/global/avutil", "av_hwframe_transfer_data", "()I"))).isTrue();
        for (String f : new String[] {"cuMemsetD8Async", "cuMemGetInfo", "cuStreamSynchronize", "cuLaunchKernel"}) {
            assertThat(CudaMemoryCalls.isMemoryCall(new MethodRef(cudart, f, "()I"))).as(f).isFalse();
        }
        assertThat(CudaMemoryCalls.isMemoryCall(new MethodRef("some/other/Owner", "cuMemAlloc", "()I"))).isFalse();
    }
}
