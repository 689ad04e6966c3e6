package io.vxflow.it;

import io.vxflow.connectors.results.FrameResult;
import io.vxflow.gpu.synthetic.SyntheticScene;

/** Whether a result's detections are the synthetic scene's three squares, each edge within 8 px. */
final class KnownBoxes {
    static final float TOLERANCE = 8f;

    private KnownBoxes() {}

    static boolean matches(FrameResult r, long sceneFrame) {
        var want = SyntheticScene.placements(sceneFrame);
        if (r.detections().size() != want.size()) {
            return false;
        }
        for (SyntheticScene.Placement p : want) {
            boolean found = r.detections().stream().anyMatch(d -> d.classId() == p.square().classId
                    && Math.abs(d.x1() - p.x1()) <= TOLERANCE && Math.abs(d.y1() - p.y1()) <= TOLERANCE
                    && Math.abs(d.x2() - p.x2()) <= TOLERANCE && Math.abs(d.y2() - p.y2()) <= TOLERANCE);
            if (!found) {
                return false;
            }
        }
        return true;
    }
}
