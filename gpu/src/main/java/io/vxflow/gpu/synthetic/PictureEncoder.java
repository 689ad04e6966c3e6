package io.vxflow.gpu.synthetic;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.codec.FfmpegErrors;
import io.vxflow.codec.FfmpegLogging;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;

/**
 * Turns painted pictures into H.264 or HEVC access units with one FFmpeg encoder, in decode order.
 * Owns the encoder context, one frame and one packet; what is encoded is the caller's: the encoder
 * and its settings, and a {@link Painter} that draws each picture. {@link SyntheticVideoEncoder}
 * and the tests' clip builders (ramps, churn and fuzz clips) differ only in those.
 *
 * <p>The encoder's pts is the frame index at {@code fps} (time base 1/fps); the caller says how it
 * becomes an access unit's {@code ptsMicros}.
 */
public final class PictureEncoder implements AutoCloseable {

    /** Draws picture {@code f} into a writable frame of the encoder's size and pixel format. */
    @FunctionalInterface
    public interface Painter {
        void paint(AVFrame frame, long f);
    }

    private final Codec codec;
    private final LongUnaryOperator ptsMicros;
    private final AVCodecContext context;
    private final AVFrame frame;
    private final AVPacket packet;
    private boolean closed;

    /**
     * Opens the encoder.
     *
     * @param encoder FFmpeg's name of the encoder: libopenh264, or libx264 and libx265 (GPL build only)
     * @param codec what it writes
     * @param fps frames per second: the time base is 1/fps
     * @param settings sets the picture (width, height, pixel format) and the rest of the context
     *     (GOP, B-frames, threads, bit rate, colour) before it opens
     * @param options the encoder's own options ({@code preset}, {@code x264-params} ...)
     * @param ptsMicros an access unit's {@code ptsMicros} from the encoder's pts
     * @throws IllegalStateException if this FFmpeg build has no such encoder or it does not open
     */
    public PictureEncoder(String encoder, Codec codec, int fps, Consumer<AVCodecContext> settings, Map<String, String> options,
            LongUnaryOperator ptsMicros) {
        this.codec = codec;
        this.ptsMicros = ptsMicros;
        FfmpegLogging.install();
        AVCodec found = avcodec_find_encoder_by_name(encoder);
        if (found == null) {
            throw new IllegalStateException("this FFmpeg build has no " + encoder + " encoder"
                    + (encoder.startsWith("libx26") ? " (FFmpeg's GPL build has it: -Dorg.bytedeco.javacpp.platform.extension=-gpl)" : ""));
        }
        context = avcodec_alloc_context3(found);
        context.time_base(new AVRational().num(1).den(fps)).framerate(new AVRational().num(fps).den(1));
        settings.accept(context);
        AVDictionary dictionary = new AVDictionary(null);
        options.forEach((k, v) -> av_dict_set(dictionary, k, v, 0));
        int ret = avcodec_open2(context, found, dictionary);
        av_dict_free(dictionary);
        if (ret < 0) {
            BytePointer format = av_get_pix_fmt_name(context.pix_fmt());
            String picture = (format == null ? "no pixel format" : format.getString()) + ", " + context.width() + "x" + context.height();
            avcodec_free_context(context);
            throw new IllegalStateException("cannot open " + encoder + " (" + picture + "): " + FfmpegErrors.describe(ret));
        }
        frame = av_frame_alloc();
        packet = av_packet_alloc();
        frame.format(context.pix_fmt()).width(context.width()).height(context.height());
        int buffer = av_frame_get_buffer(frame, 32);
        if (buffer < 0) {
            close();
            check(buffer, "av_frame_get_buffer");
        }
    }

    /** Paints and encodes pictures {@code first .. first+count-1}; returns the access units ready so far. */
    public List<AccessUnit> encode(long first, int count, Painter painter) {
        List<AccessUnit> out = new ArrayList<>();
        for (long f = first; f < first + count; f++) {
            check(av_frame_make_writable(frame), "av_frame_make_writable");
            painter.paint(frame, f);
            frame.pts(f);
            check(avcodec_send_frame(context, frame), "avcodec_send_frame");
            receive(out);
        }
        return out;
    }

    /** Drains the encoder (the pictures it held back, B-frames above all). */
    public List<AccessUnit> flush() {
        List<AccessUnit> out = new ArrayList<>();
        int ret = avcodec_send_frame(context, null);
        if (ret != AVERROR_EOF) { // EOF: drained before
            check(ret, "avcodec_send_frame(flush)");
        }
        receive(out);
        return out;
    }

    /** {@link #encode} and {@link #flush}: the whole clip of pictures {@code first .. first+count-1}. */
    public List<AccessUnit> encodeAll(long first, int count, Painter painter) {
        List<AccessUnit> out = encode(first, count, painter);
        out.addAll(flush());
        return out;
    }

    /** The encoder context, for its extradata and for muxers that copy its parameters. */
    public AVCodecContext context() {
        return context;
    }

    private void receive(List<AccessUnit> out) {
        while (true) {
            int ret = avcodec_receive_packet(context, packet);
            if (ret == AVERROR_EAGAIN() || ret == AVERROR_EOF) {
                return;
            }
            check(ret, "avcodec_receive_packet");
            byte[] data = new byte[packet.size()];
            packet.data().get(data);
            boolean key = (packet.flags() & AV_PKT_FLAG_KEY) != 0;
            out.add(new AccessUnit(codec, ptsMicros.applyAsLong(packet.pts()), key, data));
            av_packet_unref(packet);
        }
    }

    private static void check(int ret, String what) {
        if (ret < 0) {
            throw new IllegalStateException(what + " failed: " + FfmpegErrors.describe(ret));
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        avcodec_free_context(context);
        av_frame_free(frame);
        av_packet_free(packet);
    }
}
