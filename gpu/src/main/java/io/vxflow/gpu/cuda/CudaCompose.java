package io.vxflow.gpu.cuda;

import io.vxflow.gpu.geometry.Rect;
import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.DeviceImage;
import io.vxflow.gpu.ops.BoxPalette;

/**
 * Compose on the GPU: a frame resized into a tile of an RGB24 canvas (a mosaic of many streams, or
 * one annotated frame), then its detections outlined in their class colours, boxes read from device
 * memory. The convention of {@link io.vxflow.gpu.cpu.CpuCompose}. Owns the palette's device copy.
 * Enqueues only.
 */
public final class CudaCompose implements AutoCloseable {
    private final CudaResize resize;
    private final CudaKernel draw;
    private final DeviceBuffer palette;
    private final int thickness;

    public CudaCompose(GpuContext ctx, KernelModule module, int thickness) {
        this.resize = new CudaResize(module);
        this.draw = module.kernel("vx_draw_boxes");
        this.thickness = thickness;
        this.palette = ctx.allocate((long) BoxPalette.size() * Integer.BYTES, "box palette");
        PinnedBuffer host = ctx.allocatePinned((long) BoxPalette.size() * Integer.BYTES);
        for (int c = 0; c < BoxPalette.size(); c++) {
            host.view().putInt(c * Integer.BYTES, BoxPalette.rgb(c));
        }
        ctx.copyToDeviceAsync(palette.address(), host.pointer(), palette.size());
        ctx.synchronize();
        host.close();
    }

    public void run(GpuContext ctx, DeviceImage frame, ColorSpec color, long detections, long detectionCount, DeviceImage canvas,
            int tx, int ty, int tw, int th) {
        resize.run(ctx, frame, color, Rect.ofSize(frame.width(), frame.height()), canvas, tx, ty, tw, th);
        float sx = (float) tw / frame.width(), sy = (float) th / frame.height();
        draw.ptr(canvas.plane(0)).i32(canvas.pitch(0)).i32(tx).i32(ty).i32(tw).i32(th).f32(sx).f32(sy).ptr(detections)
                .ptr(detectionCount).i32(thickness).ptr(palette.address()).i32(BoxPalette.size());
        draw.launch(ctx, CudaKernel.blocks(tw, Kernels.BX), CudaKernel.blocks(th, Kernels.BY), 1, Kernels.BX, Kernels.BY, 0);
    }

    @Override
    public void close() {
        palette.close();
    }
}
