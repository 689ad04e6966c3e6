package io.vxflow.connectors.producer;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Real-time pacing of a replay: access unit {@code k} of stream {@code s} (of {@code n}) is due
 * {@code k} frame durations after the start, plus {@code s/n} of a frame duration so that the
 * streams take turns instead of bursting together. Counting frames rather than reading pts keeps
 * streams with B-frames (whose pts are not monotonic in decode order) at an even pace; for a
 * constant-frame-rate source it is the same as pacing by pts. A publisher that falls behind is not
 * waited for: late units go out at once. Owns only its start time.
 */
final class ReplayPacer {
    private static final long MAX_PARK_NANOS = 20_000_000L;
    private final long startNanos;
    private final long frameNanos;
    private final int streams;

    ReplayPacer(long startNanos, FrameRate frameRate, int streams) {
        this.startNanos = startNanos;
        this.frameNanos = 1_000_000_000L * frameRate.denominator() / frameRate.numerator();
        this.streams = streams;
    }

    /** When unit {@code k} of stream {@code s} is due, on the {@link System#nanoTime()} clock. */
    long due(long k, int s) {
        return startNanos + k * frameNanos + s * frameNanos / streams;
    }

    /**
     * Waits until unit {@code k} of stream {@code s} is due, or {@code stop} says to stop.
     *
     * @return false if stopped while waiting
     */
    boolean await(long k, int s, BooleanSupplier stop) {
        long due = due(k, s);
        while (true) {
            if (stop.getAsBoolean()) {
                return false;
            }
            long left = due - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            LockSupport.parkNanos(Math.min(left, MAX_PARK_NANOS));
        }
    }
}
