package io.vxflow.operators.route;

/**
 * A stream's frame rate, measured from the pts of its records: frames over the pts span of a window
 * (B-frames arrive out of pts order, so the span is max minus min, not last minus first). Until a
 * window holds {@value #MIN_FRAMES} frames the previous estimate stands, at first {@value
 * #DEFAULT_FPS}. A window is closed after a minute of pts and a new one opened, so the estimate
 * follows a camera that changes its rate; a pts jump of more than {@value #JUMP_MICROS} µs either way
 * (a camera that restarted its clock) opens a new window too. Not thread-safe.
 */
public final class StreamRate {
    public static final double DEFAULT_FPS = 30;
    static final int MIN_FRAMES = 8;
    static final long JUMP_MICROS = 10_000_000;
    static final long WINDOW_MICROS = 60_000_000;
    /** Rates outside this are taken for broken pts, not cameras. */
    static final double MIN_FPS = 0.5;
    static final double MAX_FPS = 480;
    private double fps;
    private long minPts;
    private long maxPts;
    private int frames;

    public StreamRate() {
        this(DEFAULT_FPS);
    }

    /** Starting from an estimate made before (a restored table's). */
    public StreamRate(double fps) {
        this.fps = fps > 0 ? fps : DEFAULT_FPS;
    }

    /** Counts a record of the stream with presentation time {@code ptsMicros}; true when that measured the rate anew. */
    public boolean record(long ptsMicros) {
        if (frames == 0 || ptsMicros < minPts - JUMP_MICROS || ptsMicros > maxPts + JUMP_MICROS) {
            open(ptsMicros);
            return false;
        }
        boolean measured = false;
        frames++;
        minPts = Math.min(minPts, ptsMicros);
        maxPts = Math.max(maxPts, ptsMicros);
        long span = maxPts - minPts;
        if (frames >= MIN_FRAMES && span > 0) {
            double rate = (frames - 1) * 1e6 / span;
            if (rate >= MIN_FPS && rate <= MAX_FPS) {
                fps = rate;
                measured = true;
            }
        }
        if (span >= WINDOW_MICROS) {
            open(ptsMicros);
        }
        return measured;
    }

    private void open(long ptsMicros) {
        frames = 1;
        minPts = ptsMicros;
        maxPts = ptsMicros;
    }

    /** Frames per second: the latest estimate. */
    public double fps() {
        return fps;
    }
}
