package io.vxflow.connectors.producer;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avformat.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.codec.Codec;
import io.vxflow.codec.FfmpegErrors;
import io.vxflow.codec.FfmpegLogging;
import io.vxflow.connectors.producer.VideoSourceException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVRational;

/**
 * An open FFmpeg input (avformat) with its first H.264 or HEVC video stream chosen; hands out that
 * stream's packets as the container stores them, never decoding. Owns the format context.
 * Not thread-safe.
 */
final class Demuxer implements AutoCloseable {
    private final SourceLocation location;
    private final AVFormatContext format;
    private final AVStream stream;
    private final Codec codec;
    private boolean closed;

    private Demuxer(SourceLocation location, AVFormatContext format, AVStream stream, Codec codec) {
        this.location = location;
        this.format = format;
        this.stream = stream;
        this.codec = codec;
    }

    static Demuxer open(SourceLocation location, ReaderOptions options) {
        FfmpegLogging.install();
        location.checkReadable();
        AVFormatContext format = openInput(location, options);
        try {
            int ret = avformat_find_stream_info(format, (AVDictionary) null);
            if (ret < 0) {
                throw notReadable(location, ret);
            }
            AVStream stream = chooseStream(location, format);
            int id = stream.codecpar().codec_id();
            return new Demuxer(location, format, stream, id == AV_CODEC_ID_H264 ? Codec.H264 : Codec.HEVC);
        } catch (RuntimeException e) {
            avformat_close_input(format);
            throw e;
        }
    }

    private static AVFormatContext openInput(SourceLocation location, ReaderOptions options) {
        AVDictionary dict = new AVDictionary(null);
        for (Map.Entry<String, String> e : location.ffmpegOptions(options).entrySet()) {
            av_dict_set(dict, e.getKey(), e.getValue(), 0);
        }
        AVFormatContext format = new AVFormatContext(null);
        int ret = avformat_open_input(format, location.ffmpegUrl(), null, dict);
        av_dict_free(dict);
        if (ret < 0) {
            throw notReadable(location, ret);
        }
        return format;
    }

    private static VideoSourceException notReadable(SourceLocation location, int ret) {
        if (location.isUrl()) {
            return new VideoSourceException(Reason.CANNOT_CONNECT, "cannot connect to " + location.display() + ": "
                    + FfmpegErrors.describe(ret));
        }
        return new VideoSourceException(Reason.NOT_A_VIDEO, location.display()
                + " is not a video file FFmpeg can read: " + FfmpegErrors.describe(ret));
    }

    /** The first H.264 or HEVC video stream; else a message naming what the source has instead. */
    private static AVStream chooseStream(SourceLocation location, AVFormatContext format) {
        List<String> others = new ArrayList<>();
        AVStream firstVideo = null;
        for (int i = 0; i < format.nb_streams(); i++) {
            AVStream st = format.streams(i);
            AVCodecParameters par = st.codecpar();
            boolean video = par.codec_type() == AVMEDIA_TYPE_VIDEO && (st.disposition() & AV_DISPOSITION_ATTACHED_PIC) == 0;
            if (video && (par.codec_id() == AV_CODEC_ID_H264 || par.codec_id() == AV_CODEC_ID_HEVC)) {
                return st;
            }
            if (video && firstVideo == null) {
                firstVideo = st;
            }
            others.add(i + " " + mediaType(par.codec_type()) + " " + avcodec_get_name(par.codec_id()).getString());
        }
        if (firstVideo != null) {
            throw new VideoSourceException(Reason.UNSUPPORTED_CODEC, location.display() + ": stream "
                    + firstVideo.index() + " is " + avcodec_get_name(firstVideo.codecpar().codec_id()).getString()
                    + "; vxflow takes h264 or hevc");
        }
        throw new VideoSourceException(Reason.NOT_A_VIDEO, location.display() + " has no video stream" + (others.isEmpty() ? "" : " (it has " + String.join(", ", others) + ")"));
    }

    private static String mediaType(int type) {
        switch (type) {
            case AVMEDIA_TYPE_VIDEO:
                return "video";
            case AVMEDIA_TYPE_AUDIO:
                return "audio";
            case AVMEDIA_TYPE_SUBTITLE:
                return "subtitle";
            default:
                return "data";
        }
    }

    /**
     * Reads the chosen stream's next packet into {@code packet} (the caller unreferences it).
     *
     * @return false at the end of the input
     */
    boolean read(AVPacket packet) {
        while (true) {
            int ret = av_read_frame(format, packet);
            if (ret == AVERROR_EOF) {
                return false;
            }
            if (ret < 0) {
                throw new VideoSourceException(Reason.READ_FAILED, "reading " + location.display() + " failed: "
                        + FfmpegErrors.describe(ret));
            }
            if (packet.stream_index() == stream.index() && (packet.flags() & AV_PKT_FLAG_DISCARD) == 0
                    && packet.size() > 0) {
                return true;
            }
            av_packet_unref(packet);
        }
    }

    Codec codec() {
        return codec;
    }

    AVCodecParameters parameters() {
        return stream.codecpar();
    }

    AVRational timeBase() {
        return stream.time_base();
    }

    /** The stream's first presentation time in its time base, or {@code AV_NOPTS_VALUE}. */
    long startTime() {
        return stream.start_time();
    }

    /** The container's idea of the frame rate (average, else FFmpeg's guess), or null if it has none. */
    FrameRate containerFrameRate() {
        FrameRate avg = rate(stream.avg_frame_rate());
        return avg != null ? avg : rate(stream.r_frame_rate());
    }

    private static FrameRate rate(AVRational r) {
        boolean plausible = r != null && r.num() > 0 && r.den() > 0 && r.num() / r.den() <= 1000;
        return plausible ? new FrameRate(r.num(), r.den()) : null;
    }

    String formatName() {
        return format.iformat().name().getString();
    }

    SourceLocation location() {
        return location;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            avformat_close_input(format);
        }
    }
}
