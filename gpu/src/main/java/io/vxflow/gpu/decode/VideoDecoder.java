package io.vxflow.gpu.decode;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import java.util.function.Consumer;

/**
 * Decodes one video stream. Frames come out in presentation order (B-frames reordered), each leased
 * to the consumer, which must {@link DecodedFrame#release() release} it. A decoder holds a few
 * frames back while it reorders; {@link #drain} hands them out at the end of a stream.
 *
 * <p>A decoder never decides to skip input: the caller owns resynchronisation (wait for a keyframe,
 * then {@link #reset}).
 */
public interface VideoDecoder extends AutoCloseable {
    Codec codec();

    /** Decodes one access unit; zero or more frames come out. */
    void decode(AccessUnit unit, Consumer<DecodedFrame> out) throws DecodeException;

    /** Hands out every frame still held for reordering; the decoder then needs a keyframe. */
    void drain(Consumer<DecodedFrame> out) throws DecodeException;

    /** Forgets all reference pictures; the next access unit must be a keyframe. */
    void reset();

    /**
     * How many frames this stream's pictures may come out after later-decoded ones (B-frame
     * reordering), as the decoder has learned it from the stream; -1 when it does not know yet.
     */
    default int reorderDepth() {
        return -1;
    }

    /** Where frames are decoded: "cpu" or "nvdec"; shows up in metrics. */
    String engine();

    @Override
    void close();
}
