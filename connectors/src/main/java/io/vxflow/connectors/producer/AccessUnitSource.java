package io.vxflow.connectors.producer;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;

/**
 * A pull source of one video stream's access units in decode order, each Annex-B with the
 * parameter sets in-band before every keyframe, as the frames topic wants them (see
 * {@code FramesWireFormat}). Implemented by {@link AccessUnitReader} (files and URLs) and
 * {@link InMemoryAccessUnitSource} (units already in memory). Not thread-safe: one thread pulls.
 */
public interface AccessUnitSource extends AutoCloseable {

    Codec codec();

    /** Picture width in pixels. */
    int width();

    /** Picture height in pixels. */
    int height();

    /** The nominal frame rate; used for pacing and for timestamps a source lacks. */
    FrameRate frameRate();

    /**
     * The next access unit in decode order, or {@code null} at the end of the stream. Presentation
     * times start near 0 for the first picture of the source.
     *
     * @throws VideoSourceException when reading fails
     */
    AccessUnit next();

    /**
     * Starts again from the first access unit, for looping. After a rewind the source returns the
     * same units with the same presentation times as the first time.
     *
     * @throws VideoSourceException when the source cannot start again (a live stream that went away)
     */
    void rewind();

    /** A description for messages and logs, without credentials. */
    String description();

    /** Releases what the source holds; idempotent. */
    @Override
    void close();
}
