package io.vxflow.gpu.decode;

import static org.assertj.core.api.Assertions.fail;
import static org.bytedeco.cuda.global.cudart.*;

import io.vxflow.gpu.cuda.Cuda;
import io.vxflow.gpu.cuda.GpuContext;
import io.vxflow.gpu.image.DeviceImage;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.Image;
import io.vxflow.gpu.image.PixelFormat;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.bytedeco.cuda.cudart.CUDA_MEMCPY2D_v2;
import org.bytedeco.javacpp.BytePointer;

/**
 * A decoded 4:2:0 picture reduced to its sample values (Y, U, V planes, tightly packed, 10-bit
 * samples as 0..1023 whatever the layout), so NV12 from NVDEC, I420 from FFmpeg's software decoder
 * and uploaded fallback frames compare sample for sample. Device images are copied to the host with
 * one cuMemcpy2DAsync per plane on the slot's stream, then the stream is synchronized: test code only.
 */
record DecodedPicture(long pts, PixelFormat format, int width, int height, short[][] planes) {

    /** Copies a decoded frame (host or device) into a picture; does not release it. */
    static DecodedPicture of(GpuContext gpu, DecodedFrame frame) {
        Image image = frame.image();
        if (image instanceof DeviceImage d) {
            return fromDevice(gpu, frame.ptsMicros(), d);
        }
        return fromHost(frame.ptsMicros(), (HostImage) image);
    }

    static DecodedPicture fromHost(long pts, HostImage image) {
        byte[][] raw = new byte[image.format().planes()][];
        int[] rowBytes = rowBytes(image.format(), image.width());
        for (int i = 0; i < raw.length; i++) {
            int rows = rows(i, image.height());
            raw[i] = new byte[rows * rowBytes[i]];
            ByteBuffer plane = image.plane(i);
            for (int r = 0; r < rows; r++) {
                for (int b = 0; b < rowBytes[i]; b++) {
                    raw[i][r * rowBytes[i] + b] = plane.get(r * image.stride(i) + b);
                }
            }
        }
        return new DecodedPicture(pts, image.format(), image.width(), image.height(), samples(image.format(), image.width(), image.height(), raw));
    }

    static DecodedPicture fromDevice(GpuContext gpu, long pts, DeviceImage image) {
        int[] rowBytes = rowBytes(image.format(), image.width());
        byte[][] raw = new byte[image.format().planes()][];
        BytePointer[] host = new BytePointer[raw.length];
        try (CUDA_MEMCPY2D_v2 copy = new CUDA_MEMCPY2D_v2()) {
            for (int i = 0; i < raw.length; i++) {
                int rows = rows(i, image.height());
                host[i] = new BytePointer((long) rows * rowBytes[i]);
                copy.srcXInBytes(0).srcY(0).srcMemoryType(CU_MEMORYTYPE_DEVICE).srcHost(null).srcDevice(image.plane(i)).srcArray(null)
                        .srcPitch(image.pitch(i));
                copy.dstXInBytes(0).dstY(0).dstMemoryType(CU_MEMORYTYPE_HOST).dstHost(host[i]).dstDevice(0).dstArray(null)
                        .dstPitch(rowBytes[i]);
                copy.WidthInBytes(rowBytes[i]).Height(rows);
                gpu.makeCurrent();
                Cuda.check(cuMemcpy2DAsync(copy, gpu.stream()), "cuMemcpy2DAsync (test copy of plane " + i + ")");
            }
            gpu.synchronize();
        }
        for (int i = 0; i < raw.length; i++) {
            raw[i] = new byte[(int) host[i].capacity()];
            host[i].get(raw[i]);
            host[i].close();
        }
        return new DecodedPicture(pts, image.format(), image.width(), image.height(), samples(image.format(), image.width(), image.height(), raw));
    }

    private static int rows(int plane, int height) {
        return plane == 0 ? height : (height + 1) / 2;
    }

    private static int[] rowBytes(PixelFormat format, int width) {
        int bps = format.bytesPerSample();
        int cw = (width + 1) / 2;
        return format.planes() == 2 ? new int[] {width * bps, cw * 2 * bps} : new int[] {width * bps, cw * bps, cw * bps};
    }

    /** Y, U, V sample values from the raw rows of any of the four layouts. */
    private static short[][] samples(PixelFormat format, int width, int height, byte[][] raw) {
        int cw = (width + 1) / 2, ch = (height + 1) / 2;
        short[][] out = {new short[width * height], new short[cw * ch], new short[cw * ch]};
        read(format, raw[0], out[0], 0, 1);
        if (format.planes() == 3) {
            read(format, raw[1], out[1], 0, 1);
            read(format, raw[2], out[2], 0, 1);
        } else {
            read(format, raw[1], out[1], 0, 2);
            read(format, raw[1], out[2], 1, 2);
        }
        return out;
    }

    /** Every {@code step}-th sample from {@code first}: 8-bit as is, P010 >> 6, I420_10 low 10 bits. */
    private static void read(PixelFormat format, byte[] raw, short[] out, int first, int step) {
        int bps = format.bytesPerSample();
        for (int s = 0; s < out.length; s++) {
            int at = (first + s * step) * bps;
            int v = bps == 1 ? raw[at] & 0xFF : (raw[at] & 0xFF) | (raw[at + 1] & 0xFF) << 8;
            if (format == PixelFormat.P010) {
                v >>>= 6;
            } else if (format == PixelFormat.I420_10) {
                v &= 0x3FF;
            }
            out[s] = (short) v;
        }
    }

    /** A short fingerprint of the samples, for comparing many frames without keeping them. */
    long digest() {
        long h = 17;
        for (short[] p : planes) {
            h = h * 1_000_003L + Arrays.hashCode(p);
        }
        return (h * 31 + width) * 31 + height;
    }

    /** Fails, naming the frame, plane and first differing sample, unless every sample is equal. */
    void assertSameSamples(DecodedPicture expected, String what) {
        if (width != expected.width || height != expected.height) {
            fail("%s at pts %d: %dx%d, expected %dx%d", what, pts, width, height, expected.width, expected.height);
        }
        String[] names = {"Y", "U", "V"};
        for (int p = 0; p < 3; p++) {
            int at = Arrays.mismatch(planes[p], expected.planes[p]);
            if (at >= 0) {
                int w = p == 0 ? width : (width + 1) / 2;
                fail("%s at pts %d: %s sample (%d, %d) is %d, expected %d (%s vs %s)", what, pts, names[p], at % w, at / w,
                        planes[p][at], expected.planes[p][at], format, expected.format);
            }
        }
    }
}
