package io.vxflow.operators.decode;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes {@link StreamPosition} into checkpoints. Format version 2: a version byte, then next frame
 * index, last emitted pts, a flags byte (emitted any, GOP overflow, drained), GOP units, GOP bytes,
 * units before the current keyframe and the keyframe's pts. Version 1 (without the last two fields
 * and the drained flag) is still read.
 */
public final class StreamPositionSerializer extends TypeSerializerSingleton<StreamPosition> {
    private static final long serialVersionUID = 1L;
    public static final StreamPositionSerializer INSTANCE = new StreamPositionSerializer();
    static final int VERSION = 2;
    static final int V2_LENGTH = 1 + 8 + 8 + 1 + 4 + 8 + 4 + 8;

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

    /** Variable: version 2 records are {@value #V2_LENGTH} bytes, version 1 records 30. */
    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(StreamPosition p, DataOutputView out) throws IOException {
        out.writeByte(VERSION);
        out.writeLong(p.nextFrameIndex);
        out.writeLong(p.lastEmittedPts);
        out.writeByte((p.emittedAny ? 1 : 0) | (p.gopOverflow ? 2 : 0) | (p.drained ? 4 : 0));
        out.writeInt(p.gopUnits);
        out.writeLong(p.gopBytes);
        out.writeInt(p.previousUnits);
        out.writeLong(p.keyframePts);
    }

    @Override
    public StreamPosition deserialize(DataInputView in) throws IOException {
        int version = in.readByte();
        if (version != 1 && version != VERSION) {
            throw new IOException("unknown StreamPosition format version " + version);
        }
        StreamPosition p = new StreamPosition();
        p.nextFrameIndex = in.readLong();
        p.lastEmittedPts = in.readLong();
        int flags = in.readByte();
        p.emittedAny = (flags & 1) != 0;
        p.gopOverflow = (flags & 2) != 0;
        p.drained = (flags & 4) != 0;
        p.gopUnits = in.readInt();
        p.gopBytes = in.readLong();
        if (version >= 2) {
            p.previousUnits = in.readInt();
            p.keyframePts = in.readLong();
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
