package io.vxflow.connectors.producer;

import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.codec.Codec;
import org.bytedeco.ffmpeg.avutil.AVRational;

/**
 * Presentation times in microseconds for one stream's access units, starting at 0 for the stream's
 * first picture. Owns the picture order counter it may need.
 *
 * <ul>
 *   <li>Containers with timestamps (MP4, MKV, MPEG-TS, RTSP): the packet's pts, else its dts,
 *       converted from the stream's time base (rounded to the nearest microsecond) and moved so that
 *       the stream's start time (FFmpeg's {@code start_time}, else the first timestamp seen) is 0.
 *       Precision is the container's: MKV stores milliseconds, so 33 333 µs reads back as 33 000.
 *   <li>Streams without timestamps (raw Annex-B .h264/.h265): the picture's place in presentation
 *       order times the frame duration. The place comes from the picture order count that FFmpeg's
 *       parser reads from the slice headers (a step of 2 per frame for H.264, 1 for HEVC), counted
 *       from the last IDR, so B-frames get their true presentation times; where the parser finds no
 *       count, the access unit's position in decode order is used instead. The frame rate is the
 *       one assumed by the caller, else the stream's timing information, else the container's
 *       (FFmpeg's 25 fps for raw files).
 * </ul>
 *
 * Limitations: timestamp discontinuities and MPEG-TS wrap-around (after 26.5 hours) are passed on
 * as they are; HEVC leading pictures after an IDR_W_RADL in a raw stream get times before the IDR.
 * Not thread-safe.
 */
final class PresentationTimes implements AutoCloseable {
    private static final AVRational MICROS = new AVRational().num(1).den(1_000_000);

    private final Codec codec;
    private final AVRational timeBase;
    private final FrameRate assumed;
    private final FrameRate container;
    private long origin;
    private FrameRate frameRate;
    private PictureOrderCounter counter;
    private long count;
    private long sequenceBase;
    private long sequenceOrigin;
    private long maxIndex = -1;

    /**
     * @param startTime the stream's start time in its time base, or {@code AV_NOPTS_VALUE}
     * @param assumed the caller's frame rate for streams without timestamps, or null
     * @param container the container's frame rate, or null
     */
    PresentationTimes(Codec codec, AVRational timeBase, long startTime, FrameRate assumed, FrameRate container) {
        this.codec = codec;
        this.timeBase = new AVRational().num(timeBase.num()).den(timeBase.den());
        this.origin = startTime;
        this.assumed = assumed;
        this.container = container;
    }

    /**
     * The presentation time of the next access unit in decode order.
     *
     * @param sliceType the NAL type of its first slice, or -1
     */
    long next(long pts, long dts, byte[] annexB, int sliceType) {
        long ts = pts != AV_NOPTS_VALUE ? pts : dts;
        if (ts != AV_NOPTS_VALUE) {
            settleFrameRate(container);
            if (origin == AV_NOPTS_VALUE) {
                origin = ts;
            }
            count++;
            return av_rescale_q(ts - origin, timeBase, MICROS);
        }
        return fromPictureOrder(annexB, sliceType);
    }

    /**
     * The frame rate: settled by the first access unit (call {@link #next} once first); until then
     * the best guess.
     */
    FrameRate frameRate() {
        if (frameRate != null) {
            return frameRate;
        }
        return assumed != null ? assumed : container != null ? container : FrameRate.of(25);
    }

    private long fromPictureOrder(byte[] annexB, int sliceType) {
        if (counter == null) {
            counter = new PictureOrderCounter(codec);
        }
        int poc = counter.pictureOrderCount(annexB);
        settleFrameRate(assumed != null ? assumed : counter.frameRate() != null ? counter.frameRate() : container);
        long index;
        if (poc == PictureOrderCounter.UNKNOWN) {
            index = count;
        } else {
            if (count == 0 || NalUnits.isInstantaneousRefresh(codec, sliceType)) {
                sequenceBase = maxIndex + 1;
                sequenceOrigin = poc;
            }
            index = sequenceBase + (poc - sequenceOrigin) / (codec == Codec.H264 ? 2 : 1);
        }
        count++;
        maxIndex = Math.max(maxIndex, index);
        return frameRate.ptsMicros(index);
    }

    private void settleFrameRate(FrameRate preferred) {
        if (frameRate == null) {
            frameRate = preferred != null ? preferred : FrameRate.of(25);
        }
    }

    @Override
    public void close() {
        if (counter != null) {
            counter.close();
        }
        timeBase.close();
    }
}
