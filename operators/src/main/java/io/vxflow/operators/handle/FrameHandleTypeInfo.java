package io.vxflow.operators.handle;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Type information for {@link FrameHandle}. Its serializer passes handles between chained
 * operators by reference and refuses to write them to a network or state: a frame handle crossing a
 * chain boundary would mean copying frames off the GPU. {@code FrameChainValidator} catches such
 * topologies when the job is built, naming the edge.
 */
public final class FrameHandleTypeInfo extends TypeInformation<FrameHandle> {
    private static final long serialVersionUID = 1L;
    public static final FrameHandleTypeInfo INSTANCE = new FrameHandleTypeInfo();

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
    public Class<FrameHandle> getTypeClass() {
        return FrameHandle.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<FrameHandle> createSerializer(SerializerConfig config) {
        return FrameHandleSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "FrameHandle";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FrameHandleTypeInfo;
    }

    @Override
    public int hashCode() {
        return FrameHandleTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof FrameHandleTypeInfo;
    }
}
