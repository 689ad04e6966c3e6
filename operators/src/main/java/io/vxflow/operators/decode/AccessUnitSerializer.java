package io.vxflow.operators.decode;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes buffered {@link AccessUnit}s into checkpoints. Format version 1: a version byte, the
 * codec's wire name, pts, keyframe flag, length and bytes.
 */
public final class AccessUnitSerializer extends TypeSerializerSingleton<AccessUnit> {
    private static final long serialVersionUID = 1L;
    public static final AccessUnitSerializer INSTANCE = new AccessUnitSerializer();
    static final int VERSION = 1;

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public AccessUnit createInstance() {
        return new AccessUnit(Codec.H264, 0, false, new byte[0]);
    }

    @Override
    public AccessUnit copy(AccessUnit from) {
        return from;
    }

    @Override
    public AccessUnit copy(AccessUnit from, AccessUnit reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(AccessUnit u, DataOutputView out) throws IOException {
        out.writeByte(VERSION);
        out.writeUTF(u.codec().wireName());
        out.writeLong(u.ptsMicros());
        out.writeBoolean(u.keyframe());
        out.writeInt(u.data().length);
        out.write(u.data());
    }

    @Override
    public AccessUnit deserialize(DataInputView in) throws IOException {
        int version = in.readByte();
        if (version != VERSION) {
            throw new IOException("unknown AccessUnit format version " + version);
        }
        String codec = in.readUTF();
        long pts = in.readLong();
        boolean key = in.readBoolean();
        byte[] data = new byte[in.readInt()];
        in.readFully(data);
        return new AccessUnit(Codec.fromWireName(codec).orElseThrow(() -> new IOException("unknown codec " + codec)), pts, key, data);
    }

    @Override
    public AccessUnit deserialize(AccessUnit reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<AccessUnit> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<AccessUnit> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
