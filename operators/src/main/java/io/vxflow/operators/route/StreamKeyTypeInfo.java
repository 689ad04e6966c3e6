package io.vxflow.operators.route;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink type information for {@link StreamKey}: a key type, serialized by {@link StreamKeySerializer}. */
public final class StreamKeyTypeInfo extends TypeInformation<StreamKey> {
    private static final long serialVersionUID = 1L;
    public static final StreamKeyTypeInfo INSTANCE = new StreamKeyTypeInfo();

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
    public Class<StreamKey> getTypeClass() {
        return StreamKey.class;
    }

    @Override
    public boolean isKeyType() {
        return true;
    }

    @Override
    public TypeSerializer<StreamKey> createSerializer(SerializerConfig config) {
        return StreamKeySerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "StreamKey";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamKeyTypeInfo;
    }

    @Override
    public int hashCode() {
        return StreamKeyTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof StreamKeyTypeInfo;
    }
}
