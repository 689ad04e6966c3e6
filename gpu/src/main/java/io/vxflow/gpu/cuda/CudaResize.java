package io.vxflow.gpu.cuda;

import io.vxflow.gpu.geometry.Rect;
import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.DeviceImage;
import io.vxflow.gpu.image.PixelFormat;

/**
 * YUV 4:2:0 to RGB24 with bilinear resampling on the GPU: a region of a decoded frame into a
 * region of another image. The same sampling convention as {@link io.vxflow.gpu.cpu.CpuResize}
 * (pixel centres aligned, H.264 chroma siting, edge clamping, round half up), computed with the same
 * float32 operations in the same order.
 *
 * <p>Tolerance against the CPU reference: max absolute difference 0 per channel is expected (the
 * kernels are compiled without fused multiply-add); tests allow 1.
 *
 * <p>Limitations: input NV12, I420, P010 or I420_10 (any pitch); output RGB24. Enqueues only.
 */
public final class CudaResize {
    private final CudaKernel kernel;

    public CudaResize(KernelModule module) {
        this.kernel = module.kernel("vx_resize");
    }

    public void run(GpuContext ctx, DeviceImage src, ColorSpec color, Rect roi, DeviceImage dst, int dx, int dy, int dw, int dh) {
        if (dst.format() != PixelFormat.RGB24) {
            throw new IllegalArgumentException("destination must be RGB24, got " + dst.format());
        }
        if (dx < 0 || dy < 0 || dw <= 0 || dh <= 0 || dx + dw > dst.width() || dy + dh > dst.height()) {
            throw new IllegalArgumentException("destination region " + dw + "x" + dh + "+" + dx + "+" + dy + " is outside " + dst);
        }
        Kernels.yuvArgs(kernel, src).i32(src.width()).i32(src.height())
                .f32(roi.x()).f32(roi.y()).f32(roi.w()).f32(roi.h())
                .ptr(dst.plane(0)).i32(dst.pitch(0)).i32(dx).i32(dy).i32(dw).i32(dh);
        Kernels.colorArgs(kernel, color);
        kernel.launch(ctx, CudaKernel.blocks(dw, Kernels.BX), CudaKernel.blocks(dh, Kernels.BY), 1, Kernels.BX, Kernels.BY, 0);
    }
}
