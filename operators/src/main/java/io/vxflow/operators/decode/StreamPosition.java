package io.vxflow.operators.decode;

/**
 * A stream's checkpointed decode position: the index the next frame gets, the pts of the last frame
 * emitted, and what the access units buffered in list state hold, so that a restored decoder can
 * re-decode up to where it was. Mutable state class; {@link StreamPositionSerializer} writes it.
 *
 * <p>The buffer starts at the current GOP's keyframe, or earlier while the decoder still holds
 * frames of the GOP before (B-frames reordered across the keyframe): the {@code previousUnits}
 * leading units stay until a frame at or after the keyframe's pts has been emitted.
 */
public final class StreamPosition {
    long nextFrameIndex;
    long lastEmittedPts;
    boolean emittedAny;
    /** The GOP outgrew the buffer limit: a restore must wait for the next keyframe instead. */
    boolean gopOverflow;
    int gopUnits;
    long gopBytes;
    /** Leading buffered units that belong to the GOP before the current keyframe. */
    int previousUnits;
    /** Pts of the current GOP's keyframe. */
    long keyframePts;
    /** The decoder was drained and holds nothing: a stream resuming at a keyframe needs no replay. */
    boolean drained;

    StreamPosition() {}

    StreamPosition(long nextFrameIndex, long lastEmittedPts, boolean emittedAny, boolean gopOverflow, int gopUnits, long gopBytes) {
        this.nextFrameIndex = nextFrameIndex;
        this.lastEmittedPts = lastEmittedPts;
        this.emittedAny = emittedAny;
        this.gopOverflow = gopOverflow;
        this.gopUnits = gopUnits;
        this.gopBytes = gopBytes;
    }

    StreamPosition copy() {
        StreamPosition p = new StreamPosition();
        p.nextFrameIndex = nextFrameIndex;
        p.lastEmittedPts = lastEmittedPts;
        p.emittedAny = emittedAny;
        p.gopOverflow = gopOverflow;
        p.gopUnits = gopUnits;
        p.gopBytes = gopBytes;
        p.previousUnits = previousUnits;
        p.keyframePts = keyframePts;
        p.drained = drained;
        return p;
    }

    /** Forgets the buffered units (the list state is cleared by the caller). */
    void clearGop() {
        gopUnits = 0;
        gopBytes = 0;
        previousUnits = 0;
        gopOverflow = false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamPosition p && p.nextFrameIndex == nextFrameIndex && p.lastEmittedPts == lastEmittedPts
                && p.emittedAny == emittedAny && p.gopOverflow == gopOverflow && p.gopUnits == gopUnits && p.gopBytes == gopBytes
                && p.previousUnits == previousUnits && p.keyframePts == keyframePts && p.drained == drained;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(nextFrameIndex) * 31 + Long.hashCode(lastEmittedPts);
    }

    @Override
    public String toString() {
        return "StreamPosition[next=" + nextFrameIndex + ", lastPts=" + lastEmittedPts + ", gop=" + gopUnits + "/" + gopBytes
                + (previousUnits > 0 ? " (" + previousUnits + " before the keyframe at " + keyframePts + ")" : "")
                + (gopOverflow ? " overflow" : "") + (drained ? " drained" : "") + "]";
    }
}
