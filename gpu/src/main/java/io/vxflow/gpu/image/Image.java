package io.vxflow.gpu.image;

/**
 * A picture in host or device memory, described by its format and size; the planes are reached
 * through the concrete type ({@link HostImage} or a device image). Images do not own their memory
 * unless their concrete type says so.
 */
public interface Image {
    PixelFormat format();

    int width();

    int height();

    /** True when the planes live in GPU memory. */
    boolean onDevice();
}
