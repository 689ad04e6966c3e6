package io.vxflow.operators.decode;

import io.vxflow.codec.AccessUnit;
import io.vxflow.gpu.decode.DecodeException;
import io.vxflow.gpu.decode.DecodedFrame;
import io.vxflow.gpu.decode.VideoDecoder;
import java.util.function.Consumer;

/**
 * A test double for the one failure no real input produces on demand: a decoder (FFmpeg's, wrapped)
 * that throws a runtime exception, as a native wrapper with a bug would, on its {@code failAt}-th
 * access unit (counted from 1), and whose {@code close()} throws too. Everything else is the real
 * decoder's.
 */
final class ThrowingDecoder extends ForwardingDecoder {
    private final int failAt;
    private int units;

    ThrowingDecoder(VideoDecoder real, int failAt) {
        super(real);
        this.failAt = failAt;
    }

    @Override
    public void decode(AccessUnit unit, Consumer<DecodedFrame> out) throws DecodeException {
        if (++units == failAt) {
            throw new IllegalStateException("decoder bug: index out of range in the test double");
        }
        super.decode(unit, out);
    }

    @Override
    public void close() {
        super.close();
        if (units >= failAt) {
            throw new IllegalStateException("the test double fails to close after its failure");
        }
    }
}
