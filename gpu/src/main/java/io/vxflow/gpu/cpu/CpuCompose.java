package io.vxflow.gpu.cpu;

import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.PixelFormat;
import io.vxflow.gpu.ops.BoxPalette;
import io.vxflow.gpu.postprocess.Detection;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The CPU reference compose: draws a frame into a tile of an RGB24 canvas (a whole annotated frame
 * when the canvas is the frame's size, one cell of a mosaic otherwise) and outlines its detections in
 * their class colours ({@link BoxPalette}).
 *
 * <p>Box convention: source box {@code [x1, y1, x2, y2]} maps to tile pixels {@code floor(tx + x1 *
 * sx)} .. {@code floor(tx + x2 * sx) - 1} (same for y); the outline is {@code thickness} pixels
 * inside that rectangle, clipped to the tile. Owns a {@link CpuResize}; not thread-safe.
 */
public final class CpuCompose {
    private final CpuResize resize = new CpuResize();
    private final int thickness;

    public CpuCompose(int thickness) {
        if (thickness < 1) {
            throw new IllegalArgumentException("thickness must be at least 1");
        }
        this.thickness = thickness;
    }

    /** Resizes {@code frame} into the tile and draws {@code detections} (source-frame pixels) on it. */
    public void run(HostImage frame, ColorSpec color, List<Detection> detections, HostImage canvas, int tx, int ty, int tw, int th) {
        resize.run(frame, color, io.vxflow.gpu.geometry.Rect.ofSize(frame.width(), frame.height()), canvas, tx, ty, tw, th);
        drawBoxes(canvas, tx, ty, tw, th, (float) tw / frame.width(), (float) th / frame.height(), detections);
    }

    /** Outlines boxes given in source pixels, scaled by (sx, sy) into the tile at (tx, ty). */
    public void drawBoxes(HostImage canvas, int tx, int ty, int tw, int th, float sx, float sy, List<Detection> detections) {
        if (canvas.format() != PixelFormat.RGB24) {
            throw new IllegalArgumentException("compose draws on RGB24, got " + canvas.format());
        }
        for (Detection d : detections) {
            int x1 = Math.max(tx, (int) Math.floor(tx + d.x1() * sx));
            int y1 = Math.max(ty, (int) Math.floor(ty + d.y1() * sy));
            int x2 = Math.min(tx + tw, (int) Math.floor(tx + d.x2() * sx)) - 1;
            int y2 = Math.min(ty + th, (int) Math.floor(ty + d.y2() * sy)) - 1;
            if (x2 < x1 || y2 < y1) {
                continue;
            }
            int rgb = BoxPalette.rgb(d.classId());
            for (int y = y1; y <= y2; y++) {
                boolean edgeRow = y < y1 + thickness || y > y2 - thickness;
                if (edgeRow) {
                    fill(canvas, x1, x2, y, rgb);
                } else {
                    fill(canvas, x1, Math.min(x2, x1 + thickness - 1), y, rgb);
                    fill(canvas, Math.max(x1, x2 - thickness + 1), x2, y, rgb);
                }
            }
        }
    }

    private static void fill(HostImage canvas, int xa, int xb, int y, int rgb) {
        ByteBuffer out = canvas.plane(0);
        int o = y * canvas.stride(0) + xa * 3;
        byte r = (byte) (rgb >> 16), g = (byte) (rgb >> 8), b = (byte) rgb;
        for (int x = xa; x <= xb; x++) {
            out.put(o, r).put(o + 1, g).put(o + 2, b);
            o += 3;
        }
    }
}
