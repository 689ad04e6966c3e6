package io.vxflow.operators;

import io.vxflow.codec.AccessUnit;
import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Frame records of synthetic streams, for operator tests. */
public final class TestFrames {
    /** Encoded clips by profile and length: x264 at 1080p costs about a second per clip, and the tests ask for the same few again and again. */
    private static final Map<String, List<AccessUnit>> CLIPS = new ConcurrentHashMap<>();

    private TestFrames() {}

    /**
     * {@link SyntheticVideoEncoder#encode}, each clip encoded once per test JVM; every call gets its
     * own copies of the units' bytes, so a test that damages one damages nobody else's.
     */
    public static List<AccessUnit> encode(SyntheticVideoEncoder.Profile profile, int frames) {
        List<AccessUnit> clip = CLIPS.computeIfAbsent(profile + "/" + frames, k -> List.copyOf(SyntheticVideoEncoder.encode(profile, frames)));
        List<AccessUnit> copy = new ArrayList<>(clip.size());
        for (AccessUnit u : clip) {
            copy.add(new AccessUnit(u.codec(), u.ptsMicros(), u.keyframe(), u.data().clone()));
        }
        return copy;
    }

    /** {@code frames} frames of the synthetic scene as records of one stream, in decode order. */
    public static List<FrameRecord> stream(String id, SyntheticVideoEncoder.Profile profile, int frames) {
        List<FrameRecord> out = new ArrayList<>();
        long t = 1_700_000_000_000L;
        for (AccessUnit u : encode(profile, frames)) {
            out.add(FrameRecord.valid(id, u, t++));
        }
        return out;
    }

    /** Round-robin interleaving of several streams, keeping each stream's order. */
    @SafeVarargs
    public static List<FrameRecord> interleave(List<FrameRecord>... streams) {
        List<FrameRecord> out = new ArrayList<>();
        int max = 0;
        for (List<FrameRecord> s : streams) {
            max = Math.max(max, s.size());
        }
        for (int i = 0; i < max; i++) {
            for (List<FrameRecord> s : streams) {
                if (i < s.size()) {
                    out.add(s.get(i));
                }
            }
        }
        return out;
    }
}
