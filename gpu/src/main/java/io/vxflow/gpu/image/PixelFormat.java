package io.vxflow.gpu.image;

/**
 * Pixel layouts that travel through the chain. YUV layouts are 4:2:0; 10-bit layouts keep each
 * sample in 16 bits, most significant bits first as FFmpeg and NVDEC write them.
 */
public enum PixelFormat {
    /** Y plane, then one interleaved U/V plane at half resolution; 8 bits. What NVDEC writes. */
    NV12(2, false, true),
    /** Y, U, V planes, chroma at half resolution; 8 bits. What FFmpeg's software decoders write. */
    I420(3, false, true),
    /** NV12 with 16-bit samples holding 10 significant bits in the high bits. */
    P010(2, true, true),
    /** I420 with 16-bit little-endian samples holding 10 bits in the low bits (FFmpeg yuv420p10le). */
    I420_10(3, true, true),
    /** Packed R, G, B bytes. */
    RGB24(1, false, false);

    private final int planes;
    private final boolean tenBit;
    private final boolean yuv;

    PixelFormat(int planes, boolean tenBit, boolean yuv) {
        this.planes = planes;
        this.tenBit = tenBit;
        this.yuv = yuv;
    }

    public int planes() {
        return planes;
    }

    public boolean isTenBit() {
        return tenBit;
    }

    public boolean isYuv() {
        return yuv;
    }

    /** Bytes per sample in the luma plane. */
    public int bytesPerSample() {
        return tenBit ? 2 : 1;
    }
}
