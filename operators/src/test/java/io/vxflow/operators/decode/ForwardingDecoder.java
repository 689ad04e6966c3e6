package io.vxflow.operators.decode;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.gpu.decode.DecodeException;
import io.vxflow.gpu.decode.DecodedFrame;
import io.vxflow.gpu.decode.VideoDecoder;
import java.util.function.Consumer;

/** A real decoder, wrapped: every call goes to it; test doubles override the calls they watch or break. */
class ForwardingDecoder implements VideoDecoder {
    private final VideoDecoder real;

    ForwardingDecoder(VideoDecoder real) {
        this.real = real;
    }

    @Override
    public Codec codec() {
        return real.codec();
    }

    @Override
    public void decode(AccessUnit unit, Consumer<DecodedFrame> out) throws DecodeException {
        real.decode(unit, out);
    }

    @Override
    public void drain(Consumer<DecodedFrame> out) throws DecodeException {
        real.drain(out);
    }

    @Override
    public void reset() {
        real.reset();
    }

    @Override
    public int reorderDepth() {
        return real.reorderDepth();
    }

    @Override
    public String engine() {
        return real.engine();
    }

    @Override
    public void close() {
        real.close();
    }
}
