package io.vxflow.connectors.producer;

import io.vxflow.codec.Codec;
import java.util.ArrayList;
import java.util.List;

/**
 * The NAL units at the head of an Annex-B access unit: everything before the first slice (access
 * unit delimiter, parameter sets, SEI) one by one, then the first slice and the rest of the access
 * unit as one opaque tail, which is never scanned. Owns nothing; the spans index into the caller's
 * array.
 */
final class NalUnits {

    /**
     * One NAL unit's bytes {@code [from, to)} including its start code; {@code type} is the NAL unit
     * type (5 bits for H.264, 6 bits for HEVC).
     */
    record Span(int from, int to, int type) {
        int length() {
            return to - from;
        }
    }

    private NalUnits() {}

    /**
     * The NAL units before the first slice, plus a last span from the first slice to the end (if there
     * is a slice). Bytes before the first start code, if any, are not covered.
     */
    static List<Span> head(byte[] data, Codec codec) {
        List<Span> spans = new ArrayList<>(6);
        int start = nextStartCode(data, 0);
        while (start >= 0) {
            int payload = payloadOffset(data, start);
            if (payload >= data.length) {
                break;
            }
            int type = type(codec, data[payload]);
            if (isSlice(codec, type)) {
                spans.add(new Span(start, data.length, type));
                break;
            }
            int next = nextStartCode(data, payload);
            spans.add(new Span(start, next < 0 ? data.length : next, type));
            start = next;
        }
        return spans;
    }

    /** The type of the first slice NAL unit, or -1 if the access unit has none. */
    static int firstSliceType(List<Span> head, Codec codec) {
        if (head.isEmpty()) {
            return -1;
        }
        Span last = head.get(head.size() - 1);
        return isSlice(codec, last.type()) ? last.type() : -1;
    }

    static int type(Codec codec, byte header) {
        return codec == Codec.H264 ? header & 0x1F : (header >> 1) & 0x3F;
    }

    static boolean isSlice(Codec codec, int type) {
        return codec == Codec.H264 ? type >= 1 && type <= 5 : type <= 31;
    }

    static boolean isAccessUnitDelimiter(Codec codec, int type) {
        return type == (codec == Codec.H264 ? 9 : 35);
    }

    /** Whether a slice of this type starts a new coded video sequence (IDR, or HEVC's BLA). */
    static boolean isInstantaneousRefresh(Codec codec, int sliceType) {
        return codec == Codec.H264 ? sliceType == 5 : sliceType >= 16 && sliceType <= 20;
    }

    /** The parameter set types a decoder needs before a keyframe, in the order they must come. */
    static int[] parameterSetTypes(Codec codec) {
        return codec == Codec.H264 ? new int[] {7, 8} : new int[] {32, 33, 34};
    }

    /**
     * Offset of the next start code at or after {@code from}: of its leading zero byte for a 4-byte
     * start code, so that a span keeps its own start code whole. -1 if there is none.
     */
    static int nextStartCode(byte[] data, int from) {
        for (int i = from; i + 2 < data.length; i++) {
            if ((data[i + 2] & 0xFF) > 1) {
                i += 2; // no start code can end at i+2 or contain it
            } else if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
                return i > from && data[i - 1] == 0 ? i - 1 : i;
            }
        }
        return -1;
    }

    private static int payloadOffset(byte[] data, int startCode) {
        return data[startCode + 2] == 1 ? startCode + 3 : startCode + 4;
    }
}
