package io.vxflow.gpu.decode;

import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.Image;

/**
 * A decoded picture leased from its decoder. The image stays valid until {@link #release()}, which
 * hands the memory back to the decoder's pool; release is idempotent, and reading the image after it
 * throws. Decoders have a bounded pool: release frames as soon as the last stage that reads them is
 * done.
 */
public interface DecodedFrame {
    /** Presentation time in microseconds, as the producer stamped the access unit. */
    long ptsMicros();

    ColorSpec colorSpec();

    /** The picture; throws {@link IllegalStateException} once released. */
    Image image();

    void release();

    boolean isReleased();
}
