package io.vxflow.operators.handle;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Hands {@link FrameHandle}s on by reference ({@code copy} returns the same handle: ownership moves
 * down the chain) and refuses every form of serialization.
 */
public final class FrameHandleSerializer extends TypeSerializerSingleton<FrameHandle> {
    private static final long serialVersionUID = 1L;
    public static final FrameHandleSerializer INSTANCE = new FrameHandleSerializer();

    static final String REFUSAL = "a FrameHandle refers to frames in GPU or native memory and cannot be serialized: it must "
            + "stay inside one operator chain (same parallelism, forward edges, chaining enabled). FrameChainValidator "
            + "names the edge that breaks the chain.";

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public FrameHandle createInstance() {
        return null;
    }

    @Override
    public FrameHandle copy(FrameHandle from) {
        return from;
    }

    @Override
    public FrameHandle copy(FrameHandle from, FrameHandle reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(FrameHandle record, DataOutputView target) {
        throw new UnsupportedOperationException(REFUSAL);
    }

    @Override
    public FrameHandle deserialize(DataInputView source) {
        throw new UnsupportedOperationException(REFUSAL);
    }

    @Override
    public FrameHandle deserialize(FrameHandle reuse, DataInputView source) {
        throw new UnsupportedOperationException(REFUSAL);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        throw new UnsupportedOperationException(REFUSAL);
    }

    @Override
    public TypeSerializerSnapshot<FrameHandle> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot for Flink's bookkeeping; no FrameHandle is ever written. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<FrameHandle> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
