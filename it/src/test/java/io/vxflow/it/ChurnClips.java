package io.vxflow.it;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.gpu.decode.AccessUnit;
import io.vxflow.gpu.decode.Codec;
import io.vxflow.gpu.decode.FfmpegErrors;
import io.vxflow.gpu.decode.FfmpegLogging;
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
 * Small clips for churn tests: 320x240, a keyframe every 10 frames, from libx264 (High, with or
 * without B-frames) and libx265 (with B-frames) of FFmpeg's GPL build; a bar moving over a ramp.
 * Units in decode order with pts = frame number (the producer turns them into wire pts).
 */
final class ChurnClips {
    static final int WIDTH = 320;
    static final int HEIGHT = 240;

    private ChurnClips() {}

    /** The churn test's clips: H.264 with B-frames, HEVC with B-frames, H.264 without. */
    static List<List<AccessUnit>> all(int frames) {
        return List.of(encode(Codec.H264, true, frames), encode(Codec.HEVC, true, frames), encode(Codec.H264, false, frames));
    }

    static List<AccessUnit> encode(Codec codec, boolean bFrames, int frames) {
        FfmpegLogging.install();
        String name = codec == Codec.H264 ? "libx264" : "libx265";
        AVCodec encoder = avcodec_find_encoder_by_name(name);
        if (encoder == null) {
            throw new IllegalStateException("needs " + name + " (FFmpeg's GPL build on the test class path)");
        }
        AVCodecContext c = avcodec_alloc_context3(encoder);
        c.width(WIDTH).height(HEIGHT).pix_fmt(AV_PIX_FMT_YUV420P).gop_size(10).max_b_frames(bFrames ? 3 : 0).thread_count(1);
        c.time_base(new AVRational().num(1).den(30)).framerate(new AVRational().num(30).den(1));
        AVDictionary options = new AVDictionary(null);
        av_dict_set(options, "preset", "veryfast", 0);
        String params = "keyint=10:min-keyint=10:scenecut=0:open-gop=0:bframes=" + (bFrames ? 3 : 0);
        av_dict_set(options, codec == Codec.H264 ? "x264-params" : "x265-params",
                codec == Codec.H264 ? params : params + ":pools=none:frame-threads=1:log-level=error", 0);
        int ret = avcodec_open2(c, encoder, options);
        av_dict_free(options);
        check(ret, "avcodec_open2(" + name + ")");
        AVFrame frame = av_frame_alloc();
        frame.format(AV_PIX_FMT_YUV420P).width(WIDTH).height(HEIGHT);
        check(av_frame_get_buffer(frame, 32), "av_frame_get_buffer");
        AVPacket packet = av_packet_alloc();
        List<AccessUnit> out = new ArrayList<>();
        try {
            for (int f = 0; f < frames; f++) {
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
        return List.copyOf(out);
    }

    private static void paint(AVFrame frame, int f) {
        for (int p = 0; p < 3; p++) {
            int w = p == 0 ? WIDTH : WIDTH / 2, h = p == 0 ? HEIGHT : HEIGHT / 2, s = p == 0 ? 1 : 2;
            BytePointer plane = frame.data(p);
            byte[] row = new byte[w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    boolean bar = Math.abs(x * s - (f * 7) % WIDTH) < 24;
                    row[x] = (byte) (bar ? 235 - 40 * p : (x * s + y * s + 3 * f + 60 * p) % 200 + 16);
                }
                plane.position((long) y * frame.linesize(p)).put(row, 0, w);
            }
            plane.position(0);
        }
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
            out.add(new AccessUnit(codec, packet.pts(), (packet.flags() & AV_PKT_FLAG_KEY) != 0, data));
            av_packet_unref(packet);
        }
    }

    private static void check(int ret, String what) {
        if (ret < 0) {
            throw new IllegalStateException(what + " failed: " + FfmpegErrors.describe(ret));
        }
    }
}
