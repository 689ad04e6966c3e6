package io.vxflow.connectors.producer;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.codec.Codec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParserContext;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Reads each access unit's picture order count (its place in presentation order) with FFmpeg's
 * H.264/HEVC parser, which reads headers only and decodes no picture. Needed for streams without
 * timestamps, whose B-frames would otherwise get decode-order times. Also picks up the frame rate
 * from the SPS/VPS timing information when the stream has it.
 *
 * <p>Owns a parser context, an unopened codec context the parser writes stream properties into,
 * and a native copy buffer. Not thread-safe.
 */
final class PictureOrderCounter implements AutoCloseable {
    static final int UNKNOWN = Integer.MIN_VALUE;

    private final AVCodecParserContext parser;
    private final AVCodecContext properties;
    private final PointerPointer<BytePointer> parsed = new PointerPointer<>(1);
    private final IntPointer parsedSize = new IntPointer(1);
    private BytePointer buffer = new BytePointer(256 * 1024);
    private boolean closed;

    PictureOrderCounter(Codec codec) {
        parser = av_parser_init(codec == Codec.H264 ? AV_CODEC_ID_H264 : AV_CODEC_ID_HEVC);
        if (parser == null) {
            throw new IllegalStateException("this FFmpeg build has no " + codec.wireName() + " parser");
        }
        parser.flags(parser.flags() | AVCodecParserContext.PARSER_FLAG_COMPLETE_FRAMES);
        properties = avcodec_alloc_context3(null);
    }

    /** The picture order count of the access unit's picture, or {@link #UNKNOWN}. */
    int pictureOrderCount(byte[] accessUnit) {
        int needed = accessUnit.length + AV_INPUT_BUFFER_PADDING_SIZE;
        if (buffer.capacity() < needed) {
            buffer.close();
            buffer = new BytePointer(Math.max(needed, buffer.capacity() * 2));
        }
        buffer.position(0).put(accessUnit, 0, accessUnit.length);
        for (int i = 0; i < AV_INPUT_BUFFER_PADDING_SIZE; i++) {
            buffer.put(accessUnit.length + i, (byte) 0);
        }
        parser.output_picture_number(UNKNOWN);
        av_parser_parse2(parser, properties, parsed, parsedSize, buffer, accessUnit.length,
                AV_NOPTS_VALUE, AV_NOPTS_VALUE, 0);
        return parser.output_picture_number();
    }

    /** The frame rate the stream's timing information gives, or null if it gives none. */
    FrameRate frameRate() {
        AVRational r = properties.framerate();
        return r.num() > 0 && r.den() > 0 && r.num() / r.den() <= 1000 ? new FrameRate(r.num(), r.den()) : null;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            av_parser_close(parser);
            avcodec_free_context(properties);
            buffer.close();
            parsed.close();
            parsedSize.close();
        }
    }
}
