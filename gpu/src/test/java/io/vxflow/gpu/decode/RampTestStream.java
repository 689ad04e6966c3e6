package io.vxflow.gpu.decode;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;

/**
 * H.264 and HEVC test streams in pixel formats and sizes the synthetic scene does not cover (10-bit
 * 4:2:0, 4:2:2, odd resolutions), from libx264 and libx265 in FFmpeg's GPL build: a moving diagonal
 * ramp, keyframe every 10 frames, no B-frames, Annex-B with parameter sets in-band, 30 frames per
 * second.
 */
public final class RampTestStream {
    private RampTestStream() {}

    /** Whether this FFmpeg build has the encoder of {@code codec} (libx264 or libx265). */
    public static boolean isAvailable(Codec codec) {
        return avcodec_find_encoder_by_name(encoderName(codec)) != null;
    }

    /** Why {@link #isAvailable} is false, for assumptions. */
    public static String unavailable(Codec codec) {
        return "needs " + encoderName(codec) + " (FFmpeg's GPL build on the test class path)";
    }

    /**
     * {@code frames} access units of {@code codec} in decode order, pts from {@code firstFrame} at
     * 30 fps; {@code avPixelFormat} is FFmpeg's, e.g. {@code AV_PIX_FMT_YUV420P10LE} for 10 bits.
     */
    public static List<AccessUnit> encode(Codec codec, int avPixelFormat, int width, int height, int frames, long firstFrame) {
        return encode(codec, avPixelFormat, width, height, frames, firstFrame, "");
    }

    /**
     * As {@link #encode(Codec, int, int, int, int, long)}, with more of the encoder's own parameters
     * ({@code x264-params} or {@code x265-params} syntax, e.g. {@code "interlaced=1:cqm=jvt"}).
     */
    public static List<AccessUnit> encode(Codec codec, int avPixelFormat, int width, int height, int frames, long firstFrame,
            String encoderParams) {
        FfmpegLogging.install();
        String name = encoderName(codec);
        AVCodec encoder = avcodec_find_encoder_by_name(name);
        if (encoder == null) {
            throw new IllegalStateException(unavailable(codec));
        }
        AVCodecContext c = avcodec_alloc_context3(encoder);
        c.width(width).height(height).pix_fmt(avPixelFormat).gop_size(10).max_b_frames(0).thread_count(2);
        c.time_base(new AVRational().num(1).den(30)).framerate(new AVRational().num(30).den(1));
        AVDictionary options = new AVDictionary(null);
        av_dict_set(options, "preset", "ultrafast", 0);
        if (codec == Codec.H264) {
            av_dict_set(options, "x264-params", "keyint=10:min-keyint=10:scenecut=0" + extra(encoderParams), 0);
        } else {
            av_dict_set(options, "x265-params", "keyint=10:min-keyint=10:scenecut=0:bframes=0:log-level=error" + extra(encoderParams), 0);
        }
        int ret = avcodec_open2(c, encoder, options);
        av_dict_free(options);
        check(ret, "avcodec_open2(" + name + ", " + av_get_pix_fmt_name(avPixelFormat).getString() + ")");
        AVFrame frame = av_frame_alloc();
        frame.format(avPixelFormat).width(width).height(height);
        check(av_frame_get_buffer(frame, 32), "av_frame_get_buffer");
        AVPacket packet = av_packet_alloc();
        List<AccessUnit> out = new ArrayList<>();
        try {
            for (long f = firstFrame; f < firstFrame + frames; f++) {
                check(av_frame_make_writable(frame), "av_frame_make_writable");
                paint(frame, f);
                frame.pts(f);
                check(avcodec_send_frame(c, frame), "avcodec_send_frame");
                receive(c, packet, out, codec);
            }
            avcodec_send_frame(c, null);
            receive(c, packet, out, codec);
        } finally {
            av_packet_free(packet);
            av_frame_free(frame);
            avcodec_free_context(c);
        }
        return out;
    }

    /** A ramp moving by 3 per frame, every plane, in the frame's sample size and range. */
    private static void paint(AVFrame frame, long f) {
        boolean wide = av_get_pix_fmt_name(frame.format()).getString().contains("10");
        int bytes = wide ? 2 : 1;
        int modulo = wide ? 1024 : 256;
        int[] chromaShift = chromaShift(frame.format());
        for (int p = 0; p < 3; p++) {
            int w = p == 0 ? frame.width() : (frame.width() + (1 << chromaShift[0]) - 1) >> chromaShift[0];
            int h = p == 0 ? frame.height() : (frame.height() + (1 << chromaShift[1]) - 1) >> chromaShift[1];
            BytePointer plane = frame.data(p);
            byte[] row = new byte[w * bytes];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = (int) ((x + 2L * y + 3 * f + 40 * p) % modulo);
                    row[x * bytes] = (byte) v;
                    if (wide) {
                        row[x * bytes + 1] = (byte) (v >> 8);
                    }
                }
                plane.position((long) y * frame.linesize(p)).put(row, 0, row.length);
            }
            plane.position(0);
        }
    }

    private static int[] chromaShift(int avPixelFormat) {
        String name = av_get_pix_fmt_name(avPixelFormat).getString();
        if (name.startsWith("yuv444")) {
            return new int[] {0, 0};
        }
        return name.startsWith("yuv422") ? new int[] {1, 0} : new int[] {1, 1};
    }

    private static String extra(String params) {
        return params == null || params.isEmpty() ? "" : ":" + params;
    }

    private static String encoderName(Codec codec) {
        return codec == Codec.H264 ? "libx264" : "libx265";
    }

    private static void receive(AVCodecContext c, AVPacket packet, List<AccessUnit> out, Codec codec) {
        while (true) {
            int ret = avcodec_receive_packet(c, packet);
            if (ret == AVERROR_EAGAIN() || ret == AVERROR_EOF) {
                return;
            }
            check(ret, "avcodec_receive_packet");
            byte[] data = new byte[packet.size()];
            packet.data().get(data);
            out.add(new AccessUnit(codec, packet.pts() * 1_000_000L / 30, (packet.flags() & AV_PKT_FLAG_KEY) != 0, data));
            av_packet_unref(packet);
        }
    }

    private static void check(int ret, String what) {
        if (ret < 0) {
            throw new IllegalStateException(what + " failed: " + FfmpegErrors.describe(ret));
        }
    }
}
