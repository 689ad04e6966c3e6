package io.vxflow.gpu.cpu;

import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.PixelFormat;
import java.nio.ByteBuffer;

/**
 * The CPU reference letterbox: copies the scaled content into a canvas of the model's input size at
 * the geometry's offset and fills the borders with one grey level. Exact: no arithmetic on pixels.
 * RGB24 in and out; owns nothing.
 */
public final class CpuLetterboxPad {
    private final byte padValue;

    /** @param padValue grey level of the borders, 0..255 (114 is what YOLO models were trained with) */
    public CpuLetterboxPad(int padValue) {
        if (padValue < 0 || padValue > 255) {
            throw new IllegalArgumentException("pad value must be 0..255: " + padValue);
        }
        this.padValue = (byte) padValue;
    }

    public void run(HostImage content, LetterboxGeometry g, HostImage canvas) {
        if (content.format() != PixelFormat.RGB24 || canvas.format() != PixelFormat.RGB24) {
            throw new IllegalArgumentException("letterbox pad works on RGB24 images");
        }
        if (content.width() < g.contentWidth() || content.height() < g.contentHeight()
                || canvas.width() != g.dstWidth() || canvas.height() != g.dstHeight()) {
            throw new IllegalArgumentException("images do not match " + g);
        }
        ByteBuffer in = content.plane(0);
        ByteBuffer out = canvas.plane(0);
        int inStride = content.stride(0), outStride = canvas.stride(0);
        byte[] row = new byte[g.dstWidth() * 3];
        for (int y = 0; y < g.dstHeight(); y++) {
            int cy = y - g.padY();
            java.util.Arrays.fill(row, padValue);
            if (cy >= 0 && cy < g.contentHeight()) {
                in.get(cy * inStride, row, g.padX() * 3, g.contentWidth() * 3);
            }
            out.put(y * outStride, row, 0, row.length);
        }
    }
}
