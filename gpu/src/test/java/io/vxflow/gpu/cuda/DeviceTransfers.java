package io.vxflow.gpu.cuda;

import static org.bytedeco.cuda.global.cudart.*;

import io.vxflow.gpu.image.DeviceImage;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.PixelFormat;
import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;

/** Test-only uploads and downloads between host images and device buffers of a context. */
final class DeviceTransfers {
    private DeviceTransfers() {}

    static DeviceImage upload(GpuContext ctx, HostImage img) {
        return HostUploads.upload(ctx, img);
    }

    static DeviceImage rgb(GpuContext ctx, int w, int h) {
        DeviceBuffer b = ctx.allocate(3L * w * h, "test rgb");
        Cuda.check(cuMemsetD8(b.address(), (byte) 0, b.size()), "cuMemsetD8");
        return new DeviceImage(PixelFormat.RGB24, w, h, new long[] {b.address()}, new int[] {3 * w});
    }

    static byte[] download(GpuContext ctx, long device, long bytes) {
        ctx.synchronize();
        byte[] out = new byte[(int) bytes];
        try (BytePointer host = new BytePointer(bytes)) {
            Cuda.check(cuMemcpyDtoH(host, device, bytes), "cuMemcpyDtoH");
            host.get(out);
        }
        return out;
    }

    static float[] downloadFloats(GpuContext ctx, long device, int count) {
        ByteBuffer b = ByteBuffer.wrap(download(ctx, device, 4L * count)).order(java.nio.ByteOrder.nativeOrder());
        float[] out = new float[count];
        b.asFloatBuffer().get(out);
        return out;
    }

    static void uploadFloats(GpuContext ctx, long device, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(java.nio.ByteOrder.nativeOrder());
        b.asFloatBuffer().put(values);
        try (BytePointer host = new BytePointer(b.array())) {
            Cuda.check(cuMemcpyHtoD(device, host, 4L * values.length), "cuMemcpyHtoD");
        }
    }

    static HostImage rgbHost(byte[] rgb, int w, int h) {
        return new HostImage(PixelFormat.RGB24, w, h, new ByteBuffer[] {ByteBuffer.wrap(rgb)}, new int[] {3 * w});
    }

    static HostImage toNv12(HostImage i420) {
        return HostUploads.toNv12(i420);
    }
}
