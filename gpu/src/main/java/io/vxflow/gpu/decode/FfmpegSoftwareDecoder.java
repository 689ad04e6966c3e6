package io.vxflow.gpu.decode;

import io.vxflow.codec.Codec;
import io.vxflow.codec.DecodeError;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.PixelFormat;
import java.nio.ByteBuffer;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * FFmpeg software decoding of one H.264 or HEVC stream into host memory (I420, or I420_10 for
 * 10-bit). Owns its codec context, one packet, a native copy buffer for the access unit and a
 * small free list of frame structs; the pixel buffers belong to FFmpeg's pool and go back to it when
 * a leased frame is released.
 *
 * <p>Frames FFmpeg knows to be damaged are never handed out: the decoder runs with
 * {@code AV_CODEC_FLAG_OUTPUT_CORRUPT} off and error detection on, and reports such input as
 * {@link DecodeError#CORRUPT}. One thread at a time drives it; frames may be released from any thread.
 */
public final class FfmpegSoftwareDecoder extends FfmpegDecoder {
    /**
     * @param threads decoding threads (slice threading, which adds no delay); 1 suits many streams
     *     per slot
     */
    public FfmpegSoftwareDecoder(Codec codec, int threads) {
        super(codec, threads, ctx -> {}, "cannot open the " + codec.wireName() + " decoder");
    }

    @Override
    public String engine() {
        return "cpu";
    }

    @Override
    DecodedFrame lease(AVFrame frame) throws DecodeException {
        PixelFormat format = pixelFormat(frame.format());
        if (format == null) {
            String name = formatName(frame.format());
            discard(frame);
            throw new DecodeException(DecodeError.UNSUPPORTED_FORMAT, "pixel format " + name + " is not supported (4:2:0, 8 or 10 bits only)");
        }
        int w = frame.width(), h = frame.height();
        ByteBuffer[] planes = new ByteBuffer[format.planes()];
        int[] strides = new int[format.planes()];
        for (int i = 0; i < planes.length; i++) {
            int rows = i == 0 ? h : (h + 1) / 2;
            strides[i] = frame.linesize(i);
            planes[i] = frame.data(i).capacity((long) strides[i] * rows).asByteBuffer();
        }
        return new FrameLease(new HostImage(format, w, h, planes, strides), ptsOf(frame), readColorSpec(frame)) {
            @Override
            void free() {
                recycle(frame); // FFmpeg's pool buffers outlive the decoder, so this is safe after close()
            }
        };
    }
}
