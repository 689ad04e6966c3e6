package io.vxflow.gpu.cuda;

import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.DeviceImage;

/**
 * Batched ROI crop-resize on the GPU: every detection of a frame, read from device memory (boxes and
 * count as {@link CudaYoloPostprocess} leaves them), sampled into a {@code size x size} RGB24
 * thumbnail, thumbnail {@code d} at rows {@code d*size}. The convention of {@link
 * io.vxflow.gpu.cpu.CpuCropResize}; same tolerance as {@link CudaResize}. Enqueues only: the host
 * never learns how many boxes there are before the results are read.
 */
public final class CudaCrop {
    private final CudaKernel kernel;
    private final int size;
    private final int maxCrops;

    public CudaCrop(KernelModule module, int size, int maxCrops) {
        this.kernel = module.kernel("vx_crop");
        this.size = size;
        this.maxCrops = maxCrops;
    }

    public void run(GpuContext ctx, DeviceImage frame, ColorSpec color, long detections, long detectionCount, long crops) {
        Kernels.yuvArgs(kernel, frame).i32(frame.width()).i32(frame.height()).ptr(detections).ptr(detectionCount).i32(size)
                .i32(maxCrops).ptr(crops);
        Kernels.colorArgs(kernel, color);
        kernel.launch(ctx, CudaKernel.blocks(size * size, 256), maxCrops, 1, 256, 1, 0);
    }

    public int size() {
        return size;
    }

    public int maxCrops() {
        return maxCrops;
    }
}
