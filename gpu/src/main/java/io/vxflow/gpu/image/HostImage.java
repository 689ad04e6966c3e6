package io.vxflow.gpu.image;

import java.nio.ByteBuffer;

/**
 * An image in host memory: one {@link ByteBuffer} and one stride (bytes per row) per plane. Views
 * over memory owned by someone else (a decoder's frame, a pool): it frees nothing.
 */
public final class HostImage implements Image {
    private final PixelFormat format;
    private final int width;
    private final int height;
    private final ByteBuffer[] planes;
    private final int[] strides;

    public HostImage(PixelFormat format, int width, int height, ByteBuffer[] planes, int[] strides) {
        if (planes.length != format.planes() || strides.length != format.planes()) {
            throw new IllegalArgumentException(format + " needs " + format.planes() + " planes, got " + planes.length);
        }
        this.format = format;
        this.width = width;
        this.height = height;
        this.planes = planes.clone();
        this.strides = strides.clone();
    }

    /** A new packed RGB24 image on the Java heap, stride = 3 * width. */
    public static HostImage allocateRgb(int width, int height) {
        return new HostImage(PixelFormat.RGB24, width, height,
                new ByteBuffer[] {ByteBuffer.allocate(width * height * 3)}, new int[] {width * 3});
    }

    @Override
    public PixelFormat format() {
        return format;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public boolean onDevice() {
        return false;
    }

    public ByteBuffer plane(int i) {
        return planes[i];
    }

    public int stride(int i) {
        return strides[i];
    }

    @Override
    public String toString() {
        return "HostImage[" + format + " " + width + "x" + height + "]";
    }
}
