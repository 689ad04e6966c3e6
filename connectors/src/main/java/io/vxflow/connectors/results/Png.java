package io.vxflow.connectors.results;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Packed RGB24 pixels to PNG bytes, for crop thumbnails and mosaic previews; in memory, no temporary files. */
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
        // ImageIO.write(img, "png", out) would wrap 'out' in a FileCacheImageOutputStream: a temporary file
        // per thumbnail. ImageIO.setUseCache(false) would stop that for every user of ImageIO in the JVM (a
        // TaskManager's other jobs included), so vxflow buffers in memory itself and leaves the switch alone.
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(img);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
