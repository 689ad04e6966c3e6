package io.vxflow.connectors.producer;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avformat.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.codec.FfmpegErrors;
import io.vxflow.codec.FfmpegLogging;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;

/**
 * Writes encoded pictures into a video file with FFmpeg's muxers, for the producer's tests: the
 * container follows the file name ({@code .mp4}, {@code .mkv}, {@code .ts}, {@code .h264},
 * {@code .h265}). Decode timestamps are derived from the presentation times (sorted, shifted back
 * by the reorder depth), as an encoder would have set them. Owns nothing between calls.
 */
final class VideoFileWriter {

    /** One encoded picture in decode order. */
    record Sample(long ptsMicros, boolean keyframe, byte[] data) {}

    /** What the container's stream header says: codec, size, frame rate, global header. */
    record StreamHeader(int codecId, int width, int height, int fps, byte[] extradata) {
        static StreamHeader of(Codec codec, int width, int height, int fps, byte[] extradata) {
            return new StreamHeader(codec == Codec.H264 ? AV_CODEC_ID_H264 : AV_CODEC_ID_HEVC, width, height, fps,
                    extradata);
        }
    }

    private static final AVRational MICROS = new AVRational().num(1).den(1_000_000);

    private VideoFileWriter() {}

    static List<Sample> samples(List<AccessUnit> units) {
        List<Sample> out = new ArrayList<>(units.size());
        for (AccessUnit u : units) {
            out.add(new Sample(u.ptsMicros(), u.keyframe(), u.data()));
        }
        return out;
    }

    static Path write(Path file, StreamHeader header, List<Sample> samples) {
        FfmpegLogging.install();
        AVFormatContext oc = new AVFormatContext(null);
        check(avformat_alloc_output_context2(oc, null, null, file.toString()), "choose a muxer for " + file);
        try {
            AVStream st = addStream(oc, header);
            if ((oc.oformat().flags() & AVFMT_NOFILE) == 0) {
                AVIOContext pb = new AVIOContext(null);
                check(avio_open(pb, file.toString(), AVIO_FLAG_WRITE), "open " + file);
                oc.pb(pb);
            }
            check(avformat_write_header(oc, (AVDictionary) null), "write header");
            writePackets(oc, st, header.fps(), samples);
            check(av_write_trailer(oc), "write trailer");
        } finally {
            if (oc.pb() != null) {
                avio_closep(oc.pb());
            }
            avformat_free_context(oc);
        }
        return file;
    }

    private static AVStream addStream(AVFormatContext oc, StreamHeader header) {
        AVStream st = avformat_new_stream(oc, null);
        st.time_base(new AVRational().num(1).den(90_000));
        st.avg_frame_rate(new AVRational().num(header.fps()).den(1));
        st.r_frame_rate(new AVRational().num(header.fps()).den(1));
        AVCodecParameters par = st.codecpar();
        par.codec_type(AVMEDIA_TYPE_VIDEO);
        par.codec_id(header.codecId());
        par.width(header.width());
        par.height(header.height());
        par.format(AV_PIX_FMT_YUV420P);
        byte[] extra = header.extradata();
        if (extra != null && extra.length > 0) {
            BytePointer p = new BytePointer(av_mallocz(extra.length + AV_INPUT_BUFFER_PADDING_SIZE));
            p.put(extra, 0, extra.length);
            par.extradata(p);
            par.extradata_size(extra.length);
        }
        return st;
    }

    private static void writePackets(AVFormatContext oc, AVStream st, int fps, List<Sample> samples) {
        long[] dts = decodeTimestamps(samples);
        long duration = 1_000_000L / fps;
        AVPacket pkt = av_packet_alloc();
        try {
            for (int i = 0; i < samples.size(); i++) {
                Sample s = samples.get(i);
                check(av_new_packet(pkt, s.data().length), "allocate a packet");
                pkt.data().put(s.data(), 0, s.data().length);
                AVRational tb = st.time_base();
                pkt.pts(av_rescale_q(s.ptsMicros(), MICROS, tb));
                pkt.dts(av_rescale_q(dts[i], MICROS, tb));
                pkt.duration(av_rescale_q(duration, MICROS, tb));
                pkt.flags(s.keyframe() ? AV_PKT_FLAG_KEY : 0);
                pkt.stream_index(st.index());
                check(av_interleaved_write_frame(oc, pkt), "write packet " + i);
            }
        } finally {
            av_packet_free(pkt);
        }
    }

    /** The i-th smallest pts, moved back just enough that no dts is after its own pts. */
    static long[] decodeTimestamps(List<Sample> samples) {
        long[] sorted = samples.stream().mapToLong(Sample::ptsMicros).sorted().toArray();
        long shift = 0;
        for (int i = 0; i < sorted.length; i++) {
            shift = Math.max(shift, sorted[i] - samples.get(i).ptsMicros());
        }
        long[] dts = new long[sorted.length];
        for (int i = 0; i < sorted.length; i++) {
            dts[i] = sorted[i] - shift;
        }
        return dts;
    }

    private static void check(int ret, String what) {
        if (ret < 0) {
            throw new IllegalStateException("cannot " + what + ": " + FfmpegErrors.describe(ret));
        }
    }
}
