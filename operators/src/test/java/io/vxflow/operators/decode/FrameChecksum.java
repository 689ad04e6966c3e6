package io.vxflow.operators.decode;

import io.vxflow.gpu.decode.DecodedFrame;
import io.vxflow.gpu.image.HostImage;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * A checksum of a decoded picture's visible samples (every plane, row by row, strides and padding
 * left out), with its size and format mixed in: two frames with the same checksum show the same
 * picture.
 */
final class FrameChecksum {
    private FrameChecksum() {}

    static long of(DecodedFrame frame) {
        if (frame == null) {
            return 0;
        }
        HostImage img = (HostImage) frame.image();
        CRC32 crc = new CRC32();
        crc.update(img.format().ordinal());
        crc.update(img.width() >> 8);
        crc.update(img.width());
        crc.update(img.height() >> 8);
        crc.update(img.height());
        int bytes = img.format().bytesPerSample();
        for (int p = 0; p < img.format().planes(); p++) {
            int w = p == 0 ? img.width() : (img.width() + 1) / 2;
            int h = p == 0 ? img.height() : (img.height() + 1) / 2;
            if (img.format().planes() == 2 && p == 1) {
                w *= 2; // interleaved chroma
            }
            ByteBuffer plane = img.plane(p).duplicate();
            for (int y = 0; y < h; y++) {
                int at = y * img.stride(p);
                plane.limit(at + w * bytes).position(at);
                crc.update(plane);
            }
        }
        return crc.getValue();
    }
}
