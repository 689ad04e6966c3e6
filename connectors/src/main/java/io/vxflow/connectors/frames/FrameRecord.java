package io.vxflow.connectors.frames;

import io.vxflow.gpu.decode.AccessUnit;
import io.vxflow.gpu.decode.DecodeError;
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
 */
public record FrameRecord(String streamId, AccessUnit unit, DecodeError error, String detail, long ingestMillis) {
    public FrameRecord {
        Objects.requireNonNull(streamId, "streamId");
        if ((unit == null) == (error == null)) {
            throw new IllegalArgumentException("a frame record holds either an access unit or an error");
        }
    }

    public static FrameRecord valid(String streamId, AccessUnit unit, long ingestMillis) {
        return new FrameRecord(streamId, unit, null, null, ingestMillis);
    }

    public static FrameRecord invalid(String streamId, DecodeError error, String detail, long ingestMillis) {
        return new FrameRecord(streamId, null, error, detail, ingestMillis);
    }

    public boolean isValid() {
        return unit != null;
    }
}
