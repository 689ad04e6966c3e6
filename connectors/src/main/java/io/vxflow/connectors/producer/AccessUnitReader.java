package io.vxflow.connectors.producer;

import static org.bytedeco.ffmpeg.global.avcodec.*;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.connectors.producer.VideoSourceException.Reason;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the access units of the first H.264 or HEVC video stream of a file (MP4, MKV, MPEG-TS, raw
 * Annex-B {@code .h264/.264/.h265/.265/.hevc}, anything FFmpeg demuxes) or URL ({@code rtsp://},
 * {@code rtsps://}, {@code http(s)://}) without decoding them. Each packet is converted to Annex-B
 * by FFmpeg's {@code *_mp4toannexb} filter; every keyframe is made to start with its parameter sets
 * (VPS/SPS/PPS), inserting the latest ones seen when the source sent them only once or only in its
 * header; the keyframe flag is {@code AV_PKT_FLAG_KEY}. Each packet is copied once, from FFmpeg's
 * buffer into the access unit's array (keyframes that need parameter sets put in front: once more).
 *
 * <p>Presentation times are microseconds with the stream's first picture at 0: the packet's pts,
 * else its dts, converted from the stream's time base (to the nearest microsecond; MKV only stores
 * milliseconds). Raw Annex-B files have no timestamps: there the pts is the picture's place in
 * presentation order (its picture order count, read by FFmpeg's header parser, so B-frames are
 * right; else its place in decode order) times the frame duration of {@link #frameRate()}.
 *
 * <p>Owns the FFmpeg input, the bitstream filter, one packet and a few parsed parameter sets.
 * Opening reads ahead to the first access unit, so a source that opens is known to deliver.
 * {@link #rewind()} reopens the source. Not thread-safe; readers in separate threads are
 * independent (nothing is shared or locked beyond FFmpeg's one-time set-up).
 *
 * <pre>{@code
 * try (AccessUnitReader reader = AccessUnitReader.open("clip.mp4")) {
 *     for (AccessUnit u = reader.next(); u != null; u = reader.next()) { ... }
 * }
 * }</pre>
 */
public final class AccessUnitReader implements AccessUnitSource {
    private static final Logger LOG = LoggerFactory.getLogger(AccessUnitReader.class);
    private final SourceLocation location;
    private final ReaderOptions options;
    private final AVPacket packet = av_packet_alloc();
    private final ArrayDeque<AccessUnit> ready = new ArrayDeque<>();
    private Demuxer demuxer;
    private AnnexBFilter filter;
    private InBandParameterSets parameterSets;
    private PresentationTimes times;
    private boolean inputEnded;
    private boolean warnedNoParameterSets;
    private boolean closed;

    private AccessUnitReader(SourceLocation location, ReaderOptions options) {
        this.location = location;
        this.options = options;
    }

    /** Opens a file path or URL with {@link ReaderOptions#defaults()}. */
    public static AccessUnitReader open(String location) {
        return open(location, ReaderOptions.defaults());
    }

    public static AccessUnitReader open(Path file) {
        return open(file.toString(), ReaderOptions.defaults());
    }

    /**
     * Opens a file path or URL and reads ahead to its first access unit.
     *
     * @throws VideoSourceException if the source is missing, unreachable, not a video, has no H.264
     *     or HEVC stream, or has no access unit at all
     */
    public static AccessUnitReader open(String location, ReaderOptions options) {
        AccessUnitReader reader = new AccessUnitReader(SourceLocation.parse(location), options);
        try {
            reader.start();
            return reader;
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    private void start() {
        demuxer = Demuxer.open(location, options);
        filter = new AnnexBFilter(demuxer.codec(), demuxer.parameters(), demuxer.timeBase());
        parameterSets = new InBandParameterSets(demuxer.codec(), filter.extradata());
        times = new PresentationTimes(demuxer.codec(), demuxer.timeBase(), demuxer.startTime(),
                options.assumedFrameRate(), demuxer.containerFrameRate());
        inputEnded = false;
        if (!fill()) {
            throw new VideoSourceException(Reason.NOT_A_VIDEO, location.display() + " has a "
                    + demuxer.codec().wireName() + " stream but no picture in it");
        }
    }

    @Override
    public Codec codec() {
        ensureOpen();
        return demuxer.codec();
    }

    /** Picture width in pixels, as the container or stream header says; 0 if unknown. */
    @Override
    public int width() {
        ensureOpen();
        return demuxer.parameters().width();
    }

    /** Picture height in pixels, as the container or stream header says; 0 if unknown. */
    @Override
    public int height() {
        ensureOpen();
        return demuxer.parameters().height();
    }

    /**
     * The container's average frame rate; for streams without timestamps the one assumed in the
     * options, else the stream's timing information; 25 fps when nothing says.
     */
    @Override
    public FrameRate frameRate() {
        ensureOpen();
        return times.frameRate();
    }

    /** FFmpeg's name of the container format ({@code mov,mp4,m4a,3gp,3g2,mj2}, {@code mpegts}, {@code h264}). */
    public String containerFormat() {
        ensureOpen();
        return demuxer.formatName();
    }

    @Override
    public String description() {
        return location.display();
    }

    @Override
    public AccessUnit next() {
        ensureOpen();
        if (ready.isEmpty()) {
            fill();
        }
        return ready.poll();
    }

    /** Closes the input and opens it again from the start; presentation times start over. */
    @Override
    public void rewind() {
        ensureOpen();
        Codec before = demuxer.codec();
        closeInput();
        ready.clear();
        try {
            start();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        if (demuxer.codec() != before) {
            throw new VideoSourceException(Reason.READ_FAILED, location.display() + " changed from "
                    + before.wireName() + " to " + demuxer.codec().wireName() + " when opened again");
        }
    }

    /** Reads until at least one access unit is ready or the input ended; true if one is ready. */
    private boolean fill() {
        try {
            while (ready.isEmpty() && !inputEnded) {
                if (demuxer.read(packet)) {
                    filter.send(packet);
                } else {
                    filter.send(null);
                    inputEnded = true;
                }
                drainFilter();
            }
        } catch (IllegalStateException e) {
            throw new VideoSourceException(Reason.READ_FAILED, "reading " + location.display() + " failed: "
                    + e.getMessage());
        }
        return !ready.isEmpty();
    }

    private void drainFilter() {
        while (filter.receive(packet)) {
            try {
                ready.add(toAccessUnit());
            } finally {
                av_packet_unref(packet);
            }
        }
    }

    private AccessUnit toAccessUnit() {
        byte[] data = new byte[packet.size()];
        packet.data().get(data);
        Codec codec = demuxer.codec();
        List<NalUnits.Span> head = NalUnits.head(data, codec);
        boolean key = (packet.flags() & AV_PKT_FLAG_KEY) != 0;
        long pts = times.next(packet.pts(), packet.dts(), data, NalUnits.firstSliceType(head, codec));
        byte[] out = parameterSets.apply(data, key, head);
        if (key && !parameterSets.complete() && !warnedNoParameterSets) {
            warnedNoParameterSets = true;
            LOG.warn("The keyframe at pts {} of {} comes without parameter sets and none were seen before it; "
                    + "decoders cannot start on such keyframes", pts, location.display());
        }
        return new AccessUnit(codec, pts, key, out);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the reader of " + location.display() + " is closed");
        }
    }

    private void closeInput() {
        if (times != null) {
            times.close();
            times = null;
        }
        if (filter != null) {
            filter.close();
            filter = null;
        }
        if (demuxer != null) {
            demuxer.close();
            demuxer = null;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeInput();
            av_packet_free(packet);
            ready.clear();
        }
    }
}
