package io.vxflow.gpu.cuda;

import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.DeviceImage;
import io.vxflow.gpu.image.PixelFormat;

/** Shared argument conventions of the kernels in {@code vxflow_kernels.cu}. */
final class Kernels {
    static final String SOURCE = "/io/vxflow/gpu/cuda/vxflow_kernels.cu";
    /** 2D launches: 32 x 8 threads. */
    static final int BX = 32;
    static final int BY = 8;
    /** Candidates an image may have before NMS (MAX_CANDIDATES in the source). */
    static final int MAX_CANDIDATES = 4096;
    /** Detections NMS can keep per image (the kept[] array in the source). */
    static final int MAX_DETECTIONS = 256;
    static final int DET_FIELDS = 6;

    private Kernels() {}

    /** The kernels' format code of a YUV layout. */
    static int formatCode(PixelFormat f) {
        switch (f) {
            case NV12:
                return 0;
            case I420:
                return 1;
            case P010:
                return 2;
            case I420_10:
                return 3;
            default:
                throw new IllegalArgumentException("not a YUV 4:2:0 layout: " + f);
        }
    }

    /** Appends the three plane pointers and pitches, then the format code, of a YUV image. */
    static CudaKernel yuvArgs(CudaKernel k, DeviceImage src) {
        PixelFormat f = src.format();
        long p2 = f.planes() == 3 ? src.plane(2) : 0;
        int pitch2 = f.planes() == 3 ? src.pitch(2) : 0;
        return k.ptr(src.plane(0)).ptr(src.plane(1)).ptr(p2).i32(src.pitch(0)).i32(src.pitch(1)).i32(pitch2).i32(formatCode(f));
    }

    /** Appends the six colour coefficients. */
    static CudaKernel colorArgs(CudaKernel k, ColorSpec color) {
        float[] c = color.coefficients();
        return k.f32(c[0]).f32(c[1]).f32(c[2]).f32(c[3]).f32(c[4]).f32(c[5]);
    }
}
