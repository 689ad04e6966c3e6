package io.vxflow.operators.decode;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.DecodeError;
import io.vxflow.gpu.decode.ParameterSetScan;
import io.vxflow.gpu.decode.SequenceParameterSet;
import java.io.Serializable;

/**
 * What a producer can make one slot spend, whatever it writes: checked on every access unit before
 * a decoder sees it, so FFmpeg and NVDEC never allocate for a size nobody allowed.
 *
 * <ul>
 *   <li>an access unit larger than {@code maxAccessUnitBytes} is dropped unread;
 *   <li>a unit whose SPS claims more than {@code maxPixels} coded luma samples (width times height as
 *       the decoder allocates them, before cropping) is refused as {@code frame-too-large}; one whose
 *       SPS cannot be read, or a keyframe without one when no decoder holds one, as {@code
 *       bad-parameter-sets};
 *   <li>at most {@code maxStreamsPerSlot} streams of a slot keep a decoder session; a stream that
 *       needs one beyond that closes the least recently used stream's session first.
 * </ul>
 *
 * @param maxPixels largest picture an SPS may declare, in coded luma samples
 * @param maxAccessUnitBytes largest access unit, in bytes
 * @param maxStreamsPerSlot decoder sessions a slot keeps open at once
 */
public record DecodeLimits(long maxPixels, int maxAccessUnitBytes, int maxStreamsPerSlot) implements Serializable {
    /** 4096x2304, 8 MiB, 256 streams. */
    public static final DecodeLimits DEFAULTS = new DecodeLimits(4096L * 2304, 8 << 20, 256);

    public DecodeLimits {
        if (maxPixels < 1 || maxAccessUnitBytes < 1 || maxStreamsPerSlot < 1) {
            throw new IllegalArgumentException("decode limits must be positive: max pixels " + maxPixels + ", max access unit bytes "
                    + maxAccessUnitBytes + ", max streams per slot " + maxStreamsPerSlot);
        }
    }

    /** The reason an access unit of {@code bytes} bytes is refused, or null when it is within the limit. */
    DecodeEvent.BadInput refuseSize(int bytes) {
        if (bytes <= maxAccessUnitBytes) {
            return null;
        }
        return new DecodeEvent.BadInput(DecodeError.ACCESS_UNIT_TOO_LARGE, bytes + " bytes, more than vxflow.decode.max-access-unit-bytes "
                + maxAccessUnitBytes, "it is dropped unread and the stream waits for its next keyframe");
    }

    /**
     * Why {@code unit} must not reach a decoder, or null: its size, then its sequence parameter sets
     * against {@code maxPixels} and the pictures the slot's chain takes ({@code bounds}).
     *
     * @param needsSps whether no decoder of the stream holds parameter sets yet, so that a keyframe
     *     must bring its own
     */
    DecodeEvent.BadInput refusal(AccessUnit unit, PictureBounds bounds, boolean needsSps) {
        DecodeEvent.BadInput tooLong = refuseSize(unit.data().length);
        if (tooLong != null) {
            return tooLong;
        }
        ParameterSetScan scan = ParameterSetScan.of(unit.codec(), unit.data());
        String noDecoder = "no decoder sees it; the stream waits for its next keyframe";
        if (scan.malformed() != null) {
            return new DecodeEvent.BadInput(DecodeError.BAD_PARAMETER_SETS, scan.malformed(), noDecoder);
        }
        if (!scan.hasSps()) {
            if (needsSps && unit.keyframe()) {
                return new DecodeEvent.BadInput(DecodeError.BAD_PARAMETER_SETS, "keyframe at pts " + unit.ptsMicros() + " carries no "
                        + unit.codec().wireName() + " SPS (the wire format wants them in-band)", noDecoder);
            }
        } else {
            SequenceParameterSet sps = scan.largest();
            if (sps.codedPixels() > maxPixels) {
                return new DecodeEvent.BadInput(DecodeError.TOO_LARGE, "the SPS claims " + sps.describe() + ", more than vxflow.decode.max-pixels "
                        + maxPixels, noDecoder);
            }
            for (SequenceParameterSet s : scan.sets()) {
                DecodeEvent.BadInput shape = bounds.refusal(s.width(), s.height(), "the SPS claims " + s.describe(), noDecoder);
                if (shape != null) {
                    return shape;
                }
            }
        }
        if (scan.slices() == 0) {
            // one record is one picture: without a coded slice there is nothing to decode, and FFmpeg would
            // take it without a word (found by the fuzzer: an HEVC unit cut to two bytes went uncounted)
            return new DecodeEvent.BadInput(DecodeError.CORRUPT, unit.data().length + " bytes at pts " + unit.ptsMicros()
                    + " hold no coded slice", unit.keyframe() ? noDecoder : "it is dropped unread; the stream waits for its next keyframe");
        }
        return null;
    }
}
