package io.vxflow.operators.decode;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes {@link StreamPosition} into checkpoints. Format version 3: a version byte, next frame index,
 * last emitted pts, a flags byte (1: emitted any), the partition, the last offset, the last
 * record's Kafka timestamp, the number of keyframes kept (0 to {@value StreamPosition#MAX_KEYFRAMES}),
 * then each keyframe's offset and pts: at most 103 bytes. Versions 1 and 2, which kept the GOP's bytes in list state beside the
 * position, are still read: their numbering and last pts carry over, and such a stream resumes at its
 * next keyframe (it has no offsets to read its GOP again from).
 */
public final class StreamPositionSerializer extends TypeSerializerSingleton<StreamPosition> {
    private static final long serialVersionUID = 1L;
    public static final StreamPositionSerializer INSTANCE = new StreamPositionSerializer();
    static final int VERSION = 3;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public StreamPosition createInstance() {
        return new StreamPosition();
    }

    @Override
    public StreamPosition copy(StreamPosition from) {
        return from.copy();
    }

    @Override
    public StreamPosition copy(StreamPosition from, StreamPosition reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(StreamPosition p, DataOutputView out) throws IOException {
        out.writeByte(VERSION);
        out.writeLong(p.nextFrameIndex);
        out.writeLong(p.lastEmittedPts);
        out.writeByte(p.emittedAny ? 1 : 0);
        out.writeInt(p.partition);
        out.writeLong(p.lastOffset);
        out.writeLong(p.lastIngestMillis);
        out.writeByte(p.keyframes);
        for (int i = 0; i < p.keyframes; i++) {
            out.writeLong(p.keyframeOffsets[i]);
            out.writeLong(p.keyframePts[i]);
        }
    }

    @Override
    public StreamPosition deserialize(DataInputView in) throws IOException {
        int version = in.readByte();
        if (version < 1 || version > VERSION) {
            throw new IOException("unknown StreamPosition format version " + version);
        }
        StreamPosition p = new StreamPosition();
        p.nextFrameIndex = in.readLong();
        p.lastEmittedPts = in.readLong();
        int flags = in.readByte();
        p.emittedAny = (flags & 1) != 0; // 2 (GOP overflow) and 4 (drained) of versions 1 and 2 mean nothing without their GOP
        if (version < 3) {
            in.skipBytesToRead(4 + 8 + (version == 2 ? 4 + 8 : 0)); // the GOP buffer's size: the units stayed in list state
            return p;
        }
        p.partition = in.readInt();
        p.lastOffset = in.readLong();
        p.lastIngestMillis = in.readLong();
        int n = in.readByte();
        if (n < 0 || n > StreamPosition.MAX_KEYFRAMES) {
            throw new IOException("StreamPosition with " + n + " keyframes");
        }
        p.keyframes = n;
        for (int i = 0; i < n; i++) {
            p.keyframeOffsets[i] = in.readLong();
            p.keyframePts[i] = in.readLong();
        }
        return p;
    }

    @Override
    public StreamPosition deserialize(StreamPosition reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<StreamPosition> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<StreamPosition> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
