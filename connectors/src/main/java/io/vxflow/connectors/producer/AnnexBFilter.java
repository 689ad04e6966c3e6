package io.vxflow.connectors.producer;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.codec.Codec;
import io.vxflow.codec.FfmpegErrors;
import org.bytedeco.ffmpeg.avcodec.AVBSFContext;
import org.bytedeco.ffmpeg.avcodec.AVBitStreamFilter;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVRational;

/**
 * FFmpeg's {@code h264_mp4toannexb} or {@code hevc_mp4toannexb} bitstream filter: turns
 * length-prefixed packets (MP4, MKV) into Annex-B with the extradata's parameter sets inserted
 * before keyframes that lack them, and passes Annex-B input (raw files, MPEG-TS, RTSP) through
 * unchanged. Owns the filter context. Not thread-safe.
 */
final class AnnexBFilter implements AutoCloseable {
    private final AVBSFContext context;
    private boolean closed;

    AnnexBFilter(Codec codec, AVCodecParameters parameters, AVRational timeBase) {
        String name = codec == Codec.H264 ? "h264_mp4toannexb" : "hevc_mp4toannexb";
        AVBitStreamFilter filter = av_bsf_get_by_name(name);
        if (filter == null) {
            throw new IllegalStateException("this FFmpeg build has no " + name + " bitstream filter");
        }
        context = new AVBSFContext(null);
        check(av_bsf_alloc(filter, context), "allocate " + name);
        try {
            check(avcodec_parameters_copy(context.par_in(), parameters), "configure " + name);
            context.time_base_in(timeBase);
            check(av_bsf_init(context), "initialise " + name + " (the stream's codec header may be damaged)");
        } catch (RuntimeException e) {
            av_bsf_free(context);
            throw e;
        }
    }

    /** The parameter sets the filter knows from the container, Annex-B; empty if none. */
    byte[] extradata() {
        AVCodecParameters out = context.par_out();
        byte[] b = new byte[Math.max(0, out.extradata_size())];
        if (b.length > 0) {
            out.extradata().get(b);
        }
        return b;
    }

    /** Hands a packet to the filter, which takes its reference; null marks the end of the input. */
    void send(AVPacket packet) {
        int ret = av_bsf_send_packet(context, packet);
        if (ret < 0) {
            throw new IllegalStateException("bitstream filter refused a packet: " + FfmpegErrors.describe(ret));
        }
    }

    /** Moves the next filtered packet into {@code packet}; false when the filter needs more input. */
    boolean receive(AVPacket packet) {
        int ret = av_bsf_receive_packet(context, packet);
        if (ret == AVERROR_EAGAIN() || ret == AVERROR_EOF) {
            return false;
        }
        if (ret < 0) {
            throw new IllegalStateException("bitstream filter failed: " + FfmpegErrors.describe(ret));
        }
        return true;
    }

    private static void check(int ret, String what) {
        if (ret < 0) {
            throw new IllegalStateException("cannot " + what + ": " + FfmpegErrors.describe(ret));
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            av_bsf_free(context);
        }
    }
}
