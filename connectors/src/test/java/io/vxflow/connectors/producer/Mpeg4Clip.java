package io.vxflow.connectors.producer;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.codec.FfmpegLogging;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;

/**
 * A small MP4 whose only stream is MPEG-4 Part 2, made with FFmpeg's built-in {@code mpeg4}
 * encoder (in every build): a video vxflow must refuse by name. Owns nothing between calls.
 */
final class Mpeg4Clip {
    private static final int WIDTH = 176;
    private static final int HEIGHT = 144;
    private static final int FPS = 25;

    private Mpeg4Clip() {}

    static Path write(Path file, int frames) {
        FfmpegLogging.install();
        AVCodec codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
        AVCodecContext ctx = avcodec_alloc_context3(codec);
        AVFrame frame = av_frame_alloc();
        AVPacket packet = av_packet_alloc();
        try {
            ctx.width(WIDTH).height(HEIGHT).pix_fmt(AV_PIX_FMT_YUV420P);
            ctx.time_base(new AVRational().num(1).den(FPS));
            ctx.flags(ctx.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
            check(avcodec_open2(ctx, codec, (AVDictionary) null));
            frame.format(AV_PIX_FMT_YUV420P).width(WIDTH).height(HEIGHT);
            check(av_frame_get_buffer(frame, 32));
            List<VideoFileWriter.Sample> samples = new ArrayList<>();
            for (int i = 0; i <= frames; i++) {
                if (i < frames) {
                    check(av_frame_make_writable(frame));
                    for (int p = 0; p < 3; p++) {
                        long bytes = (long) frame.linesize(p) * (p == 0 ? HEIGHT : HEIGHT / 2);
                        frame.data(p).capacity(bytes).fill(p == 0 ? 16 + 8 * i : 128);
                    }
                    frame.pts(i);
                }
                check(avcodec_send_frame(ctx, i < frames ? frame : null));
                while (avcodec_receive_packet(ctx, packet) >= 0) {
                    byte[] data = new byte[packet.size()];
                    packet.data().get(data);
                    samples.add(new VideoFileWriter.Sample(packet.pts() * 1_000_000L / FPS,
                            (packet.flags() & AV_PKT_FLAG_KEY) != 0, data));
                    av_packet_unref(packet);
                }
            }
            byte[] extradata = new byte[ctx.extradata_size()];
            ctx.extradata().get(extradata);
            return VideoFileWriter.write(file,
                    new VideoFileWriter.StreamHeader(AV_CODEC_ID_MPEG4, WIDTH, HEIGHT, FPS, extradata), samples);
        } finally {
            av_packet_free(packet);
            av_frame_free(frame);
            avcodec_free_context(ctx);
        }
    }

    private static void check(int ret) {
        if (ret < 0) {
            throw new IllegalStateException("mpeg4 encoding failed: " + ret);
        }
    }
}
