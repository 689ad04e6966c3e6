package io.vxflow.connectors.producer;

import java.time.Duration;

/**
 * A snapshot of a {@link StreamReplayer}'s work, safe to read from any thread.
 *
 * @param unitsRead access units read from the source (each is published once per stream)
 * @param recordsPublished records handed to the publisher, all streams together
 * @param bytesPublished value bytes of those records
 * @param loopsCompleted times the source was played to its end and started again
 * @param elapsed wall-clock time since the replay started
 * @param state running, or why the replay ended
 */
public record ReplayProgress(long unitsRead, long recordsPublished, long bytesPublished, int loopsCompleted,
        Duration elapsed, State state) {

    /**
     * Records published to the stream at {@code index} of {@code streams}: the streams take turns
     * unit by unit, so when a replay stops inside a unit the first streams have one record more. Exact
     * once the replay has ended; while it runs, a snapshot may count a unit that is still going out.
     */
    public long recordsOfStream(int index, int streams) {
        if (index < 0 || index >= streams) {
            throw new IndexOutOfBoundsException("stream " + index + " of " + streams);
        }
        long started = Math.max(0, Math.min(streams, recordsPublished - unitsRead * streams));
        return unitsRead + (index < started ? 1 : 0);
    }

    /** Where a replay is. */
    public enum State {
        NOT_STARTED,
        RUNNING,
        /** The source ended and looping was off (or the source had nothing left after a rewind). */
        END_OF_SOURCE,
        /** Every stream got its maximum number of frames. */
        MAX_FRAMES,
        /** The maximum duration passed. */
        MAX_DURATION,
        /** {@link StreamReplayer#stop()} was called, or the replaying thread was interrupted. */
        STOPPED,
        /** Reading or publishing failed; {@link StreamReplayer#replay} threw. */
        FAILED
    }
}
