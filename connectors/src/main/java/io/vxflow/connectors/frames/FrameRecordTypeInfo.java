package io.vxflow.connectors.frames;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink type information for {@link FrameRecord}: serialized by {@link FrameRecordSerializer}. */
public final class FrameRecordTypeInfo extends TypeInformation<FrameRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<FrameRecord> getTypeClass() {
        return FrameRecord.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<FrameRecord> createSerializer(SerializerConfig config) {
        return FrameRecordSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "FrameRecord";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FrameRecordTypeInfo;
    }

    @Override
    public int hashCode() {
        return FrameRecordTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof FrameRecordTypeInfo;
    }
}
