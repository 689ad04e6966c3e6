package io.vxflow.connectors.frames;

import io.vxflow.connectors.typeinfo.SerializerTypeInfo;

/** Flink type information for {@link FrameRecord}: serialized by {@link FrameRecordSerializer}. */
public final class FrameRecordTypeInfo extends SerializerTypeInfo<FrameRecord> {
    private static final long serialVersionUID = 1L;

    public FrameRecordTypeInfo() {
        super(FrameRecord.class, FrameRecordSerializer.INSTANCE);
    }
}
