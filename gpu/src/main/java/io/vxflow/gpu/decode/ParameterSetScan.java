package io.vxflow.gpu.decode;

import io.vxflow.codec.Codec;
import java.util.ArrayList;
import java.util.List;

/**
 * The sequence parameter sets in one Annex-B access unit, read before any decoder sees the unit:
 * every NAL unit is found and each SPS among them is parsed ({@link SequenceParameterSet}). The whole
 * unit is walked, not only its head, because a decoder acts on every SPS it is given, also one after
 * a slice; the walk only looks for start codes (about a third of the bytes are read), so it costs
 * microseconds per unit. H.264's subset SPS (SVC, MVC) is not read: FFmpeg does not decode those
 * layers.
 *
 * @param sets the sequence parameter sets read, in order
 * @param malformed why an SPS could not be read, or null when every one was
 * @param slices the coded slices (VCL NAL units with at least one byte after their header) the unit
 *     holds: a picture has one at least, and FFmpeg takes a unit without any (an HEVC unit cut to two
 *     bytes, say) silently, with neither an error nor a picture
 */
public record ParameterSetScan(List<SequenceParameterSet> sets, String malformed, int slices) {
    /** More is not a stream: H.264 has 32 SPS ids, HEVC 16. */
    static final int MAX_SETS = 32;

    /** Scans {@code accessUnit} (Annex-B: start codes) of {@code codec}. */
    public static ParameterSetScan of(Codec codec, byte[] accessUnit) {
        List<SequenceParameterSet> sets = new ArrayList<>(1);
        int slices = 0;
        int header = codec == Codec.H264 ? 1 : 2;
        int start = payloadAfterStartCode(accessUnit, 0);
        while (start >= 0 && start < accessUnit.length) {
            int type = codec == Codec.H264 ? accessUnit[start] & 0x1F : (accessUnit[start] >> 1) & 0x3F;
            int next = payloadAfterStartCode(accessUnit, start + header);
            int end = next < 0 ? accessUnit.length : startCodeBefore(accessUnit, next, start);
            if (isSlice(codec, type) && end - start > header) {
                slices++;
            }
            if (type == (codec == Codec.H264 ? SequenceParameterSet.H264_SPS : SequenceParameterSet.HEVC_SPS)) {
                if (sets.size() == MAX_SETS) {
                    return new ParameterSetScan(sets, "more than " + MAX_SETS + " SPS in one access unit", slices);
                }
                try {
                    sets.add(SequenceParameterSet.parse(codec, accessUnit, start, end));
                } catch (MalformedParameterSetException e) {
                    return new ParameterSetScan(sets, e.getMessage(), slices);
                }
            }
            start = next;
        }
        return new ParameterSetScan(List.copyOf(sets), null, slices);
    }

    /**
     * Whether {@code accessUnit} holds a slice of a picture a decoder can start at without anything
     * before it: an IDR slice (H.264 type 5), an IRAP slice (HEVC types 16 to 23). What the producer's
     * keyframe flag says is not read: it may lie. Every slice of a picture has the same type, so the
     * first slice decides, and the walk stops there (after the parameter sets, a few dozen bytes in).
     */
    public static boolean hasRandomAccessSlice(Codec codec, byte[] accessUnit) {
        int type = firstSliceType(codec, accessUnit);
        return codec == Codec.H264 ? type == 5 : type >= 16 && type <= 23;
    }

    /**
     * Whether {@code accessUnit} begins a closed GOP: its first slice is an IDR slice (H.264 type 5;
     * HEVC IDR_W_RADL or IDR_N_LP, types 19 and 20). Nothing after it in decoding order refers to
     * anything before it, so a decoder can go on at it after units were left out, without a reset. A
     * CRA or BLA picture (HEVC types 16 to 18 and 21) is a random access point too, but its leading
     * pictures may refer to pictures before it.
     */
    public static boolean startsClosedGop(Codec codec, byte[] accessUnit) {
        int type = firstSliceType(codec, accessUnit);
        return codec == Codec.H264 ? type == 5 : type == 19 || type == 20;
    }

    /** The NAL unit type of the access unit's first slice, or -1 when it has none. */
    private static int firstSliceType(Codec codec, byte[] accessUnit) {
        int header = codec == Codec.H264 ? 1 : 2;
        int start = payloadAfterStartCode(accessUnit, 0);
        while (start >= 0 && start < accessUnit.length) {
            int type = codec == Codec.H264 ? accessUnit[start] & 0x1F : (accessUnit[start] >> 1) & 0x3F;
            if (isSlice(codec, type)) {
                return type;
            }
            start = payloadAfterStartCode(accessUnit, start + header);
        }
        return -1;
    }

    /** H.264: coded slices of any kind (types 1 to 5); HEVC: the VCL NAL unit types (0 to 31). */
    private static boolean isSlice(Codec codec, int type) {
        return codec == Codec.H264 ? type >= 1 && type <= 5 : type <= 31;
    }

    /** Whether the access unit carries at least one SPS. */
    public boolean hasSps() {
        return !sets.isEmpty();
    }

    /** The SPS that makes the decoder allocate most, or null when there is none. */
    public SequenceParameterSet largest() {
        SequenceParameterSet best = null;
        for (SequenceParameterSet s : sets) {
            if (best == null || s.codedPixels() > best.codedPixels()) {
                best = s;
            }
        }
        return best;
    }

    /** Offset of the first byte after the next {@code 00 00 01} at or after {@code from}, or -1. */
    private static int payloadAfterStartCode(byte[] data, int from) {
        for (int i = from; i + 2 < data.length; i++) {
            if ((data[i + 2] & 0xFF) > 1) {
                i += 2; // no start code can end at i+2 or contain it
            } else if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
                return i + 3;
            }
        }
        return -1;
    }

    /** Where the start code ending just before {@code payload} begins, trailing zero bytes of the NAL unit before included. */
    private static int startCodeBefore(byte[] data, int payload, int nalStart) {
        int i = payload - 3;
        while (i > nalStart && data[i - 1] == 0) {
            i--;
        }
        return i;
    }
}
