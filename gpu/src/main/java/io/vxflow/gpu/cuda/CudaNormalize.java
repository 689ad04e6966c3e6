package io.vxflow.gpu.cuda;

import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.DeviceImage;
import io.vxflow.gpu.ops.NormalizeSpec;

/**
 * Normalize on the GPU: RGB24 to planar {@code [3][H][W]} float32 or float16, written straight into
 * one item of a batch tensor; {@code byte * scale[c] + bias[c]} as {@link
 * io.vxflow.gpu.cpu.CpuNormalize}. Tolerance against the CPU reference: 0 in fp32 (same operations),
 * fp16 values are the fp32 value rounded to nearest half. Also offers the fused resize + pad +
 * normalize pass ({@link #runFused}), which gives the same values without the two intermediate
 * images. Enqueues only.
 */
public final class CudaNormalize {
    private final CudaKernel kernel;
    private final CudaKernel fused;
    private final float[] scale;
    private final float[] bias;
    private final int[] source;
    private final int padValue;

    public CudaNormalize(KernelModule module, NormalizeSpec spec, int padValue) {
        this.kernel = module.kernel("vx_normalize");
        this.fused = module.kernel("vx_letterbox_normalize");
        this.scale = spec.scale();
        this.bias = spec.bias();
        this.source = new int[] {spec.source(0), spec.source(1), spec.source(2)};
        this.padValue = padValue;
    }

    /** @param dst device address of the tensor item ({@code 3*W*H} elements) */
    public void run(GpuContext ctx, DeviceImage canvas, long dst, boolean half) {
        int w = canvas.width(), h = canvas.height();
        kernel.ptr(canvas.plane(0)).i32(canvas.pitch(0)).i32(w).i32(h).ptr(dst).i32(half ? 1 : 0);
        constants(kernel);
        kernel.launch(ctx, CudaKernel.blocks(w, Kernels.BX), CudaKernel.blocks(h, Kernels.BY), 1, Kernels.BX, Kernels.BY, 0);
    }

    /** Resize, letterbox and normalize a decoded frame into a tensor item in one pass. */
    public void runFused(GpuContext ctx, DeviceImage frame, ColorSpec color, LetterboxGeometry g, long dst, boolean half) {
        int w = g.dstWidth(), h = g.dstHeight();
        Kernels.yuvArgs(fused, frame).i32(frame.width()).i32(frame.height()).i32(g.contentWidth()).i32(g.contentHeight())
                .i32(w).i32(h).i32(g.padX()).i32(g.padY()).i32(padValue).ptr(dst).i32(half ? 1 : 0);
        Kernels.colorArgs(fused, color);
        constants(fused);
        fused.launch(ctx, CudaKernel.blocks(w, Kernels.BX), CudaKernel.blocks(h, Kernels.BY), 1, Kernels.BX, Kernels.BY, 0);
    }

    private void constants(CudaKernel k) {
        k.f32(scale[0]).f32(scale[1]).f32(scale[2]).f32(bias[0]).f32(bias[1]).f32(bias[2]).i32(source[0]).i32(source[1]).i32(source[2]);
    }
}
