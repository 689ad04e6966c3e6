package io.vxflow.connectors.producer;

import io.vxflow.codec.AccessUnit;

/**
 * Moves the pts of a looped source so that they keep increasing: the first unit of a new loop
 * lands one frame duration after the highest pts published so far, and the rest of the loop keeps
 * its spacing. The first loop passes through unchanged. Owns only its counters.
 */
final class LoopTimeline {
    private final long frameMicros;
    private long offset;
    private long maxPublished = Long.MIN_VALUE;
    private boolean loopStarting;

    LoopTimeline(long frameMicros) {
        this.frameMicros = frameMicros;
    }

    /** Call when the source was rewound; the next unit placed starts the new loop. */
    void nextLoop() {
        loopStarting = true;
    }

    /** The unit with its pts moved for the current loop (the same unit in the first loop). */
    AccessUnit place(AccessUnit unit) {
        if (loopStarting) {
            offset = maxPublished + frameMicros - unit.ptsMicros();
            loopStarting = false;
        }
        long pts = unit.ptsMicros() + offset;
        maxPublished = Math.max(maxPublished, pts);
        return offset == 0 ? unit : new AccessUnit(unit.codec(), pts, unit.keyframe(), unit.data());
    }
}
