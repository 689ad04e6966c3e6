package io.vxflow.connectors.frames;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.codec.DecodeError;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Serializes {@link FrameRecord}s across the keyBy shuffle: stream id, a flags byte, then either
 * codec, pts and the access unit bytes, or the error and its detail, then the ingest timestamp and
 * the record's Kafka partition and offset.
 * Strings are written with {@link StringValue} (any length: the stream id is the Kafka key and the
 * detail may quote a producer's header, either of which can exceed {@code writeUTF}'s 64 KiB).
 * Compressed bytes are copied once each way; nothing else is.
 */
public final class FrameRecordSerializer extends TypeSerializerSingleton<FrameRecord> {
    private static final long serialVersionUID = 1L;
    public static final FrameRecordSerializer INSTANCE = new FrameRecordSerializer();
    private static final int VALID = 1;
    private static final int KEYFRAME = 2;
    private static final Codec[] CODECS = Codec.values();
    private static final DecodeError[] ERRORS = DecodeError.values();

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public FrameRecord createInstance() {
        return FrameRecord.invalid("", DecodeError.CORRUPT, "", 0);
    }

    @Override
    public FrameRecord copy(FrameRecord from) {
        return from;
    }

    @Override
    public FrameRecord copy(FrameRecord from, FrameRecord reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(FrameRecord r, DataOutputView out) throws IOException {
        StringValue.writeString(r.streamId(), out);
        AccessUnit u = r.unit();
        if (u != null) {
            out.writeByte(VALID | (u.keyframe() ? KEYFRAME : 0));
            out.writeByte(u.codec().ordinal());
            out.writeLong(u.ptsMicros());
            out.writeInt(u.data().length);
            out.write(u.data());
        } else {
            out.writeByte(0);
            out.writeByte(r.error().ordinal());
            StringValue.writeString(r.detail() == null ? "" : r.detail(), out);
        }
        out.writeLong(r.ingestMillis());
        out.writeInt(r.partition());
        out.writeLong(r.offset());
    }

    @Override
    public FrameRecord deserialize(DataInputView in) throws IOException {
        String stream = StringValue.readString(in);
        int flags = in.readByte();
        if ((flags & VALID) != 0) {
            Codec codec = CODECS[in.readByte()];
            long pts = in.readLong();
            byte[] data = new byte[in.readInt()];
            in.readFully(data);
            long ingest = in.readLong();
            return FrameRecord.valid(stream, new AccessUnit(codec, pts, (flags & KEYFRAME) != 0, data), ingest).at(in.readInt(), in.readLong());
        }
        DecodeError error = ERRORS[in.readByte()];
        String detail = StringValue.readString(in);
        long ingest = in.readLong();
        return FrameRecord.invalid(stream, error, detail, ingest).at(in.readInt(), in.readLong());
    }

    @Override
    public FrameRecord deserialize(FrameRecord reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<FrameRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot of the format above (records cross the network only, never state). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<FrameRecord> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
