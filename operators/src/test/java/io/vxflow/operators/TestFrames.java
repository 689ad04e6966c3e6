package io.vxflow.operators;

import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.gpu.decode.AccessUnit;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import java.util.ArrayList;
import java.util.List;

/** Frame records of synthetic streams, for operator tests. */
public final class TestFrames {
    private TestFrames() {}

    /** {@code frames} frames of the synthetic scene as records of one stream, in decode order. */
    public static List<FrameRecord> stream(String id, SyntheticVideoEncoder.Profile profile, int frames) {
        List<FrameRecord> out = new ArrayList<>();
        long t = 1_700_000_000_000L;
        for (AccessUnit u : SyntheticVideoEncoder.encode(profile, frames)) {
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
