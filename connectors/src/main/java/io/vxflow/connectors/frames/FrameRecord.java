package io.vxflow.connectors.frames;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.DecodeError;
import java.util.Objects;

/**
 * One record of the frames topic after parsing: the stream it belongs to and either a valid access
 * unit or the reason it is not one. Malformed records travel on as {@link #invalid} records so the
 * decoder of their stream counts them and resynchronizes; nothing is dropped silently and nothing
 * fails the job.
 *
 * @param streamId the record key (empty when the record had none)
 * @param unit the access unit, or null when invalid
 * @param error why the record is invalid, or null
 * @param detail a human-readable explanation of the error, or null
 * @param ingestMillis the Kafka record timestamp (epoch milliseconds)
 * @param partition the frames-topic partition the record came from, or {@link #NO_OFFSET}
 * @param offset its offset in that partition, or {@link #NO_OFFSET}: with the partition, where a
 *     restored decoder can read the record again (Kafka holds the access units durably, so
 *     checkpoints keep only these coordinates, never the bytes)
 */
public record FrameRecord(String streamId, AccessUnit unit, DecodeError error, String detail, long ingestMillis, int partition,
        long offset) {
    /** Partition and offset of a record that did not come from Kafka (tests, other sources). */
    public static final int NO_OFFSET = -1;

    public FrameRecord {
        Objects.requireNonNull(streamId, "streamId");
        if ((unit == null) == (error == null)) {
            throw new IllegalArgumentException("a frame record holds either an access unit or an error");
        }
    }

    public static FrameRecord valid(String streamId, AccessUnit unit, long ingestMillis) {
        return new FrameRecord(streamId, unit, null, null, ingestMillis, NO_OFFSET, NO_OFFSET);
    }

    public static FrameRecord invalid(String streamId, DecodeError error, String detail, long ingestMillis) {
        return new FrameRecord(streamId, null, error, detail, ingestMillis, NO_OFFSET, NO_OFFSET);
    }

    /** This record as read from {@code partition} at {@code offset} of the frames topic. */
    public FrameRecord at(int partition, long offset) {
        return new FrameRecord(streamId, unit, error, detail, ingestMillis, partition, offset);
    }

    /** Whether the record knows where it lies in Kafka, so it can be read again. */
    public boolean hasOffset() {
        return partition >= 0 && offset >= 0;
    }

    public boolean isValid() {
        return unit != null;
    }
}
