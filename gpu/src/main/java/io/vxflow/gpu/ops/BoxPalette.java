package io.vxflow.gpu.ops;

/** The colour each class's boxes are drawn in: a fixed table of 16 distinct colours, by class index. */
public final class BoxPalette {
    private static final int[] RGB = {
        0xFF3838, 0x2CFF4B, 0x3864FF, 0xFFB21D, 0xCF38FF, 0x00D4BB, 0xFF9D97, 0x92CC17,
        0x3DDB86, 0x1A9334, 0x00C2FF, 0x344593, 0x6473FF, 0x0018EC, 0x8438FF, 0x520085,
    };

    private BoxPalette() {}

    /** 0xRRGGBB for a class. */
    public static int rgb(int classId) {
        return RGB[Math.floorMod(classId, RGB.length)];
    }

    public static int size() {
        return RGB.length;
    }
}
