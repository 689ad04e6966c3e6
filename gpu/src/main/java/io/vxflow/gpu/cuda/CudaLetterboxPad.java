package io.vxflow.gpu.cuda;

import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.image.DeviceImage;

/**
 * Letterbox on the GPU: the content at the geometry's offset, the borders one grey level. Exact, as
 * {@link io.vxflow.gpu.cpu.CpuLetterboxPad}. RGB24 in and out; enqueues only.
 */
public final class CudaLetterboxPad {
    private final CudaKernel kernel;
    private final int padValue;

    public CudaLetterboxPad(KernelModule module, int padValue) {
        this.kernel = module.kernel("vx_pad");
        this.padValue = padValue;
    }

    public void run(GpuContext ctx, DeviceImage content, LetterboxGeometry g, DeviceImage canvas) {
        int w = g.dstWidth(), h = g.dstHeight();
        kernel.ptr(content.plane(0)).i32(content.pitch(0)).i32(g.contentWidth()).i32(g.contentHeight())
                .ptr(canvas.plane(0)).i32(canvas.pitch(0)).i32(w).i32(h).i32(g.padX()).i32(g.padY()).i32(padValue);
        kernel.launch(ctx, CudaKernel.blocks(w, Kernels.BX), CudaKernel.blocks(h, Kernels.BY), 1, Kernels.BX, Kernels.BY, 0);
    }
}
