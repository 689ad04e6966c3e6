package io.vxflow.operators.decode;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes {@link StreamPosition} into checkpoints. Format version 1: a version byte, then next frame
 * index, last emitted pts, a flags byte (emitted any, GOP overflow), GOP units and GOP bytes. The
 * leading version byte lets later formats read this one.
 */
public final class StreamPositionSerializer extends TypeSerializerSingleton<StreamPosition> {
    private static final long serialVersionUID = 1L;
    public static final StreamPositionSerializer INSTANCE = new StreamPositionSerializer();
    static final int VERSION = 1;

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
        return 1 + 8 + 8 + 1 + 4 + 8;
    }

    @Override
    public void serialize(StreamPosition p, DataOutputView out) throws IOException {
        out.writeByte(VERSION);
        out.writeLong(p.nextFrameIndex);
        out.writeLong(p.lastEmittedPts);
        out.writeByte((p.emittedAny ? 1 : 0) | (p.gopOverflow ? 2 : 0));
        out.writeInt(p.gopUnits);
        out.writeLong(p.gopBytes);
    }

    @Override
    public StreamPosition deserialize(DataInputView in) throws IOException {
        int version = in.readByte();
        if (version != VERSION) {
            throw new IOException("unknown StreamPosition format version " + version);
        }
        long next = in.readLong();
        long pts = in.readLong();
        int flags = in.readByte();
        int units = in.readInt();
        long bytes = in.readLong();
        return new StreamPosition(next, pts, (flags & 1) != 0, (flags & 2) != 0, units, bytes);
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
