package io.vxflow.gpu.image;

/**
 * An image in GPU memory: one device address and one pitch (bytes per row) per plane. A view over
 * memory owned by someone else (a decoder's frame pool, a slot's buffers): it frees nothing.
 */
public final class DeviceImage implements Image {
    private final PixelFormat format;
    private final int width;
    private final int height;
    private final long[] planes;
    private final int[] pitches;

    public DeviceImage(PixelFormat format, int width, int height, long[] planes, int[] pitches) {
        if (planes.length != format.planes() || pitches.length != format.planes()) {
            throw new IllegalArgumentException(format + " needs " + format.planes() + " planes, got " + planes.length);
        }
        this.format = format;
        this.width = width;
        this.height = height;
        this.planes = planes.clone();
        this.pitches = pitches.clone();
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
        return true;
    }

    /** Device address of plane {@code i}. */
    public long plane(int i) {
        return planes[i];
    }

    public int pitch(int i) {
        return pitches[i];
    }

    @Override
    public String toString() {
        return "DeviceImage[" + format + " " + width + "x" + height + "]";
    }
}
