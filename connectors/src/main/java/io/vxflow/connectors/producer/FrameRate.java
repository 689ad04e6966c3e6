package io.vxflow.connectors.producer;

/**
 * A video frame rate as a fraction, {@code 30000/1001} for NTSC 29.97. Owns nothing.
 *
 * @param numerator frames
 * @param denominator per this many seconds
 */
public record FrameRate(int numerator, int denominator) {
    public FrameRate {
        if (numerator <= 0 || denominator <= 0) {
            throw new IllegalArgumentException("a frame rate needs a positive numerator and denominator, got "
                    + numerator + "/" + denominator);
        }
    }

    /** {@code fps} frames per second. */
    public static FrameRate of(int fps) {
        return new FrameRate(fps, 1);
    }

    /** Frames per second as a double, for display. */
    public double fps() {
        return (double) numerator / denominator;
    }

    /** Duration of one frame in microseconds, rounded down (33 333 at 30 fps). */
    public long frameDurationMicros() {
        return 1_000_000L * denominator / numerator;
    }

    /** Presentation time of frame {@code index} in microseconds, exact up to rounding down. */
    public long ptsMicros(long index) {
        return Math.multiplyExact(index, 1_000_000L * denominator) / numerator;
    }

    @Override
    public String toString() {
        return denominator == 1 ? Integer.toString(numerator) : numerator + "/" + denominator;
    }
}
