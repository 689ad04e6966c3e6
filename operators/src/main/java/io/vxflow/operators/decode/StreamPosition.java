package io.vxflow.operators.decode;

import java.util.Arrays;

/**
 * A stream's checkpointed decode position, a few dozen bytes whatever the bitrate: the index the
 * next frame gets, the pts of the last frame emitted, and where in Kafka a restored decoder starts
 * reading again so that it can rebuild every frame not yet emitted. Mutable state class; {@link
 * StreamPositionSerializer} writes it.
 *
 * <p><b>Replay range.</b> The frames topic partition, the offsets of recent keyframes (with their
 * pts) and the offset of the stream's last record received. Re-decoding from the oldest kept keyframe
 * to the last record gives every frame of the stream that had not been emitted at checkpoint time,
 * including frames still inside the decoder or on a decode worker. A keyframe's predecessor is
 * dropped once a frame at or after the keyframe's pts has been emitted: the decoder outputs in
 * presentation order, so by then nothing of the GOP before can follow.
 */
public final class StreamPosition {
    /** Keyframes kept at most; more means frames stopped coming out, and the oldest are given up. */
    static final int MAX_KEYFRAMES = 4;

    long nextFrameIndex;
    long lastEmittedPts;
    boolean emittedAny;
    /** The frames-topic partition of the stream's records, or -1. */
    int partition = -1;
    /** Offset of the stream's last record received, or -1. */
    long lastOffset = -1;
    /** Kafka timestamp of the stream's last record received: when it last sent something. */
    long lastIngestMillis;
    int keyframes;
    long[] keyframeOffsets = new long[MAX_KEYFRAMES];
    long[] keyframePts = new long[MAX_KEYFRAMES];

    StreamPosition() {}

    /**
     * A record of the stream, ingested at {@code ingestMillis}, arrived from {@code partition} at
     * {@code offset} (a keyframe with {@code pts}, if {@code keyframe}).
     */
    void received(int partition, long offset, boolean keyframe, long pts, long ingestMillis) {
        lastIngestMillis = ingestMillis;
        if (partition < 0 || offset < 0) {
            return; // not from Kafka: cannot be read again
        }
        if (partition != this.partition) {
            this.partition = partition; // the producer moved the stream: earlier offsets mean nothing here
            keyframes = 0;
        }
        lastOffset = offset;
        if (keyframe) {
            if (keyframes == MAX_KEYFRAMES) {
                dropOldestKeyframe();
            }
            keyframeOffsets[keyframes] = offset;
            keyframePts[keyframes] = pts;
            keyframes++;
        }
    }

    /** A frame (or a skipped unit's result) with {@code pts} was emitted. */
    void emitted(long pts) {
        lastEmittedPts = pts;
        emittedAny = true;
        nextFrameIndex++;
        while (keyframes >= 2 && keyframePts[1] <= pts) {
            dropOldestKeyframe();
        }
    }

    /**
     * Whether the position says nothing yet: no frame emitted, no keyframe to replay from. Such a
     * position is not checkpointed, and its stream is forgotten at its first idle timer.
     */
    boolean isFresh() {
        return !emittedAny && nextFrameIndex == 0 && keyframes == 0;
    }

    /** Whether a replay can rebuild what the decoder held: there is a keyframe to start from. */
    boolean canReplay() {
        return keyframes > 0 && lastOffset >= keyframeOffsets[0];
    }

    /** Whether the next keyframe received would push the oldest kept one out. */
    boolean keyframesFull() {
        return keyframes == MAX_KEYFRAMES;
    }

    long replayFrom() {
        return keyframeOffsets[0];
    }

    /** Forgets the replay range (the decoder was closed after handing out everything). */
    void forgetReplay() {
        keyframes = 0;
    }

    private void dropOldestKeyframe() {
        System.arraycopy(keyframeOffsets, 1, keyframeOffsets, 0, keyframes - 1);
        System.arraycopy(keyframePts, 1, keyframePts, 0, keyframes - 1);
        keyframes--;
    }

    StreamPosition copy() {
        StreamPosition p = new StreamPosition();
        p.nextFrameIndex = nextFrameIndex;
        p.lastEmittedPts = lastEmittedPts;
        p.emittedAny = emittedAny;
        p.partition = partition;
        p.lastOffset = lastOffset;
        p.lastIngestMillis = lastIngestMillis;
        p.keyframes = keyframes;
        p.keyframeOffsets = keyframeOffsets.clone();
        p.keyframePts = keyframePts.clone();
        return p;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamPosition p && p.nextFrameIndex == nextFrameIndex && p.lastEmittedPts == lastEmittedPts
                && p.emittedAny == emittedAny && p.partition == partition && p.lastOffset == lastOffset && p.lastIngestMillis == lastIngestMillis
                && p.keyframes == keyframes && Arrays.equals(p.keyframeOffsets, 0, keyframes, keyframeOffsets, 0, keyframes)
                && Arrays.equals(p.keyframePts, 0, keyframes, keyframePts, 0, keyframes);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(nextFrameIndex) * 31 + Long.hashCode(lastEmittedPts);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("StreamPosition[next=").append(nextFrameIndex).append(", lastPts=").append(lastEmittedPts);
        if (partition >= 0) {
            b.append(", partition ").append(partition).append(" last offset ").append(lastOffset);
        }
        for (int i = 0; i < keyframes; i++) {
            b.append(i == 0 ? ", keyframes " : " ").append(keyframeOffsets[i]).append('@').append(keyframePts[i]);
        }
        return b.append(']').toString();
    }
}
