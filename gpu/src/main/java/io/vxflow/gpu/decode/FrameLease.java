package io.vxflow.gpu.decode;

import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.Image;

/**
 * A decoded picture handed out once: its image until {@link #release()}, which runs {@link #free}
 * exactly once; reading the image after that throws.
 */
abstract class FrameLease implements DecodedFrame {
    private final Image image;
    private final long pts;
    private final ColorSpec colorSpec;
    private boolean released;

    FrameLease(Image image, long pts, ColorSpec colorSpec) {
        this.image = image;
        this.pts = pts;
        this.colorSpec = colorSpec;
    }

    @Override
    public final long ptsMicros() {
        return pts;
    }

    @Override
    public final ColorSpec colorSpec() {
        return colorSpec;
    }

    @Override
    public final Image image() {
        if (released) {
            throw new IllegalStateException("frame at pts " + pts + " was released");
        }
        return image;
    }

    @Override
    public final void release() {
        if (!released) {
            released = true;
            free();
        }
    }

    @Override
    public final boolean isReleased() {
        return released;
    }

    /** Gives the picture's memory back to whoever it came from. */
    abstract void free();
}
