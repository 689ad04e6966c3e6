package io.vxflow.operators.decode;

/**
 * A stream's checkpointed decode position: the index the next frame gets, the pts of the last frame
 * emitted, and the size of the buffered group of pictures since the last keyframe (whose access
 * units are kept in list state so a restored decoder can re-decode up to where it was). Mutable
 * state class; {@link StreamPositionSerializer} writes it.
 */
public final class StreamPosition {
    long nextFrameIndex;
    long lastEmittedPts;
    boolean emittedAny;
    /** The GOP outgrew the buffer limit: a restore must wait for the next keyframe instead. */
    boolean gopOverflow;
    int gopUnits;
    long gopBytes;

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
        return new StreamPosition(nextFrameIndex, lastEmittedPts, emittedAny, gopOverflow, gopUnits, gopBytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamPosition p && p.nextFrameIndex == nextFrameIndex && p.lastEmittedPts == lastEmittedPts
                && p.emittedAny == emittedAny && p.gopOverflow == gopOverflow && p.gopUnits == gopUnits && p.gopBytes == gopBytes;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(nextFrameIndex) * 31 + Long.hashCode(lastEmittedPts);
    }

    @Override
    public String toString() {
        return "StreamPosition[next=" + nextFrameIndex + ", lastPts=" + lastEmittedPts + ", gop=" + gopUnits + "/" + gopBytes
                + (gopOverflow ? " overflow" : "") + "]";
    }
}
