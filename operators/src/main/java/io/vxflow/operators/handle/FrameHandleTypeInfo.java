package io.vxflow.operators.handle;

import io.vxflow.connectors.typeinfo.SerializerTypeInfo;

/**
 * Type information for {@link FrameHandle}. Its serializer passes handles between chained
 * operators by reference and refuses to write them to a network or state: a frame handle crossing a
 * chain boundary would mean copying frames off the GPU. {@code FrameChainValidator} catches such
 * topologies when the job is built, naming the edge.
 */
public final class FrameHandleTypeInfo extends SerializerTypeInfo<FrameHandle> {
    private static final long serialVersionUID = 1L;
    public static final FrameHandleTypeInfo INSTANCE = new FrameHandleTypeInfo();

    private FrameHandleTypeInfo() {
        super(FrameHandle.class, FrameHandleSerializer.INSTANCE);
    }
}
