package io.vxflow.operators;

import io.vxflow.codec.AccessUnit;
import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.gpu.synthetic.SyntheticScene;
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
        List<AccessUnit> clip = profile == SyntheticVideoEncoder.Profile.BASELINE ? Baseline.first(frames)
                : CLIPS.computeIfAbsent(profile + "/" + frames, k -> List.copyOf(SyntheticVideoEncoder.encode(profile, frames)));
        List<AccessUnit> copy = new ArrayList<>(clip.size());
        for (AccessUnit u : clip) {
            copy.add(new AccessUnit(u.codec(), u.ptsMicros(), u.keyframe(), u.data().clone()));
        }
        return copy;
    }

    /**
     * The baseline clips, all cut from one clip that one encoder lengthens on demand: the tests ask for
     * some 15 lengths of it, and at 1080p each frame costs the encoder about a tenth of a second. A cut is
     * the very clip {@link SyntheticVideoEncoder#encode} makes of that length: OpenH264 here (no B-frames,
     * one thread, rate control without lookahead) hands out each frame's unit before it sees the next
     * frame, so no unit can depend on a later frame and a flush has nothing left to add. {@link #grow}
     * checks the one unit per frame every time (a change of encoder settings that breaks it fails every
     * test that asks for a clip); cuts of 40 and 100 frames were compared byte for byte with fresh
     * encodes when this was written.
     */
    private static final class Baseline {
        private static SyntheticVideoEncoder encoder;
        private static final List<AccessUnit> UNITS = new ArrayList<>();

        static synchronized List<AccessUnit> first(int frames) {
            if (UNITS.size() < frames) {
                grow(frames);
            }
            return List.copyOf(UNITS.subList(0, frames));
        }

        private static void grow(int frames) {
            if (encoder == null) {
                encoder = new SyntheticVideoEncoder(SyntheticVideoEncoder.Profile.BASELINE, SyntheticScene.FPS, 4_000_000, false);
            }
            int from = UNITS.size();
            List<AccessUnit> more = encoder.encode(from, frames - from);
            if (more.size() != frames - from) {
                throw new IllegalStateException("the baseline encoder held frames back (" + more.size() + " units for "
                        + (frames - from) + " frames): its clips are no longer cuts of one clip");
            }
            UNITS.addAll(more);
        }
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
