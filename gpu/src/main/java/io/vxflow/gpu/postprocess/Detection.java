package io.vxflow.gpu.postprocess;

/**
 * One detected object: class index, score in [0, 1] and box {@code [x1, y1, x2, y2]} in the
 * coordinate space named by whoever produced it (model-input pixels before mapping, source-frame
 * pixels after).
 */
public record Detection(int classId, float score, float x1, float y1, float x2, float y2) {

    public float area() {
        return Math.max(0f, x2 - x1) * Math.max(0f, y2 - y1);
    }

    /** Intersection over union with another box; 0 when either is empty. */
    public float iou(Detection o) {
        float iw = Math.min(x2, o.x2) - Math.max(x1, o.x1);
        float ih = Math.min(y2, o.y2) - Math.max(y1, o.y1);
        if (iw <= 0 || ih <= 0) {
            return 0f;
        }
        float inter = iw * ih;
        float union = area() + o.area() - inter;
        return union <= 0 ? 0f : inter / union;
    }
}
