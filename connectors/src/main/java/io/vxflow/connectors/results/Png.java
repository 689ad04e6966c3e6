package io.vxflow.connectors.results;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Packed RGB24 pixels to PNG bytes, for crop thumbnails and mosaic previews. */
public final class Png {
    private Png() {}

    public static byte[] encodeRgb(int width, int height, byte[] rgb) {
        if (rgb.length < width * height * 3) {
            throw new IllegalArgumentException("need " + width * height * 3 + " bytes, got " + rgb.length);
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            int o = y * width * 3;
            for (int x = 0; x < width; x++, o += 3) {
                row[x] = (rgb[o] & 0xFF) << 16 | (rgb[o + 1] & 0xFF) << 8 | (rgb[o + 2] & 0xFF);
            }
            img.setRGB(0, y, width, 1, row, 0, width);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
