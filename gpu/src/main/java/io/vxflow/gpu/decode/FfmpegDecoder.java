package io.vxflow.gpu.decode;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.codec.DecodeError;
import io.vxflow.codec.FfmpegErrors;
import io.vxflow.codec.FfmpegLogging;
import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.PixelFormat;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * What FFmpeg-based decoders share: an H.264 or HEVC codec context opened with error detection on
 * and damaged pictures withheld, the packet an access unit is sent in, the send/receive/drain loop,
 * and a free list of frame structs. Subclasses turn each good picture into a {@link DecodedFrame}
 * ({@link #lease}). One thread at a time drives a decoder (a decode worker, for one stream); frames
 * it handed out may be released from any thread.
 */
abstract class FfmpegDecoder implements VideoDecoder {
    /** libavcodec's FF_THREAD_SLICE and AV_FRAME_FLAG_CORRUPT: macros the preset does not map. */
    static final int FF_THREAD_SLICE = 2;
    static final int AV_FRAME_FLAG_CORRUPT = 1;

    protected final Codec codec;
    protected final AVCodecContext context;
    private final AccessUnitPacket packet = new AccessUnitPacket();
    private final ArrayDeque<AVFrame> freeFrames = new ArrayDeque<>();
    private volatile boolean closed;

    /**
     * @param threads slice threads (no added delay)
     * @param configure last settings before the codec opens (hardware device, extra frames)
     * @param openFailure what to say if the codec does not open
     */
    FfmpegDecoder(Codec codec, int threads, Consumer<AVCodecContext> configure, String openFailure) {
        this.codec = codec;
        FfmpegLogging.install();
        AVCodec decoder = avcodec_find_decoder(codec == Codec.H264 ? AV_CODEC_ID_H264 : AV_CODEC_ID_HEVC);
        if (decoder == null) {
            packet.close();
            throw new IllegalStateException("this FFmpeg build has no " + codec.wireName() + " decoder");
        }
        context = avcodec_alloc_context3(decoder);
        context.thread_count(Math.max(1, threads));
        context.thread_type(FF_THREAD_SLICE);
        context.flags(context.flags() & ~AV_CODEC_FLAG_OUTPUT_CORRUPT);
        context.err_recognition(AV_EF_CRCCHECK | AV_EF_BITSTREAM | AV_EF_EXPLODE);
        configure.accept(context);
        int ret = avcodec_open2(context, decoder, (AVDictionary) null);
        if (ret < 0) {
            avcodec_free_context(context);
            packet.close();
            throw new IllegalStateException(openFailure + ": " + FfmpegErrors.describe(ret));
        }
    }

    @Override
    public Codec codec() {
        return codec;
    }

    @Override
    public void decode(AccessUnit unit, Consumer<DecodedFrame> out) throws DecodeException {
        ensureOpen();
        onDecodeThread();
        packet.send(context, unit);
        receive(out);
    }

    @Override
    public void drain(Consumer<DecodedFrame> out) throws DecodeException {
        ensureOpen();
        onDecodeThread();
        avcodec_send_packet(context, (AVPacket) null);
        try {
            receive(out);
        } finally {
            avcodec_flush_buffers(context);
        }
    }

    /** FFmpeg's {@code has_b_frames}: the reorder delay it derived from the stream's parameter sets and pictures. */
    @Override
    public int reorderDepth() {
        return closed ? -1 : context.has_b_frames();
    }

    @Override
    public void reset() {
        ensureOpen();
        avcodec_flush_buffers(context);
    }

    /** Binds whatever the calling thread needs before FFmpeg runs (the GPU context, for NVDEC). */
    void onDecodeThread() {}

    private void receive(Consumer<DecodedFrame> out) throws DecodeException {
        while (true) {
            AVFrame frame = takeFrame();
            int ret = avcodec_receive_frame(context, frame);
            if (ret == AVERROR_EAGAIN() || ret == AVERROR_EOF) {
                putFrame(frame);
                return;
            }
            if (ret < 0) {
                putFrame(frame);
                throw new DecodeException(DecodeError.CORRUPT, "decoding failed: " + FfmpegErrors.describe(ret));
            }
            if (isDamaged(frame)) {
                discard(frame);
                throw new DecodeException(DecodeError.CORRUPT, "decoder flagged the picture as damaged");
            }
            out.accept(lease(frame));
        }
    }

    /** Turns a decoded, undamaged picture into a lease; on failure it discards the frame and throws. */
    abstract DecodedFrame lease(AVFrame frame) throws DecodeException;

    private AVFrame takeFrame() {
        synchronized (freeFrames) {
            AVFrame f = freeFrames.poll();
            return f != null ? f : av_frame_alloc();
        }
    }

    /** Back to the free list, or freed when the decoder has closed meanwhile (frames may outlive it). */
    private void putFrame(AVFrame frame) {
        synchronized (freeFrames) {
            if (!closed) {
                freeFrames.push(frame);
                return;
            }
        }
        av_frame_free(frame);
    }

    /** Gives a frame's buffers back to FFmpeg and its struct to the free list. */
    final void discard(AVFrame frame) {
        av_frame_unref(frame);
        putFrame(frame);
    }

    /** {@link #discard} from any thread, also after the decoder closed (FFmpeg's pool buffers outlive it). */
    final void recycle(AVFrame frame) {
        discard(frame);
    }

    final boolean isClosed() {
        return closed;
    }

    /** Frees what the subclass owns; called once, after the codec is freed. */
    void closeResources() {}

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("decoder is closed");
        }
    }

    @Override
    public final void close() {
        if (closed) {
            return;
        }
        avcodec_free_context(context);
        packet.close();
        synchronized (freeFrames) {
            closed = true;
            for (AVFrame f : freeFrames) {
                av_frame_free(f);
            }
            freeFrames.clear();
        }
        closeResources();
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

    static String formatName(int avFormat) {
        org.bytedeco.javacpp.BytePointer name = av_get_pix_fmt_name(avFormat);
        return name == null || name.isNull() ? "format " + avFormat : name.getString();
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
}
