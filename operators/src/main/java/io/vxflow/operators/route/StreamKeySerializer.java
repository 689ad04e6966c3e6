package io.vxflow.operators.route;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes {@link StreamKey}s (across the shuffle before decode, and as decode's keys in checkpoints):
 * the stream id (modified UTF-8), the key group, the hash. The hash is written rather than looked
 * up again so that reading a key needs no max parallelism.
 */
public final class StreamKeySerializer extends TypeSerializerSingleton<StreamKey> {
    private static final long serialVersionUID = 1L;
    public static final StreamKeySerializer INSTANCE = new StreamKeySerializer();

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public StreamKey createInstance() {
        return new StreamKey("", 0, 0);
    }

    @Override
    public StreamKey copy(StreamKey from) {
        return from;
    }

    @Override
    public StreamKey copy(StreamKey from, StreamKey reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(StreamKey k, DataOutputView out) throws IOException {
        out.writeUTF(k.streamId());
        out.writeInt(k.keyGroup());
        out.writeInt(k.hash());
    }

    @Override
    public StreamKey deserialize(DataInputView in) throws IOException {
        String id = in.readUTF();
        int group = in.readInt();
        return new StreamKey(id, group, in.readInt());
    }

    @Override
    public StreamKey deserialize(StreamKey reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<StreamKey> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<StreamKey> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
