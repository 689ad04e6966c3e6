package io.vxflow.connectors.producer;

import io.vxflow.codec.Codec;
import io.vxflow.connectors.producer.NalUnits.Span;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes every keyframe start with its parameter sets (after an access unit delimiter, if any):
 * SPS and PPS for H.264, VPS, SPS and PPS for HEVC, as the frames topic promises. FFmpeg's
 * {@code *_mp4toannexb} filters do most of this, but not all: they pass Annex-B input (raw files,
 * MPEG-TS, RTSP) through untouched, so a stream whose parameter sets came once, or only in the
 * RTSP session description, would reach the decoders without them; and they insert the sets after
 * a leading SEI. This class keeps the latest set of each type seen (in the stream's extradata or
 * in-band) and, for a keyframe that lacks some or has them after other NAL units, builds a new
 * array: delimiter, parameter sets, the rest in the original order. Keyframes already in that
 * shape are returned as they are, without a copy.
 *
 * <p>Owns copies of the latest parameter sets (a few hundred bytes). Limitation: one set per type
 * is remembered, so streams that switch between several SPS or PPS ids only get the latest one
 * injected (their own in-band sets still pass through).
 */
final class InBandParameterSets {
    private final Codec codec;
    private final int[] required;
    private final Map<Integer, byte[]> latest = new HashMap<>();

    InBandParameterSets(Codec codec, byte[] extradata) {
        this.codec = codec;
        this.required = NalUnits.parameterSetTypes(codec);
        if (extradata != null && extradata.length > 0) {
            remember(extradata, NalUnits.head(extradata, codec));
        }
    }

    /** The access unit with its parameter sets in front if it is a keyframe, else as it is. */
    byte[] apply(byte[] data, boolean keyframe, List<Span> head) {
        remember(data, head);
        if (!keyframe || head.isEmpty() || startsWithParameterSets(head)) {
            return data;
        }
        return rebuild(data, head);
    }

    /** Whether a parameter set of every required type was seen so far. */
    boolean complete() {
        return Arrays.stream(required).allMatch(latest::containsKey);
    }

    private void remember(byte[] data, List<Span> head) {
        for (Span s : head) {
            if (isParameterSet(s.type())) {
                latest.put(s.type(), Arrays.copyOfRange(data, s.from(), s.to()));
            }
        }
    }

    private boolean startsWithParameterSets(List<Span> head) {
        int i = 0;
        while (i < head.size() && NalUnits.isAccessUnitDelimiter(codec, head.get(i).type())) {
            i++;
        }
        int found = 0;
        for (int want : required) {
            boolean any = false;
            while (i < head.size() && head.get(i).type() == want) {
                any = true;
                i++;
            }
            found += any ? 1 : 0;
        }
        return found == required.length;
    }

    /** Delimiter, parameter sets (own, else remembered), then the rest in order; one copy. */
    private byte[] rebuild(byte[] data, List<Span> head) {
        List<Segment> parts = new ArrayList<>(head.size() + required.length);
        if (head.get(0).from() > 0) {
            parts.add(new Segment(data, 0, head.get(0).from())); // bytes before the first start code
        }
        for (Span s : head) {
            if (NalUnits.isAccessUnitDelimiter(codec, s.type())) {
                parts.add(new Segment(data, s.from(), s.length()));
            }
        }
        for (int type : required) {
            int before = parts.size();
            for (Span s : head) {
                if (s.type() == type) {
                    parts.add(new Segment(data, s.from(), s.length()));
                }
            }
            byte[] remembered = latest.get(type);
            if (parts.size() == before && remembered != null) {
                parts.add(new Segment(remembered, 0, remembered.length));
            }
        }
        for (Span s : head) {
            if (!isParameterSet(s.type()) && !NalUnits.isAccessUnitDelimiter(codec, s.type())) {
                parts.add(new Segment(data, s.from(), s.length()));
            }
        }
        int size = parts.stream().mapToInt(Segment::length).sum();
        byte[] out = new byte[size];
        int at = 0;
        for (Segment p : parts) {
            System.arraycopy(p.array(), p.from(), out, at, p.length());
            at += p.length();
        }
        return out;
    }

    private record Segment(byte[] array, int from, int length) {}

    private boolean isParameterSet(int type) {
        for (int t : required) {
            if (t == type) {
                return true;
            }
        }
        return false;
    }
}
