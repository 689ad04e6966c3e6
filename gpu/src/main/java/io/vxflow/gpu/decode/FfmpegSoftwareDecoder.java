package io.vxflow.gpu.decode;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.Image;
import io.vxflow.gpu.image.PixelFormat;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * FFmpeg software decoding of one H.264 or HEVC stream into host memory (I420, or I420_10 for
 * 10-bit). Owns its codec context, one packet, a native copy buffer for the access unit and a
 * small free list of frame structs; the pixel buffers belong to FFmpeg's pool and go back to it when
 * a leased frame is released.
 *
 * <p>Frames FFmpeg knows to be damaged are never handed out: the decoder runs with
 * {@code AV_CODEC_FLAG_OUTPUT_CORRUPT} off and error detection on, and reports such input as
 * {@link DecodeError#CORRUPT}. Not thread-safe: one task thread drives it.
 */
public final class FfmpegSoftwareDecoder implements VideoDecoder {
    /** libavcodec's FF_THREAD_SLICE and AV_FRAME_FLAG_CORRUPT: macros the preset does not map. */
    static final int FF_THREAD_SLICE = 2;
    static final int AV_FRAME_FLAG_CORRUPT = 1;
    private final Codec codec;
    private final AVCodecContext context;
    private final AccessUnitPacket packet;
    private final ArrayDeque<AVFrame> freeFrames = new ArrayDeque<>();
    private boolean closed;

    /**
     * @param threads decoding threads (slice threading, which adds no delay); 1 suits many streams
     *     per slot
     */
    public FfmpegSoftwareDecoder(Codec codec, int threads) {
        this.codec = codec;
        FfmpegLogging.install();
        AVCodec decoder = avcodec_find_decoder(codec == Codec.H264 ? AV_CODEC_ID_H264 : AV_CODEC_ID_HEVC);
        if (decoder == null) {
            throw new IllegalStateException("this FFmpeg build has no " + codec.wireName() + " decoder");
        }
        context = avcodec_alloc_context3(decoder);
        context.thread_count(Math.max(1, threads));
        context.thread_type(FF_THREAD_SLICE);
        context.flags(context.flags() & ~AV_CODEC_FLAG_OUTPUT_CORRUPT);
        context.err_recognition(AV_EF_CRCCHECK | AV_EF_BITSTREAM | AV_EF_EXPLODE);
        int ret = avcodec_open2(context, decoder, (AVDictionary) null);
        if (ret < 0) {
            avcodec_free_context(context);
            throw new IllegalStateException("cannot open the " + codec.wireName() + " decoder: " + FfmpegErrors.describe(ret));
        }
        packet = new AccessUnitPacket();
    }

    @Override
    public Codec codec() {
        return codec;
    }

    @Override
    public String engine() {
        return "cpu";
    }

    @Override
    public void decode(AccessUnit unit, Consumer<DecodedFrame> out) throws DecodeException {
        ensureOpen();
        packet.send(context, unit);
        receive(out);
    }

    @Override
    public void drain(Consumer<DecodedFrame> out) throws DecodeException {
        ensureOpen();
        avcodec_send_packet(context, (AVPacket) null);
        try {
            receive(out);
        } finally {
            avcodec_flush_buffers(context);
        }
    }

    @Override
    public void reset() {
        ensureOpen();
        avcodec_flush_buffers(context);
    }

    private void receive(Consumer<DecodedFrame> out) throws DecodeException {
        while (true) {
            AVFrame frame = freeFrames.isEmpty() ? av_frame_alloc() : freeFrames.pop();
            int ret = avcodec_receive_frame(context, frame);
            if (ret == AVERROR_EAGAIN() || ret == AVERROR_EOF) {
                freeFrames.push(frame);
                return;
            }
            if (ret < 0) {
                freeFrames.push(frame);
                throw new DecodeException(DecodeError.CORRUPT, "decoding failed: " + FfmpegErrors.describe(ret));
            }
            if (isDamaged(frame)) {
                av_frame_unref(frame);
                freeFrames.push(frame);
                throw new DecodeException(DecodeError.CORRUPT, "decoder flagged the picture as damaged");
            }
            PixelFormat format = pixelFormat(frame.format());
            if (format == null) {
                String name = av_get_pix_fmt_name(frame.format()).getString();
                av_frame_unref(frame);
                freeFrames.push(frame);
                throw new DecodeException(DecodeError.UNSUPPORTED_FORMAT,
                        "pixel format " + name + " is not supported (4:2:0, 8 or 10 bits only)");
            }
            out.accept(new Lease(frame, format));
        }
    }

    /** Whether FFmpeg flagged the picture as damaged (concealed errors or a missing reference). */
    static boolean isDamaged(AVFrame frame) {
        return (frame.flags() & AV_FRAME_FLAG_CORRUPT) != 0 || frame.decode_error_flags() != 0;
    }

    /** The picture's presentation time: the packet pts FFmpeg reordered, else its best guess. */
    static long ptsOf(AVFrame frame) {
        long p = frame.pts();
        return p != AV_NOPTS_VALUE ? p : frame.best_effort_timestamp();
    }

    /** The vxflow layout of a software frame's FFmpeg pixel format, or null when there is none. */
    static PixelFormat pixelFormat(int avFormat) {
        if (avFormat == AV_PIX_FMT_YUV420P || avFormat == AV_PIX_FMT_YUVJ420P) {
            return PixelFormat.I420;
        } else if (avFormat == AV_PIX_FMT_NV12) {
            return PixelFormat.NV12;
        } else if (avFormat == AV_PIX_FMT_YUV420P10LE) {
            return PixelFormat.I420_10;
        } else if (avFormat == AV_PIX_FMT_P010LE) {
            return PixelFormat.P010;
        }
        return null;
    }

    /** The colour description FFmpeg read from the stream, or the player default for the size. */
    static ColorSpec readColorSpec(AVFrame frame) {
        boolean full = frame.color_range() == AVCOL_RANGE_JPEG || frame.format() == AV_PIX_FMT_YUVJ420P;
        ColorSpec.Matrix matrix;
        switch (frame.colorspace()) {
            case AVCOL_SPC_BT709:
                matrix = ColorSpec.Matrix.BT709;
                break;
            case AVCOL_SPC_BT470BG:
            case AVCOL_SPC_SMPTE170M:
                matrix = ColorSpec.Matrix.BT601;
                break;
            case AVCOL_SPC_BT2020_NCL:
                matrix = ColorSpec.Matrix.BT2020;
                break;
            default:
                matrix = ColorSpec.defaultFor(frame.height()).matrix();
        }
        return new ColorSpec(matrix, full);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("decoder is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        avcodec_free_context(context);
        packet.close();
        for (AVFrame f : freeFrames) {
            av_frame_free(f);
        }
        freeFrames.clear();
    }

    /** A decoded frame that holds a reference on FFmpeg's buffers until released. */
    private final class Lease implements DecodedFrame {
        private final AVFrame frame;
        private final HostImage image;
        private final long pts;
        private final ColorSpec colorSpec;
        private boolean released;

        Lease(AVFrame frame, PixelFormat format) {
            this.frame = frame;
            int w = frame.width(), h = frame.height();
            ByteBuffer[] planes = new ByteBuffer[format.planes()];
            int[] strides = new int[format.planes()];
            for (int i = 0; i < planes.length; i++) {
                int rows = i == 0 ? h : (h + 1) / 2;
                strides[i] = frame.linesize(i);
                planes[i] = frame.data(i).capacity((long) strides[i] * rows).asByteBuffer();
            }
            this.image = new HostImage(format, w, h, planes, strides);
            this.pts = ptsOf(frame);
            this.colorSpec = readColorSpec(frame);
        }

        @Override
        public long ptsMicros() {
            return pts;
        }

        @Override
        public ColorSpec colorSpec() {
            return colorSpec;
        }

        @Override
        public Image image() {
            if (released) {
                throw new IllegalStateException("frame at pts " + pts + " was released");
            }
            return image;
        }

        @Override
        public void release() {
            if (released) {
                return;
            }
            released = true;
            av_frame_unref(frame);
            if (closed) {
                av_frame_free(frame);
            } else {
                freeFrames.push(frame);
            }
        }

        @Override
        public boolean isReleased() {
            return released;
        }
    }
}
