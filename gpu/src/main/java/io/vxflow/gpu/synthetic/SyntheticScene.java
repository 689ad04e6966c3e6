package io.vxflow.gpu.synthetic;

import java.util.List;

/**
 * The synthetic 1080p30 test scene: a neutral grey background with moving grey stripes and three
 * coloured squares whose positions are a pure function of the frame index. The known-answer
 * detector ({@code squares-640.onnx}) finds exactly these squares, so end-to-end tests can assert
 * boxes in source-frame pixels.
 *
 * <p>Owns nothing; all methods are pure.
 */
public final class SyntheticScene {
    public static final int WIDTH = 1920;
    public static final int HEIGHT = 1080;
    public static final int FPS = 30;
    /** Side of every square in source pixels. */
    public static final int SQUARE = 160;
    /** Background grey level (RGB). */
    public static final int BACKGROUND = 110;

    /** Class index, label and RGB colour of each square; the class index is the detector's. */
    public enum Square {
        RED(0, "red", 220, 30, 30),
        GREEN(1, "green", 30, 200, 30),
        BLUE(2, "blue", 30, 30, 220);

        public final int classId;
        public final String label;
        public final int r, g, b;

        Square(int classId, String label, int r, int g, int b) {
            this.classId = classId;
            this.label = label;
            this.r = r;
            this.g = g;
            this.b = b;
        }
    }

    /** A square's expected box in source-frame pixels, {@code [x1, y1, x2, y2)}. */
    public record Placement(Square square, int x1, int y1, int x2, int y2) {
        public int centerX() {
            return (x1 + x2) / 2;
        }

        public int centerY() {
            return (y1 + y2) / 2;
        }
    }

    private SyntheticScene() {}

    /** Where the three squares are in frame {@code frameIndex} (0-based, 30 frames per second). */
    public static List<Placement> placements(long frameIndex) {
        int half = SQUARE / 2;
        // Three lanes that never overlap: red along the top, green wandering through the middle
        // band, blue along the bottom in the opposite direction.
        int redX = 300 + (int) Math.round(1320 * triangle(frameIndex, 240));
        int greenX = 300 + (int) Math.round(1320 * triangle(frameIndex, 180));
        int greenY = 440 + (int) Math.round(200 * triangle(frameIndex, 120));
        int blueX = 1620 - (int) Math.round(1320 * triangle(frameIndex, 300));
        return List.of(
                place(Square.RED, redX, 160, half),
                place(Square.GREEN, greenX, greenY, half),
                place(Square.BLUE, blueX, 920, half));
    }

    private static Placement place(Square s, int cx, int cy, int half) {
        return new Placement(s, cx - half, cy - half, cx + half, cy + half);
    }

    /** A triangle wave in [0, 1] with the given period in frames, 0 at frame 0. */
    static double triangle(long frame, int period) {
        double u = (double) Math.floorMod(frame, period) / period;
        return 1.0 - Math.abs(2.0 * u - 1.0);
    }

    /** Colour of each {@link #renderIndex} value: the two stripe greys, then red, green, blue. */
    public static int[][] palette() {
        int[][] p = new int[2 + Square.values().length][];
        p[0] = new int[] {BACKGROUND, BACKGROUND, BACKGROUND};
        p[1] = new int[] {BACKGROUND + 24, BACKGROUND + 24, BACKGROUND + 24};
        for (Square s : Square.values()) {
            p[2 + s.ordinal()] = new int[] {s.r, s.g, s.b};
        }
        return p;
    }

    /**
     * Renders frame {@code frameIndex} as one palette index per pixel ({@code WIDTH * HEIGHT} bytes,
     * row-major; see {@link #palette()}). Stripes are grey (R = G = B), so they never look like a
     * square to the detector.
     */
    public static void renderIndex(long frameIndex, byte[] index) {
        if (index.length < WIDTH * HEIGHT) {
            throw new IllegalArgumentException("index buffer too small: " + index.length);
        }
        int shift = (int) (frameIndex * 4);
        for (int y = 0; y < HEIGHT; y++) {
            int row = y * WIDTH;
            for (int x = 0; x < WIDTH; x++) {
                index[row + x] = (byte) (((x + y + shift) / 48) & 1);
            }
        }
        for (Placement p : placements(frameIndex)) {
            byte v = (byte) (2 + p.square().ordinal());
            for (int y = Math.max(0, p.y1()); y < Math.min(HEIGHT, p.y2()); y++) {
                java.util.Arrays.fill(index, y * WIDTH + Math.max(0, p.x1()), y * WIDTH + Math.min(WIDTH, p.x2()), v);
            }
        }
    }

    /** Renders frame {@code frameIndex} as packed RGB24 ({@code WIDTH * HEIGHT * 3} bytes, row-major). */
    public static void renderRgb(long frameIndex, byte[] rgb) {
        if (rgb.length < WIDTH * HEIGHT * 3) {
            throw new IllegalArgumentException("rgb buffer too small: " + rgb.length);
        }
        byte[] index = new byte[WIDTH * HEIGHT];
        renderIndex(frameIndex, index);
        int[][] pal = palette();
        for (int i = 0; i < index.length; i++) {
            int[] c = pal[index[i]];
            rgb[3 * i] = (byte) c[0];
            rgb[3 * i + 1] = (byte) c[1];
            rgb[3 * i + 2] = (byte) c[2];
        }
    }
}
